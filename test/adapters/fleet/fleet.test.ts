/**
 * `allot fleet` against a real master over HTTP: agents register with their
 * resources and attributes, run launched tasks as timers (RUNNING, then
 * FINISHED), deliver each status update until it is acknowledged and forget
 * a task once its terminal update is; after a master restart on the same
 * work dir they re-register with their tasks, which the master then knows
 * again; a refusal that retrying cannot fix stops the agent and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../../../adapters/src/fleet/fleet.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startTestMaster } from '../master/inProcess.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';
import { waitUntil } from '../ha/waitUntil.js';

type Json = Record<string, any>;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

function createFleet(masterUrl: string, agents: number, extra: Partial<Parameters<typeof Fleet.create>[0]> = {}): Fleet {
  const created = Fleet.create({
    masterUrl,
    agents,
    idPrefix: 'f',
    resources: 'cpus:2;mem:2048;disk:1000;ports:[31000-31099]',
    attributes: 'rack:r1',
    ...extra,
  });
  if (!created.ok) throw new Error(created.message);
  cleanups.push(() => created.fleet.stop());
  return created.fleet;
}

async function operator(master: RunningMaster, call: Json): Promise<Json> {
  const response = await fetch(`${master.url}/api/v1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(call),
  });
  return (await response.json()) as Json;
}

/** Launches one small task on each of `count` offers (one per agent). */
async function launchOnOffers(scheduler: SchedulerClient, count: number, prefix: string): Promise<string[]> {
  const launched: string[] = [];
  const used = new Set<string>();
  while (launched.length < count) {
    const event = await scheduler.waitFor(
      (candidate) => candidate.type === 'OFFERS' && candidate.offers.offers.some((offer: Json) => !used.has(offer.id.value)),
      'offers',
    );
    for (const offer of event.offers.offers as Json[]) {
      if (used.has(offer.id.value) || launched.length >= count) continue;
      used.add(offer.id.value);
      const taskId = `${prefix}-${launched.length}`;
      launched.push(taskId);
      await scheduler.call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer.id],
          operations: [launch(offer, taskId, 'sleep 1', { cpus: 0.5, mem: 64 })],
          filters: { refuse_seconds: 0 },
        },
      });
    }
  }
  return launched;
}

describe('allot fleet', () => {
  it('registers every agent, runs tasks as timers with reliable updates, and forgets acknowledged ended tasks', async () => {
    const master = await startTestMaster();
    cleanups.push(() => master.close());
    await master.recovered;
    const fleet = createFleet(master.url, 20, { taskDurationMs: 300 });
    fleet.start();
    await fleet.whenSubscribed(20, 30_000);

    const agents = (await operator(master, { type: 'GET_AGENTS' })).get_agents.agents as Json[];
    expect(agents.map((agent) => agent.agent_info.id.value).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `f-${i}`).sort());
    expect(agents[0].agent_info.attributes).toEqual([{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }]);

    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url });
    cleanups.push(() => scheduler.close());
    const tasks = await launchOnOffers(scheduler, 10, 'timer');
    for (const taskId of tasks) await scheduler.waitForState(taskId, 'TASK_FINISHED', 20_000);
    for (const taskId of tasks) expect(scheduler.states(taskId)).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    // Every update was acknowledged: nothing in flight, every ended task forgotten.
    await waitUntil(() => fleet.stats().pendingUpdates === 0 && fleet.stats().liveTasks === 0, 'the fleet to settle', 10_000);
    const stats = fleet.stats();
    expect(stats.counters).toMatchObject({ subscriptions: 20, launches: 10, acknowledgements: 20 });
    expect(stats.phases).toEqual({ waiting: 0, connecting: 0, subscribed: 20, stopped: 0 });
  });

  it('re-registers with its tasks after a master restart, and the new master knows them again', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'allot-fleet-'));
    cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));
    let master = await startTestMaster({ store: 'file', workDir });
    await master.recovered;
    const port = master.port;
    const fleet = createFleet(master.url, 5);
    fleet.start();
    await fleet.whenSubscribed(5, 30_000);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { failover_timeout: 3600 } });
    const tasks = await launchOnOffers(scheduler, 5, 'long');
    for (const taskId of tasks) await scheduler.waitForState(taskId, 'TASK_RUNNING', 20_000);
    await scheduler.close();
    await master.close();

    master = await startTestMaster({ store: 'file', workDir, port });
    cleanups.push(() => master.close());
    await master.recovered;
    await waitUntil(
      () => fleet.stats().counters.resubscriptions >= 5 && fleet.stats().phases.subscribed === 5,
      'the agents to come back',
      30_000,
    );
    const known = (await operator(master, { type: 'GET_TASKS' })).get_tasks.tasks as Json[];
    expect(
      known
        .filter((task) => task.state === 'TASK_RUNNING')
        .map((task) => task.task_id.value)
        .sort(),
    ).toEqual([...tasks].sort());
    expect(fleet.stats().liveTasks).toBe(5);
  });

  it('stops an agent the master refuses for good, with the reason', async () => {
    const master = await startTestMaster({ agentSecret: 'the-right-secret' });
    cleanups.push(() => master.close());
    await master.recovered;
    const fleet = createFleet(master.url, 2, { secret: 'a-wrong-secret' });
    fleet.start();
    await waitUntil(() => fleet.stats().phases.stopped === 2, 'both agents to stop', 20_000);
    expect([...fleet.stopReasons.values()][0]).toMatch(/refused this agent \(401\)/);
  });

  it('refuses bad options with the flag named', () => {
    expect(Fleet.create({ masterUrl: 'http://127.0.0.1:1', agents: 0 })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^--agents/),
    });
    expect(Fleet.create({ masterUrl: 'ftp://x', agents: 1 })).toMatchObject({ ok: false, message: expect.stringMatching(/^--master/) });
    expect(Fleet.create({ masterUrl: 'http://127.0.0.1:1', agents: 1, resources: 'cpus:x' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^--resources/),
    });
  });
});
