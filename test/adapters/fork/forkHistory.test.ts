/**
 * A fork's frameworks learn from the live history: a real master and agent,
 * a framework whose tasks run about 2 s (`sleep 2`) and that declines offers
 * with a 30 s filter. `GET /fork/history` reports those figures; `allot fork`
 * gives the forked framework that median task duration and that filter, and
 * the task still running live ends in the forked simulation after at most
 * that duration (it keeps running forever without the history).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkScenario } from '../../../kernel/src/sim/fork/forkScenario.js';
import { allotCli } from '../allotCli.js';
import { operator } from '../master/daemons.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';
import type { LiveCluster } from './liveCluster.js';
import { startLiveCluster } from './liveCluster.js';

type Json = Record<string, any>;

let workDir: string;
let cluster: LiveCluster;
let scheduler: SchedulerClient;
const answered = new Set<string>();

/** Every offer not answered yet, once there is at least one. */
async function openOffers(): Promise<Json[]> {
  await scheduler.waitFor(
    (event) => event.type === 'OFFERS' && event.offers.offers.some((offer: Json) => !answered.has(offer.id.value)),
    'an offer not answered yet',
    30_000,
  );
  const offers = scheduler.events
    .filter((event) => event.type === 'OFFERS')
    .flatMap((event) => event.offers.offers as Json[])
    .filter((offer) => !answered.has(offer.id.value));
  for (const offer of offers) answered.add(offer.id.value);
  return offers;
}

async function history(): Promise<Json> {
  const response = await fetch(`${cluster.master.url}/fork/history`);
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'allot-fork-history-'));
  cluster = await startLiveCluster([{ resources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31100]' }]);
  scheduler = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'jobs', roles: ['jobs'] } });
  const [first] = await openOffers();
  await scheduler.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [first.id],
      operations: [
        launch(first, 'short-1', 'sleep 2', { cpus: 0.1, mem: 32 }),
        launch(first, 'short-2', 'sleep 2', { cpus: 0.1, mem: 32 }),
      ],
      filters: { refuse_seconds: 0 },
    },
  });
  await scheduler.waitForState('short-1', 'TASK_FINISHED', 30_000);
  await scheduler.waitForState('short-2', 'TASK_FINISHED', 30_000);
  // Two declines with a 30 s filter; REVIVE clears the filter so that the next offer comes.
  for (let round = 0; round < 2; round++) {
    const offers = await openOffers();
    await scheduler.call({ type: 'DECLINE', decline: { offer_ids: offers.map((offer) => offer.id), filters: { refuse_seconds: 30 } } });
    await scheduler.call({ type: 'REVIVE', revive: {} });
  }
  const [next] = await openOffers();
  await scheduler.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [next.id],
      operations: [launch(next, 'long-1', 'sleep 600', { cpus: 0.1, mem: 32 })],
      filters: { refuse_seconds: 0 },
    },
  });
  await scheduler.waitForState('long-1', 'TASK_RUNNING', 30_000);
}, 150_000);

afterAll(async () => {
  await scheduler?.close();
  await cluster?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 60_000);

describe('a fork learns task durations and declines from the live history', () => {
  it('GET /fork/history reports the tasks that ran about 2 s and the declines with a 30 s filter', async () => {
    const answer = await history();
    const entry = (answer.frameworks as Json[]).find((framework) => framework.framework_id === scheduler.frameworkId)!;
    expect(entry.tasks_finished).toBe(2);
    expect(entry.task_duration_ms.samples).toBe(2);
    // `sleep 2`, measured from the TASK_RUNNING update the master stepped (it can come a little after the start) to
    // TASK_FINISHED. The upper bound only rules out a wrong unit: a busy machine may deliver the updates late.
    const { median } = entry.task_duration_ms;
    expect(median).toBeGreaterThanOrEqual(1000);
    expect(median).toBeLessThan(120_000);
    expect(entry.declines).toBeGreaterThanOrEqual(2);
    expect(entry.refuse_seconds.median).toBe(30);
    expect(Object.keys(entry.running_since_ms)).toEqual(['long-1']);
    const longStartedAt = entry.running_since_ms['long-1'];
    expect(longStartedAt).toBeLessThanOrEqual(answer.now_ms);
  });

  it('allot fork gives the forked framework those figures; the running task ends after about that duration', async () => {
    const forkPath = join(workDir, 'fork.json');
    const run = await allotCli('fork', '--master', cluster.master.url, '--out', forkPath, '--duration', '60000');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/2 task\(s\) finished live, median \d+ ms .*; \d+ decline\(s\), median filter 30 s/);
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    const median = (await history()).frameworks.find((framework: Json) => framework.framework_id === scheduler.frameworkId).task_duration_ms
      .median as number;
    const [framework] = scenario.frameworks as Json[];
    expect(framework).toMatchObject({ id: scheduler.frameworkId, refuseSeconds: 30, tasks: { durationMs: Math.round(median) } });
    const long = scenario.agents[0].tasks.find((task: Json) => task.id === 'long-1');
    // The running task has already run part of the median: what is left of it.
    const leftToRun = long.durationMs;
    expect(leftToRun).toBeGreaterThan(0);
    expect(leftToRun).toBeLessThanOrEqual(Math.round(median));

    const at = async (untilMs: number) => {
      const simulated = await allotCli('simulate', forkPath, '--until', String(untilMs), '--json');
      expect(simulated.code).toBe(0);
      return (JSON.parse(simulated.stdout) as Json).frameworks[0].tasks as Record<string, number>;
    };
    expect(await at(0)).toEqual({ TASK_RUNNING: 1 });
    if (long.durationMs > 1500) expect(await at(long.durationMs - 1000)).toEqual({ TASK_RUNNING: 1 });
    expect(await at(long.durationMs + 2000)).toEqual({ TASK_FINISHED: 1 });
  }, 90_000);

  it('without the history the fork keeps tasks running and says so', async () => {
    const state = (await operator(cluster.master.url, { type: 'GET_STATE' })).body.get_state;
    const roles = (await operator(cluster.master.url, { type: 'GET_ROLES' })).body.get_roles;
    const { scenario, notes, observed } = forkScenario({ state, roles, masterUrl: cluster.master.url });
    expect(observed).toEqual([]);
    expect(scenario.agents?.[0].tasks?.[0].durationMs).toBeNull();
    expect(notes.join('\n')).toMatch(/running tasks run until killed in the fork \(no history from the master\)/);
  });
});
