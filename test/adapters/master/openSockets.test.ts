/**
 * Open sockets cannot kill a master (issue 10, point 2). Real `allot
 * master` processes under a low descriptor limit (`prlimit --nofile`):
 *
 * - with the connection caps lifted, half-sent requests exhaust the
 *   descriptors; reading the leader lock then fails with EMFILE, which
 *   used to read as "the lock was removed" (exit 75 with the lock intact).
 *   Only a definite answer may end leadership: the master keeps its lock
 *   and serves again once the sockets go;
 * - with the default caps (derived from the descriptor limit), 10,000
 *   slowloris sockets from one address leave the master serving everyone
 *   else: /health, a new framework's subscription, a launch on its offer.
 *
 * The flood comes from 127.0.0.2 (all of 127/8 is loopback on Linux), the
 * legitimate clients from 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Daemon } from './daemons.js';
import { eventually, makeWorkDir, removeWorkDir, startMasterProcess } from './daemons.js';
import { FLOOD_SKIP_REASON, health, PRLIMIT, rssMb, slowloris } from './floods.js';
import { registerFakeAgent, SMALL_AGENT } from './inProcess.js';
import { launch, SchedulerClient } from './schedulerClient.js';

const SKIP_REASON = FLOOD_SKIP_REASON;
if (SKIP_REASON) console.warn(`[open sockets] SKIPPED: ${SKIP_REASON}`);

describe.skipIf(SKIP_REASON !== null)('a master flooded with open sockets', () => {
  const workDirs: string[] = [];
  const daemons: Daemon[] = [];
  afterAll(async () => {
    for (const daemon of daemons) await daemon.stop('SIGKILL');
    for (const dir of workDirs) removeWorkDir(dir);
  });

  it('keeps its leadership (and its lock) when file descriptors run out, and serves again after', async () => {
    const workDir = makeWorkDir('emfile');
    workDirs.push(workDir);
    const master = await startMasterProcess(
      workDir,
      ['--max-connections', '100000', '--max-connections-per-client', '100000', '--headers-timeout', '600', '--request-timeout', '600'],
      0,
      [PRLIMIT, '--nofile=256:256'],
    );
    daemons.push(master);
    await eventually(async () => (await health(master.url)) === 200, 'the master to lead');
    const flood = await slowloris(master.url, 400);
    try {
      // The election polls its lock every 100 ms: give it many polls while no descriptor is left.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(master.process.exitCode).toBeNull();
      expect(master.log()).toMatch(/EMFILE|too many open files/i);
    } finally {
      flood.close();
    }
    await eventually(async () => (await health(master.url)) === 200, 'the master to serve again', 15_000);

    expect(master.process.exitCode).toBeNull();
    expect(master.log()).not.toMatch(/lost leadership/);
    expect(JSON.parse(readFileSync(join(workDir, 'master', 'leader.lock', 'owner.json'), 'utf8')).pid).toBe(master.process.pid);
  });

  it('serves everyone else while 10,000 slowloris sockets come from one address', async () => {
    const workDir = makeWorkDir('slowloris');
    workDirs.push(workDir);
    const master = await startMasterProcess(workDir, ['--headers-timeout', '3'], 0, [PRLIMIT, '--nofile=1024:1024']);
    daemons.push(master);
    await eventually(async () => (await health(master.url)) === 200, 'the master to lead');
    const agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    const flood = await slowloris(master.url, 10_000);
    let scheduler: SchedulerClient | null = null;
    try {
      const during = await health(master.url);
      scheduler = await SchedulerClient.subscribe({ masterUrl: master.url });
      const offer = await scheduler.waitForOffer('an offer during the flood');
      const accepted = await scheduler.call({
        type: 'ACCEPT',
        accept: { offer_ids: [offer.id], operations: [launch(offer, 'during-flood', 'true', { cpus: 1, mem: 64 })] },
      });
      const launched = await eventually(
        () => agent.events.find((event) => event.type === 'LAUNCH' && event.launch.task_id === 'during-flood'),
        'the launch to reach the agent',
      );
      // The held ones are cut once their headers are late (3 s here), freeing their descriptors.
      const freed = await eventually(() => flood.refused() >= 10_000 - 5, 'the held sockets to be timed out', 20_000);
      const rss = rssMb(master.process.pid!);
      console.log(`[open sockets] 10,000 slowloris sockets: ${flood.refused()} closed by the master; master RSS ${rss.toFixed(0)} MB`);

      expect(during).toBe(200);
      expect(accepted.status).toBe(202);
      expect(launched.launch.task_id).toBe('during-flood');
      expect(freed).toBe(true);
      expect(master.process.exitCode).toBeNull();
      expect(rss).toBeLessThan(600);
    } finally {
      flood.close();
      await scheduler?.close();
      agent.close();
    }
    expect(await health(master.url)).toBe(200);
  });
});
