/**
 * GET /explain, GET /explain/matrix and `allot explain` on a real master with
 * three real agents and three frameworks: A declined two agents with a long
 * filter and holds an offer of the third; B (role q, quota limit 1 cpu) runs
 * a 1-cpu task and declines the rest; C suppressed its offers. Each pair gets
 * the right reasons, with the figures, and the 3 × 3 matrix is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, operator } from '../master/daemons.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';
import { allotCli } from '../allotCli.js';
import type { LiveCluster } from '../fork/liveCluster.js';
import { startLiveCluster } from '../fork/liveCluster.js';

type Json = Record<string, any>;

const LONG_FILTER = { refuse_seconds: 3600 };
let cluster: LiveCluster;
let url: string;
const schedulers: SchedulerClient[] = [];
let a: SchedulerClient;
let b: SchedulerClient;
let c: SchedulerClient;
/** busy: runs B's task; held: offered to A; other: the third. */
let agents: { busy: string; held: string; other: string };

/** Every offer (seen now or later) not in `keep` is declined with a long filter. */
function declineOffers(client: SchedulerClient, keep: (offer: Json) => boolean = () => false): void {
  let seen = 0;
  const timer = setInterval(() => {
    const fresh = client.events.slice(seen);
    seen = client.events.length;
    const ids = fresh
      .filter((event) => event.type === 'OFFERS')
      .flatMap((event) => event.offers.offers as Json[])
      .filter((offer) => !keep(offer))
      .map((offer) => offer.id);
    if (ids.length) void client.call({ type: 'DECLINE', decline: { offer_ids: ids, filters: LONG_FILTER } }).catch(() => undefined);
  }, 50);
  timer.unref();
}

async function offersOfEveryAgent(client: SchedulerClient): Promise<Map<string, Json>> {
  return eventually(() => {
    const byAgent = new Map<string, Json>();
    for (const event of client.events)
      if (event.type === 'OFFERS') for (const offer of event.offers.offers as Json[]) byAgent.set(offer.agent_id.value, offer);
    return byAgent.size === 3 ? byAgent : null;
  }, 'offers of all three agents');
}

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`);
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

beforeAll(async () => {
  const resources = 'cpus:2;mem:1024;disk:1024;ports:[31000-31100]';
  cluster = await startLiveCluster([{ resources }, { resources }, { resources }]);
  url = cluster.master.url;
  const quota = await operator(url, {
    type: 'UPDATE_QUOTA',
    update_quota: { quota_configs: [{ role: 'q', limits: { cpus: { value: 1 } } }] },
  });
  expect(quota.status).toBe(200);

  b = await SchedulerClient.subscribe({ masterUrl: url, frameworkInfo: { name: 'B', roles: ['q'] } });
  schedulers.push(b);
  const offersOfB = await offersOfEveryAgent(b);
  const [busy, first] = [...offersOfB][0];
  await b.call({
    type: 'ACCEPT',
    accept: { offer_ids: [first.id], operations: [launch(first, 'b-1', 'sleep 600', { cpus: 1, mem: 64 })] },
  });
  declineOffers(b, (offer) => offer.id.value === first.id.value);
  await b.waitForState('b-1', 'TASK_RUNNING', 30_000);

  a = await SchedulerClient.subscribe({ masterUrl: url, frameworkInfo: { name: 'A', roles: ['a'] } });
  schedulers.push(a);
  const offersOfA = await offersOfEveryAgent(a);
  const held = [...offersOfA.keys()].find((agentId) => agentId !== busy)!;
  const other = [...offersOfA.keys()].find((agentId) => agentId !== busy && agentId !== held)!;
  agents = { busy, held, other };
  declineOffers(a, (offer) => offer.agent_id.value === held);

  c = await SchedulerClient.subscribe({ masterUrl: url, frameworkInfo: { name: 'C', roles: ['c'] } });
  schedulers.push(c);
  expect((await c.call({ type: 'SUPPRESS', suppress: {} })).status).toBe(202);
  declineOffers(c);
}, 180_000);

afterAll(async () => {
  for (const scheduler of schedulers) await scheduler.close();
  await cluster?.close();
}, 60_000);

function outcomes(matrix: Json): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const cell of matrix.cells as Json[]) (out[cell.framework_id] ??= {})[cell.agent_id] = cell.outcome;
  return out;
}

describe('GET /explain/matrix', () => {
  it('is exact for 3 frameworks × 3 agents', async () => {
    const expected = {
      [a.frameworkId]: { [agents.busy]: 'FILTERED', [agents.other]: 'FILTERED', [agents.held]: 'OFFERED' },
      [b.frameworkId]: { [agents.busy]: 'QUOTA_LIMIT', [agents.other]: 'QUOTA_LIMIT', [agents.held]: 'AGENT_FULLY_USED' },
      [c.frameworkId]: { [agents.busy]: 'SUPPRESSED', [agents.other]: 'SUPPRESSED', [agents.held]: 'SUPPRESSED' },
    };
    let last: Json = {};
    await eventually(
      async () => {
        last = (await getJson('/explain/matrix')).body;
        return canonical(outcomes(last)) === canonical(expected) ? last : null;
      },
      'the expected matrix',
      30_000,
    ).catch(() => undefined);
    expect(outcomes(last)).toEqual(expected);
    expect(last.summary[a.frameworkId]).toEqual({ FILTERED: 2, OFFERED: 1 });
    expect(last.agents).toEqual([agents.busy, agents.held, agents.other].sort());
    const summaryOnly = (await getJson('/explain/matrix?view=summary')).body;
    expect(summaryOnly.cells).toEqual([]);
    expect(summaryOnly.summary).toEqual(last.summary);
    expect((await getJson('/explain/matrix?view=all')).status).toBe(400);
    const row = (await getJson(`/explain/matrix?framework_id=${c.frameworkId}`)).body;
    expect(row.frameworks).toEqual([c.frameworkId]);
    expect(row.cells).toHaveLength(3);
  }, 60_000);
});

function canonical(table: Record<string, Record<string, string>>): string {
  return JSON.stringify(
    Object.entries(table)
      .flatMap(([frameworkId, row]) => Object.entries(row).map(([agentId, outcome]) => `${frameworkId} ${agentId} ${outcome}`))
      .sort(),
  );
}

describe('GET /explain', () => {
  it('says a framework declined an agent with a filter, and until when', async () => {
    const { status, body } = await getJson(`/explain?framework_id=${a.frameworkId}&agent_id=${agents.other}`);
    expect(status).toBe(200);
    expect(body.outcome).toBe('FILTERED');
    const filtered = (body.reasons as Json[]).find((reason) => reason.code === 'FILTERED')!;
    expect(filtered.filtered_until_ms).toBeGreaterThan(body.now_ms + 3_000_000);
    expect(filtered.message).toMatch(/declined these resources; its filter holds until \d+ ms/);
  });

  it('says a role is at its quota limit, with the figures, and every other reason', async () => {
    const { body } = await getJson(`/explain?framework_id=${b.frameworkId}&agent_id=${agents.other}`);
    expect(body.reasons[0]).toMatchObject({ code: 'QUOTA_LIMIT', role: 'q', quota: [{ resource: 'cpus', limit: 1, consumed: 1 }] });
    expect(body.reasons[0].message).toMatch(/role q is at its quota limit: cpus 1 of 1/);
    const held = (await getJson(`/explain?framework_id=${b.frameworkId}&agent_id=${agents.held}`)).body;
    expect(held.reasons.map((reason: Json) => reason.code)).toEqual(expect.arrayContaining(['AGENT_FULLY_USED', 'QUOTA_LIMIT']));
    const suppressed = (await getJson(`/explain?framework_id=${c.frameworkId}&agent_id=${agents.busy}`)).body;
    expect(suppressed.reasons[0]).toMatchObject({ code: 'SUPPRESSED' });
  });

  it('answers for an earlier moment from the cycles the log still holds', async () => {
    const before = (await getJson(`/explain?framework_id=${a.frameworkId}&agent_id=${agents.other}&at_ms=0`)).body;
    expect(before).toMatchObject({ at_ms: 0, outcome: 'NO_RECORD' });
    expect(before.reasons[0].message).toMatch(/no recorded allocation cycle looked at/);
  });

  it('refuses bad queries with 400 naming the parameter', async () => {
    expect(await getJson(`/explain?framework_id=${a.frameworkId}`)).toEqual({ status: 400, body: 'agent_id: required (an id)' });
    const at = await getJson(`/explain?framework_id=x&agent_id=y&at_ms=soon`);
    expect(at.status).toBe(400);
    expect(at.body).toMatch(/^at_ms: expected a whole number of milliseconds/);
    const unknown = (await getJson('/explain?framework_id=nobody&agent_id=nowhere')).body;
    expect(unknown.reasons.map((reason: Json) => reason.code)).toEqual(['FRAMEWORK_UNKNOWN', 'AGENT_UNKNOWN']);
  });
});

describe('allot explain', () => {
  it('prints every reason of a pair as a table', async () => {
    const run = await allotCli('explain', b.frameworkId, agents.other, '--master', url);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${b.frameworkId} on ${agents.other} at `);
    expect(run.stdout).toMatch(/QUOTA_LIMIT\s+q\s+role q is at its quota limit: cpus 1 of 1/);
    const filtered = await allotCli('explain', a.frameworkId, agents.other, '--master', url, '--json');
    expect(JSON.parse(filtered.stdout).outcome).toBe('FILTERED');
  }, 60_000);

  it("prints a framework's row of the matrix without an agent", async () => {
    const run = await allotCli('explain', a.frameworkId, '--master', url);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/agents by outcome: (FILTERED 2, OFFERED 1|OFFERED 1, FILTERED 2)/);
    expect(run.stdout).toMatch(new RegExp(`${agents.held}\\s+OFFERED`));
    const refused = await allotCli('explain', a.frameworkId, '--master', 'http://127.0.0.1:1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/127\.0\.0\.1:1 GET \/explain\/matrix/);
  }, 60_000);
});
