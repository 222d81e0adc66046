/**
 * `allot master --record` and `allot replay`: a master that ran a few hundred
 * tasks (a real scheduler over HTTP, a fleet of agents over the agent
 * protocol) is replayed from its recording through the kernel, and the
 * replay's events are, byte for byte, what the master sent on its live event
 * stream; every step's fingerprints match. Also: bounded files continue in
 * FILE.1, a previous recording is kept, a damaged or partial one is refused;
 * a master restarted on its stored state records from there (the recording
 * starts with that snapshot) and replays.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayRecording } from '../../../adapters/src/cli/replayCommand.js';
import { readRecordingFiles } from '../../../adapters/src/cli/recordingFiles.js';
import { Fleet } from '../../../adapters/src/fleet/fleet.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startTestMaster } from '../master/inProcess.js';
import { SchedulerClient } from '../master/schedulerClient.js';
import { waitUntil } from '../ha/waitUntil.js';
import { LiveEventsClient } from './liveEventsClient.js';

type Json = Record<string, any>;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'allot-record-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function startFleet(masterUrl: string, agents: number): Fleet {
  const created = Fleet.create({
    masterUrl,
    agents,
    idPrefix: 'rec',
    resources: 'cpus:4;mem:4096;disk:1000;ports:[31000-31099]',
    taskDurationMs: 30,
  });
  if (!created.ok) throw new Error(created.message);
  cleanups.push(() => created.fleet.stop());
  created.fleet.start();
  return created.fleet;
}

/** Launches small tasks on every offer (as many as fit, up to 8 per offer) until `count` are launched. */
async function runTasks(scheduler: SchedulerClient, count: number): Promise<string[]> {
  const launched: string[] = [];
  let seen = 0;
  while (launched.length < count) {
    await scheduler.waitFor((event) => event.type === 'OFFERS', 'offers', 30_000, seen);
    const fresh = scheduler.events.slice(seen);
    seen = scheduler.events.length;
    for (const event of fresh.filter((candidate) => candidate.type === 'OFFERS')) {
      for (const offer of event.offers.offers as Json[]) {
        const tasks = [];
        const scalar = (name: string) =>
          (offer.resources as Json[]).filter((r) => r.name === name).reduce((sum, r) => sum + r.scalar.value, 0);
        const fit = Math.min(8, Math.floor(scalar('cpus') / 0.25 + 1e-9), Math.floor(scalar('mem') / 32));
        for (let i = 0; i < fit && launched.length < count; i++) {
          const taskId = `t-${launched.length}`;
          launched.push(taskId);
          tasks.push({
            name: taskId,
            task_id: { value: taskId },
            agent_id: offer.agent_id,
            resources: [
              { name: 'cpus', type: 'SCALAR', scalar: { value: 0.25 }, allocation_info: offer.allocation_info },
              { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, allocation_info: offer.allocation_info },
            ],
            command: { value: 'true' },
          });
        }
        const operations = tasks.length > 0 ? [{ type: 'LAUNCH', launch: { task_infos: tasks } }] : [];
        await scheduler.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations, filters: { refuse_seconds: 0 } } });
      }
    }
  }
  return launched;
}

/** Each task's latest state, as the scheduler heard it. */
function latestStates(scheduler: SchedulerClient): Map<string, string> {
  const states = new Map<string, string>();
  for (const event of scheduler.events)
    if (event.type === 'UPDATE') states.set(event.update.status.task_id.value, event.update.status.state);
  return states;
}

function finishedCount(scheduler: SchedulerClient): number {
  return [...latestStates(scheduler).values()].filter((state) => state === 'TASK_FINISHED').length;
}

/** How many launched tasks are in each state other than TASK_FINISHED ("none yet" for no update). */
function unfinished(scheduler: SchedulerClient, taskIds: readonly string[]): string {
  const states = latestStates(scheduler);
  const counts = new Map<string, number>();
  for (const id of taskIds) {
    const state = states.get(id) ?? 'none yet';
    if (state !== 'TASK_FINISHED') counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return [...counts].map(([state, count]) => `${count} ${state}`).join(', ') || 'all finished';
}

async function recordedMaster(path: string, limits = {}): Promise<RunningMaster> {
  const master = await startTestMaster({ record: { path, limits } });
  cleanups.push(() => master.close());
  await master.recovered;
  return master;
}

describe('record and replay', () => {
  it('replays a master that ran a few hundred tasks with the same event stream, byte for byte', async () => {
    const path = join(tempDir(), 'master.rec');
    const master = await recordedMaster(path);
    const live = await LiveEventsClient.attach(master.url);
    cleanups.push(() => live.close());
    const fleet = startFleet(master.url, 4);
    await fleet.whenSubscribed(4, 30_000);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url });
    cleanups.push(() => scheduler.close());
    const tasks = await runTasks(scheduler, 300);
    // A liveness bound for a busy machine; a timeout says where each unfinished task stands.
    await waitUntil(
      () => finishedCount(scheduler) >= tasks.length,
      () => `every task to finish (${unfinished(scheduler, tasks)})`,
      180_000,
    );
    await waitUntil(() => fleet.stats().pendingUpdates === 0, 'every update acknowledged', 30_000);
    await scheduler.close();
    await fleet.stop();
    await master.close();
    await live.close();

    const eventsPath = `${path}.events.ndjson`;
    const summary = replayRecording(readRecordingFiles(path), { events: eventsPath });
    expect(summary.mismatches).toEqual([]);
    expect(summary.counters.tasksLaunched).toBe(300);
    const replayed = readFileSync(eventsPath, 'utf8').trimEnd().split('\n');
    // The stream client attached after the master started: compare from the first event it saw.
    const firstSeq = JSON.parse(live.kernelLines[0]).seq as number;
    expect(live.kernelLines.length).toBeGreaterThan(1000);
    expect(replayed.slice(firstSeq - 1, firstSeq - 1 + live.kernelLines.length)).toEqual(live.kernelLines);
    const finished = live.kernelLines.filter((line) => line.includes('"TASK_FINISHED"')).length;
    expect(finished).toBeGreaterThanOrEqual(300);

    // Explain at a moment of the replay: the first offer's cycle says OFFERED on its agent; at the end, every reason.
    const firstOffer = JSON.parse(replayed.find((line) => line.includes('"offer.made"'))!);
    const atOffer = replayRecording(readRecordingFiles(path), {
      until: firstOffer.atMs,
      explain: scheduler.frameworkId,
      agent: firstOffer.offer.agentId,
    }).explain!;
    expect(atOffer.cells).toEqual([expect.objectContaining({ agentId: firstOffer.offer.agentId, outcome: 'OFFERED' })]);
    const atEnd = replayRecording(readRecordingFiles(path), { explain: scheduler.frameworkId }).explain!;
    expect(atEnd.cells).toHaveLength(4);
    for (const cell of atEnd.cells) expect(cell.reasons.length).toBeGreaterThan(0);
  }, 360_000);

  it('continues in FILE.1, FILE.2 past the file bound, keeps the previous recording, and replays across files', async () => {
    const dir = tempDir();
    const path = join(dir, 'master.rec');
    writeFileSync(path, 'an older recording\n');
    const master = await recordedMaster(path, { segmentBytesMax: 4096, flushMs: 20 });
    const fleet = startFleet(master.url, 2);
    await fleet.whenSubscribed(2, 30_000);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url });
    cleanups.push(() => scheduler.close());
    await runTasks(scheduler, 40);
    await scheduler.close();
    await fleet.stop();
    await master.close();
    expect(readFileSync(`${path}.prev`, 'utf8')).toBe('an older recording\n');
    expect(existsSync(`${path}.1`)).toBe(true);
    const recording = readRecordingFiles(path);
    expect(replayRecording(recording).mismatches).toEqual([]);
    // A later file alone is not a replayable recording: it says where the beginning is.
    expect(() => readRecordingFiles(`${path}.1`)).toThrow(/segment 1 .*segment 0/);
  }, 120_000);

  it('reports a step whose events differ from the recording', async () => {
    const path = join(tempDir(), 'master.rec');
    const master = await recordedMaster(path);
    const fleet = startFleet(master.url, 1);
    await fleet.whenSubscribed(1, 30_000);
    await fleet.stop();
    await master.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const index = lines.findIndex((line) => line.includes('"agent.add"'));
    lines[index] = lines[index].replace(/"digest":"[0-9a-f]+"/, '"digest":"00000000"');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const summary = replayRecording(readRecordingFiles(path));
    expect(summary.mismatches[0]).toMatch(/agent\.add .*events fingerprint 00000000 when recorded/);
  }, 60_000);

  it('records from any point: a restarted master starts its recording with the state it recovered', async () => {
    const dir = tempDir();
    const path = join(dir, 'master.rec');
    const workDir = join(dir, 'work');
    const first = await startTestMaster({ store: 'file', workDir });
    await first.recovered;
    const fleet = startFleet(first.url, 2);
    await fleet.whenSubscribed(2, 30_000);
    const before = await SchedulerClient.subscribe({ masterUrl: first.url, frameworkInfo: { name: 'before', failover_timeout: 3600 } });
    await runTasks(before, 20);
    await before.close();
    await fleet.stop();
    await first.close();

    // The same state, now recorded: the header carries the snapshot the master recovered.
    const second = await startTestMaster({ store: 'file', workDir, record: { path, limits: {} } });
    cleanups.push(() => second.close());
    await second.recovered;
    const scheduler = await SchedulerClient.subscribe({ masterUrl: second.url, frameworkInfo: { name: 'after' } });
    cleanups.push(() => scheduler.close());
    const fleetAgain = startFleet(second.url, 2);
    await fleetAgain.whenSubscribed(2, 30_000);
    await runTasks(scheduler, 20);
    await scheduler.close();
    await fleetAgain.stop();
    await second.close();

    const recording = readRecordingFiles(path);
    expect(recording.header.start.snapshot?.frameworks.map((framework) => framework.name)).toContain('before');
    const summary = replayRecording(recording, { explain: scheduler.frameworkId });
    expect(summary.mismatches).toEqual([]);
    expect(summary.counters.tasksLaunched).toBeGreaterThanOrEqual(20);
  }, 120_000);
});
