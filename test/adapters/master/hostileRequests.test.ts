/**
 * Nothing a client sends can crash the master or corrupt its state: 10,000
 * generated malformed or hostile requests (hostileArbitraries.ts, quadratic
 * shapes included) to the scheduler, agent and operator endpoints, eight at
 * a time over keep-alive connections, each get a 4xx (never a 5xx, never a
 * hang) with a reason in words, the test process's memory stays bounded,
 * and afterwards the master is healthy, its kernel invariants hold, and a
 * normal scheduler still subscribes, gets offers and launches. The seed is
 * fixed (HOSTILE_SEED overrides it, HOSTILE_RUNS the count).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '@allot/kernel';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import type { HostileRequest, Json } from './hostileArbitraries.js';
import { acceptBody } from './hostileArbitraries.js';
import { hostileMix } from './quadraticShapes.js';
import { launch, SchedulerClient } from './schedulerClient.js';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 10_000);
const CONCURRENCY = 8;
const SEED = Number(process.env.HOSTILE_SEED ?? 20240601);

async function send(url: string, request: HostileRequest): Promise<{ status: number; text: string }> {
  if (process.env.HOSTILE_DEBUG) console.error(`hostile: ${request.label}`);
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined && request.method !== 'GET'
      ? { body: typeof request.body === 'string' ? request.body : new Uint8Array(request.body) }
      : {}),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

describe('hostile and malformed requests', () => {
  let master: RunningMaster;
  let agent: FakeAgent;
  let scheduler: SchedulerClient;

  beforeAll(async () => {
    master = await startTestMaster();
    await master.recovered;
    agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { roles: ['legit'] } });
  }, 60_000);

  afterAll(async () => {
    await scheduler?.close();
    agent?.close();
    await master?.close();
  }, 60_000);

  it(`answers ${RUNS} generated hostile requests with a 4xx each, over keep-alive connections, ${CONCURRENCY} at a time`, async () => {
    const requests = fc.sample(hostileMix(scheduler.frameworkId, scheduler.streamId), { numRuns: RUNS, seed: SEED });
    const statuses = new Map<number, number>();
    const labels = new Set<string>();
    const failures: string[] = [];
    const slowest = new Map<string, number>();
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    const startedAt = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < requests.length && failures.length < 5) {
        const index = next++;
        const request = requests[index];
        const sentAt = performance.now();
        const answer = await send(master.url, request).catch((error: Error) => ({ status: 0, text: `${error.name}: ${error.message}` }));
        const kind = request.label.replace(/\d+/g, 'N');
        slowest.set(kind, Math.max(slowest.get(kind) ?? 0, performance.now() - sentAt));
        labels.add(request.label.replace(/\d+/g, 'N'));
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status < 400 || answer.status >= 500 || answer.text.length === 0 || /\n\s+at /.test(answer.text))
          failures.push(`#${index} ${request.label}: ${answer.status} ${answer.text.slice(0, 300)} (seed ${SEED})`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - startedAt) / 1000;
    const rssGrowthMb = process.memoryUsage().rss / 2 ** 20 - rssBeforeMb;
    if (process.env.HOSTILE_DEBUG)
      console.log(
        [...slowest]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([kind, ms]) => `${kind}: ${ms.toFixed(0)} ms`),
      );
    console.log(
      `[hostile] ${requests.length} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${labels.size} kinds; RSS +${rssGrowthMb.toFixed(0)} MB`,
    );

    expect(failures).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(10_000);
    expect(labels.size).toBeGreaterThan(40);
    expect([...statuses.keys()].every((status) => status >= 400 && status < 500)).toBe(true);
    expect(rssGrowthMb).toBeLessThan(1024);
    // A liveness bound: the requests cost about 110 s of CPU in all, which took 530 s at a load average of 25.
  }, 1_800_000);

  it('names the field at fault', async () => {
    const bad = await scheduler.call(acceptBody(scheduler.frameworkId, [{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 } }]));
    const missing = await scheduler.call({ type: 'KILL', kill: {} });

    expect(bad.status).toBe(400);
    expect(bad.body).toBe('accept.operations[0].launch.task_infos[0].resources[0].scalar.value: must be a finite number >= 0');
    expect(missing).toEqual({ status: 400, body: 'kill.task_id: is required' });
  });

  it("refuses resources whose allocation_info names another role than their offer's", async () => {
    const offer = await scheduler.freshOffer(undefined, undefined, { cpus: 1, mem: 64 });
    const operation = launch(offer, 'elsewhere', 'true', { cpus: 1, mem: 64 });
    for (const resource of operation.launch.task_infos[0].resources) resource.allocation_info = { role: 'other' };

    const refused = await scheduler.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [operation] } });

    expect(refused).toEqual({
      status: 400,
      body: 'accept.operations[0].launch.task_infos[0].resources[0].allocation_info.role: "other" is not the role of the offers (legit)',
    });
  });

  it('stays healthy and consistent, and a normal scheduler still works', async () => {
    const health = await fetch(`${master.url}/health`);
    const violations = checkInvariants(master.host.master);
    // Hand back whatever is still offered (some hostile ACCEPTs named real offer ids), then expect a fresh offer.
    const from = scheduler.events.length;
    const offerIds = scheduler.events
      .filter((event) => event.type === 'OFFERS')
      .flatMap((event) => event.offers.offers.map((offer: Json) => offer.id));
    await scheduler.call({ type: 'DECLINE', decline: { offer_ids: offerIds, filters: { refuse_seconds: 0 } } });
    const offer = await scheduler.waitForOffer('an offer after the storm', 20_000, from);
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [launch(offer, 'after-storm', 'true', { cpus: 1, mem: 64 })] },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(health.status).toBe(200);
    expect(violations).toEqual([]);
    expect(accepted.status).toBe(202);
    expect(agent.events.some((event) => event.type === 'LAUNCH' && event.launch.task_id === 'after-storm')).toBe(true);
    expect(({} as Json).polluted).toBeUndefined();
  });
});
