/**
 * Leader election across processes: three contenders, each its own Node
 * process on one real etcd. The leader is killed with SIGKILL five times
 * (a fresh contender replaces it each time): every time another process
 * leads within the lease-derived bound; the failover times are printed
 * (min / median / max), and no two processes ever lead at once.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETCD_SKIP_REASON, killOnExit, startEtcd } from './etcdHarness.js';
import type { EtcdServer } from './etcdHarness.js';
import { waitUntil } from './waitUntil.js';
import { LEASE_TIMING_DEFAULT } from '../../../adapters/src/ha/leaseTiming.js';

if (ETCD_SKIP_REASON) console.warn(`[ha election processes] SKIPPED: ${ETCD_SKIP_REASON}`);

const REPO = join(fileURLToPath(import.meta.url), '../../../..');
const FIXTURE = join(REPO, 'test/adapters/ha/fixtures/contender.ts');
const KILLS = 5;
/** What a 2-core machine running other suites adds to timers, process scheduling and etcd's answers. */
const BUSY_MACHINE_SLACK_MS = 20_000;

interface Line {
  id: string;
  atMs: number;
  type: string;
}

interface ContenderProcess {
  id: string;
  child: ChildProcess;
  lines: Line[];
  exited: Promise<void>;
  killedAtMs?: number;
}

describe.skipIf(ETCD_SKIP_REASON !== null)('LeaderElection across processes, leader killed with SIGKILL', () => {
  let etcd: EtcdServer;
  const all: ContenderProcess[] = [];

  beforeAll(async () => {
    etcd = await startEtcd('processes');
  });
  afterAll(async () => {
    for (const contender of all) contender.child.kill('SIGKILL');
    await Promise.all(all.map((contender) => contender.exited));
    await etcd?.stop();
  });

  function spawnContender(id: string): ContenderProcess {
    const child = spawn(process.execPath, ['--conditions=allot-source', '--import', 'tsx', FIXTURE, etcd.endpoint, '/processes/', id], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    killOnExit(child);
    const contender: ContenderProcess = { id, child, lines: [], exited: new Promise((resolve) => child.once('exit', () => resolve())) };
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        contender.lines.push(JSON.parse(text) as Line);
      } catch {
        // Not one of ours (a warning): ignore.
      }
    });
    all.push(contender);
    return contender;
  }

  /** Who leads now, from the processes' own reports (the last gained/lost line of each live process). */
  function currentLeaders(live: ContenderProcess[]): ContenderProcess[] {
    return live.filter(
      (contender) => contender.lines.filter((line) => line.type.startsWith('leadership.')).at(-1)?.type === 'leadership.gained',
    );
  }

  it(`elects a new leader after each of ${KILLS} SIGKILLs of the leader, one leader at a time`, async () => {
    let live = [spawnContender('p0'), spawnContender('p1'), spawnContender('p2')];
    await waitUntil(
      () => live.every((contender) => contender.lines.some((line) => line.type === 'started')),
      'three contenders to start',
      20_000,
    );
    let [leader] = await waitUntil(() => (currentLeaders(live).length === 1 ? currentLeaders(live) : null), 'a first leader', 20_000);
    const failoverMs: number[] = [];
    for (let kill = 1; kill <= KILLS; kill += 1) {
      const killedAtMs = Date.now();
      leader.killedAtMs = killedAtMs;
      leader.child.kill('SIGKILL');
      await leader.exited;
      live = live.filter((contender) => contender !== leader);
      const [next] = await waitUntil(
        () => (currentLeaders(live).length === 1 ? currentLeaders(live) : null),
        `a new leader after kill ${kill}`,
        60_000,
      );
      const gainedAtMs = next.lines.findLast((line) => line.type === 'leadership.gained')!.atMs;
      failoverMs.push(gainedAtMs - killedAtMs);
      leader = next;
      // Two contenders are left to take over the next kill, so the replacement joins while the run goes on.
      live.push(spawnContender(`p${kill + 2}`));
    }
    await waitUntil(
      () => live.every((contender) => contender.lines.some((line) => line.type === 'started')),
      'the replacements to start',
      20_000,
    );
    const sorted = [...failoverMs].sort((a, b) => a - b);
    console.log(
      `[ha] election failover after SIGKILL of the leader process (${KILLS} kills): min ${sorted[0]} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms; all: ${failoverMs.join(', ')} ms`,
    );
    // Liveness, not speed: a dead leader's lease expires after its TTL (etcd checks every 500 ms), so a waiting
    // contender wins within one TTL plus a keep-alive round and the campaign, and a busy machine adds its delays.
    const livenessBound = LEASE_TIMING_DEFAULT.ttlMs + 2 * LEASE_TIMING_DEFAULT.keepAliveIntervalMs + BUSY_MACHINE_SLACK_MS;
    const late = failoverMs.filter((gap) => gap >= livenessBound);
    expect(late, `successors later than the lease bound of ${livenessBound} ms`).toEqual([]);

    // Mutual exclusion: leadership intervals of different processes never overlap (a killed one's ends at its death).
    const intervals = all.flatMap((contender) => {
      const result: Array<{ id: string; fromMs: number; toMs: number }> = [];
      let fromMs: number | null = null;
      for (const line of contender.lines) {
        if (line.type === 'leadership.gained') fromMs = line.atMs;
        if (line.type === 'leadership.lost' && fromMs !== null) {
          result.push({ id: contender.id, fromMs, toMs: line.atMs });
          fromMs = null;
        }
      }
      if (fromMs !== null) result.push({ id: contender.id, fromMs, toMs: contender.killedAtMs ?? Infinity });
      return result;
    });
    intervals.sort((a, b) => a.fromMs - b.fromMs);
    for (let index = 1; index < intervals.length; index += 1)
      expect(intervals[index].fromMs).toBeGreaterThanOrEqual(intervals[index - 1].toMs);
  });
});
