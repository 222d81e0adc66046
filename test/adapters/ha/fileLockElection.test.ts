/**
 * Leader election on one machine with a lock directory, stepped by hand
 * (`poll()`) with injected liveness: one leader among three; a dead owner's
 * lock is taken over by exactly one follower; a fresh ownerless lock (someone
 * mid-creation) is left alone, a stale one is not; resigning hands over;
 * a leader whose lock disappears steps down. Process identity is checked
 * against real processes (a reused pid or a zombie does not count as alive).
 */
import { spawn } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ElectionEvent } from '../../../adapters/src/ha/election.js';
import { FileLockElection, processIdentity } from '../../../adapters/src/ha/fileLockElection.js';

const root = mkdtempSync(join(tmpdir(), 'allot-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirSeq = 0;

function group(count: number) {
  const directory = join(root, `d${++dirSeq}`);
  const dead = new Set<number>();
  const events: Array<{ id: string; event: ElectionEvent }> = [];
  const elections = Array.from({ length: count }, (_, index) => {
    const election = new FileLockElection({
      directory,
      candidate: { id: `m${index}`, address: `http://127.0.0.1:${5050 + index}` },
      pid: 1000 + index,
      isAlive: (owner) => !dead.has(owner.pid),
    });
    election.on((event) => events.push({ id: `m${index}`, event }));
    return election;
  });
  return { directory, dead, events, elections, leaders: () => elections.filter((election) => election.isLeader()) };
}

describe('FileLockElection', () => {
  it('elects exactly one leader whose address the others observe', () => {
    const { elections, leaders } = group(3);
    for (const election of elections) election.poll();
    for (const election of elections) election.poll();
    expect(leaders()).toEqual([elections[0]]);
    expect(elections.map((election) => election.leader?.address)).toEqual(Array(3).fill('http://127.0.0.1:5050'));
  });

  it("hands a dead leader's lock to exactly one follower", () => {
    const { elections, leaders, dead } = group(3);
    for (const election of elections) election.poll();
    dead.add(1000); // m0's process died without releasing the lock
    elections[0].stop(); // (its timers die with it; it must not release what it no longer owns)
    elections[1].poll();
    elections[2].poll();
    expect(leaders()).toEqual([elections[1]]);
    elections[2].poll();
    expect(elections[2].leader?.id).toBe('m1');
  });

  it('leaves a fresh ownerless lock alone and removes a stale one', () => {
    const { directory, elections, leaders } = group(1);
    mkdirSync(join(directory, 'leader.lock'));
    elections[0].poll();
    expect(leaders()).toEqual([]);
    const old = new Date(Date.now() - 10_000);
    utimesSync(join(directory, 'leader.lock'), old, old);
    elections[0].poll();
    expect(leaders()).toEqual([elections[0]]);
  });

  it('hands over when the leader resigns, and a leader whose lock vanished steps down', async () => {
    const { directory, elections, leaders, events } = group(2);
    elections[0].poll();
    elections[1].poll();
    await elections[0].stop();
    elections[1].poll();
    expect(leaders()).toEqual([elections[1]]);
    rmSync(join(directory, 'leader.lock'), { recursive: true });
    elections[1].poll();
    expect(events.filter((entry) => entry.id === 'm1' && entry.event.type === 'leadership.lost').map((entry) => entry.event)).toEqual([
      { type: 'leadership.lost', reason: 'the lock was removed' },
    ]);
    elections[1].poll();
    expect(leaders()).toEqual([elections[1]]); // it campaigns again and wins the free lock
  });

  it('ends leadership only on a definite answer: a failing read (EMFILE) neither deposes the leader nor lets a follower in', () => {
    const directory = join(root, 'emfile');
    const failing = { now: false };
    const fs = {
      ...nodeFs,
      readFileSync: ((...args: Parameters<typeof nodeFs.readFileSync>) => {
        if (failing.now) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
        return nodeFs.readFileSync(...args);
      }) as typeof nodeFs.readFileSync,
      writeFileSync: ((...args: Parameters<typeof nodeFs.writeFileSync>) => {
        if (failing.now) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
        return nodeFs.writeFileSync(...args);
      }) as typeof nodeFs.writeFileSync,
    };
    const events: ElectionEvent[] = [];
    const leader = new FileLockElection({ directory, candidate: { id: 'a', address: 'http://127.0.0.1:1' }, fs });
    const follower = new FileLockElection({ directory, candidate: { id: 'b', address: 'http://127.0.0.1:2' }, fs, isAlive: () => false });
    leader.on((event) => events.push(event));
    leader.poll();
    expect(leader.isLeader()).toBe(true);

    failing.now = true;
    for (let round = 0; round < 5; round++) {
      leader.poll();
      follower.poll();
    }
    failing.now = false;
    leader.poll();

    expect(leader.isLeader()).toBe(true);
    expect(follower.isLeader()).toBe(false);
    expect(events.filter((event) => event.type === 'leadership.lost')).toEqual([]);
  });

  it('tells a live process from a dead, a zombie or a reused pid', async () => {
    expect(processIdentity(process.pid)).toMatch(/^[0-9a-f-]+:\d+$/);
    const child = spawn('sleep', ['30']);
    const identity = processIdentity(child.pid!);
    expect(identity).not.toBeNull();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(processIdentity(child.pid!)).toBeNull();
    // A lock written by a process with another start time (a reused pid) is not that process.
    const directory = join(root, 'reuse');
    const reused = new FileLockElection({ directory, candidate: { id: 'old', address: 'http://127.0.0.1:1' } });
    reused.poll();
    expect(reused.isLeader()).toBe(true);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(directory, 'leader.lock', 'owner.json'),
      JSON.stringify({ id: 'old', address: 'http://127.0.0.1:1', pid: process.pid, identity: 'another-boot:1' }),
    );
    const fresh = new FileLockElection({ directory, candidate: { id: 'new', address: 'http://127.0.0.1:2' } });
    fresh.poll();
    expect(fresh.isLeader()).toBe(true);
    await fresh.stop();
  });
});
