/**
 * The master's write-ahead contract on a failing store (issue 10, point 1):
 * a change is acknowledged only once its state is durable; a failed write
 * answers 503, stops the master serving writes (and /health says why, with
 * 503) and holds back everything the change would tell agents and
 * frameworks until a retry stores it; a write is all-or-nothing, so the
 * master always restarts from the last complete state. (Task launches write
 * nothing, so these changes carry a reservation.) Covered three ways:
 * a file system whose writes stop short (every run), a store that throws
 * (every run), and a real full tmpfs (when root can mount one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { FileStore } from '../../../adapters/src/store/fileStore.js';
import { eventually, operator } from './daemons.js';
import { FaultyStore, fullDiskFs } from './faultyStore.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import { launch, SchedulerClient } from './schedulerClient.js';

type Json = Record<string, any>;

async function health(url: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}/health`);
  return { status: response.status, body: (await response.json()) as Json };
}

/** A RESERVE of one cpu of the offer for `role` (the operation whose state the master must store). */
function reserve(offer: Json, role: string, labels: Json[] = []): Json {
  const reservation = { type: 'DYNAMIC', role, ...(labels.length > 0 ? { labels: { labels } } : {}) };
  const resources = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [reservation], allocation_info: offer.allocation_info },
  ];
  return { type: 'RESERVE', reserve: { resources } };
}

describe('file store writes on a full disk', () => {
  it('fails a write that stops short and keeps the last complete value, with no temporary file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allot-fulldisk-'));
    const budget = { bytesLeft: Number.POSITIVE_INFINITY };
    const store = new FileStore(dir, { fs: fullDiskFs(budget) });
    try {
      await store.put('state', 'one', 0);
      budget.bytesLeft = 8192;

      await expect(store.put('state', 'x'.repeat(20_000), 1)).rejects.toMatchObject({ code: 'ENOSPC' });

      expect(await store.get('state')).toEqual({ value: 'one', version: 1 });
      expect(readdirSync(dir)).toEqual(['log.0']);
      budget.bytesLeft = Number.POSITIVE_INFINITY;
      expect(await store.put('state', 'two', 1)).toEqual({ ok: true, version: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a master whose store fails', () => {
  let store: FaultyStore;
  let master: RunningMaster;
  let agent: FakeAgent;
  let scheduler: SchedulerClient;

  beforeAll(async () => {
    store = new FaultyStore();
    master = await startTestMaster({ store, storeRetryMs: { min: 50, max: 200 } });
    await master.recovered;
    agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { roles: ['r'] } });
  });
  afterAll(async () => {
    await scheduler?.close();
    agent?.close();
    await master?.close();
  });

  it('answers 503 instead of acknowledging, says so on /health, and holds the launch back until the state is stored', async () => {
    const offer = await scheduler.waitForOffer();
    store.failWith = 'ENOSPC';

    // The reservation is what writes (a launch alone writes nothing: the master stores no tasks); the launch rides with it.
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [reserve(offer, 'r'), launch(offer, 'held', 'sleep 1', { cpus: 1, mem: 64 })] },
    });
    const unhealthy = await health(master.url);
    const revive = await scheduler.call({ type: 'REVIVE' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const launchedWhileBroken = agent.events.some((event) => event.type === 'LAUNCH');

    expect(accepted.status).toBe(503);
    expect(accepted.body).toMatch(/ENOSPC/);
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.body).toMatchObject({ healthy: false, writable: false });
    expect(unhealthy.body.message).toMatch(/ENOSPC/);
    expect(revive.status).toBe(503);
    expect(launchedWhileBroken).toBe(false);

    store.failWith = null;
    await eventually(async () => (await health(master.url)).status === 200, 'the master to serve writes again', 10_000);
    const launched = await eventually(
      () => agent.events.find((event) => event.type === 'LAUNCH' && event.launch.task_id === 'held'),
      'the held launch to reach the agent',
      10_000,
    );
    const stored = JSON.parse((await store.inner.get('resources.agent-1'))!.value) as Json;

    expect(launched.launch.task_id).toBe('held');
    expect(stored.total.reserved.map((part: Json) => part.reservations[0].role)).toEqual(['r']);
    expect((await scheduler.call({ type: 'REVIVE' })).status).toBe(202);
  });

  it('leaves no framework behind when its SUBSCRIBE could not be stored', async () => {
    store.failWith = 'EIO';
    const refused = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { name: 'lost', roles: ['r'] } }).then(
      () => 'subscribed',
      (error: Error) => error.message,
    );
    store.failWith = null;
    await eventually(async () => (await health(master.url)).status === 200, 'the master to serve writes again', 10_000);
    const frameworks = await eventually(async () => {
      const answer = await operator(master.url, { type: 'GET_FRAMEWORKS' });
      const names = (answer.body.get_frameworks.frameworks as Json[]).map((framework) => framework.framework_info.name);
      return names.includes('lost') ? null : names;
    }, 'the unacknowledged framework to be torn down');

    expect(refused).toMatch(/SUBSCRIBE answered 503/);
    expect(frameworks).toEqual(['test-framework']);
  });
});

const TMPFS_SKIP_REASON = (() => {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a small tmpfs';
  const probe = mkdtempSync(join(tmpdir(), 'allot-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return null;
  } catch (error) {
    return `mount -t tmpfs failed (${(error as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();
if (TMPFS_SKIP_REASON) console.warn(`[durable state on a real full disk] SKIPPED: ${TMPFS_SKIP_REASON}`);

describe.skipIf(TMPFS_SKIP_REASON !== null)('a master on a real, full tmpfs', () => {
  let mountPoint: string;

  beforeAll(() => {
    mountPoint = mkdtempSync(join(tmpdir(), 'allot-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
  });
  afterAll(() => {
    if (!mountPoint) return;
    execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('never acknowledges a change it could not store, and restarts from the last complete state', async () => {
    const workDir = join(mountPoint, 'master');
    const reservedOnDisk = async () =>
      JSON.parse((await new FileStore(join(workDir, 'state')).get('resources.agent-1'))!.value).total.reserved as Json[];
    const filler = join(mountPoint, 'filler');
    let master = await startTestMaster({ store: 'file', workDir, storeRetryMs: { min: 50, max: 200 } });
    await master.recovered;
    const agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { roles: ['r'], failover_timeout: 3600 } });
    try {
      const offer = await scheduler.waitForOffer();
      const { bavail, bsize } = statfsSync(mountPoint);
      writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 8192)));
      // A reservation with 32 KB of labels: its record cannot fit in the 8 KB left (a launch alone writes nothing).
      const labels = Array.from({ length: 8 }, (_, index) => ({ key: `pad${index}`, value: 'p'.repeat(4000) }));

      const accepted = await scheduler.call({
        type: 'ACCEPT',
        accept: { offer_ids: [offer.id], operations: [reserve(offer, 'r', labels), launch(offer, 'big', 'sleep 1', { cpus: 1, mem: 64 })] },
      });
      const whileFull = await health(master.url);

      expect(accepted.status).toBe(503);
      expect(whileFull.status).toBe(503);
      expect(await reservedOnDisk()).toEqual([]);
      expect(agent.events.some((event) => event.type === 'LAUNCH')).toBe(false);

      rmSync(filler);
      await eventually(async () => (await health(master.url)).status === 200, 'the master to serve writes again', 10_000);
      await eventually(() => agent.events.find((event) => event.type === 'LAUNCH'), 'the launch after the disk has room');
      await scheduler.close();
      agent.close();
      await master.close();

      master = await startTestMaster({ store: 'file', workDir });
      await master.recovered;
      const agents = await operator(master.url, { type: 'GET_AGENTS' });
      const recovered = agents.body.get_agents.recovered_agents[0].resources as Json[];
      expect(recovered.find((resource) => resource.reservations?.[0]?.labels)?.reservations[0].labels.labels).toHaveLength(8);
    } finally {
      await scheduler.close();
      agent.close();
      await master.close();
      rmSync(filler, { force: true });
    }
  });
});
