/**
 * What a framework can make the master keep (issue 10, point 5): only the
 * known fields of its FrameworkInfo, each string and list bounded (names,
 * labels, environment, the whole launch data of a task), a bounded number
 * of frameworks per principal, and a bounded number of disconnected
 * frameworks waiting for their failover timeout. These agree with the
 * bounded history of completed frameworks the classic endpoints show
 * (issue 13): a framework torn down by a cap is listed as completed, and
 * completed frameworks do not count against their principal's cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { eventually, operator } from './daemons.js';
import { FaultyStore } from './faultyStore.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import { launch, SchedulerClient } from './schedulerClient.js';

type Json = Record<string, any>;

async function subscribeStatus(url: string, info: Json): Promise<{ status: number; text: string }> {
  const abort = new AbortController();
  const response = await fetch(`${url}/api/v1/scheduler`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n', roles: ['r'], ...info } } }),
    signal: abort.signal,
  });
  const text = response.status === 200 ? '' : await response.text();
  abort.abort();
  return { status: response.status, text };
}

describe('what a framework can make the master keep', () => {
  let store: FaultyStore;
  let master: RunningMaster;
  let agent: FakeAgent;
  const clients: SchedulerClient[] = [];

  beforeAll(async () => {
    store = new FaultyStore();
    master = await startTestMaster({
      store,
      limits: { frameworksPerPrincipal: 4, disconnectedFrameworks: 2 },
      history: { maxCompletedFrameworks: 3 },
    });
    await master.recovered;
    agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    agent?.close();
    await master?.close();
  });

  it('stores only the known fields of framework_info, at any depth', async () => {
    const client = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: {
        name: 'known',
        principal: 'p1',
        unknown_blob: 'x'.repeat(1_000_000),
        labels: { labels: [{ key: 'k', value: 'v', extra: 'y'.repeat(100_000) }], more: 'z' },
        capabilities: [{ type: 'MULTI_ROLE', hidden: 'w'.repeat(1000) }],
      },
    });
    clients.push(client);
    const stored = (await store.inner.get(`framework.${client.frameworkId}`))!.value;
    const frameworks = await operator(master.url, { type: 'GET_FRAMEWORKS' });
    const info = frameworks.body.get_frameworks.frameworks[0].framework_info as Json;

    expect(stored.length).toBeLessThan(50_000);
    expect(stored).not.toContain('xxxxxxxx');
    expect(info.unknown_blob).toBeUndefined();
    expect(info.labels).toEqual({ labels: [{ key: 'k', value: 'v' }] });
    expect(info.capabilities).toEqual([{ type: 'MULTI_ROLE' }]);
    expect(info.principal).toBe('p1');
  });

  it.each([
    ['a name over 1024 characters', { name: 'n'.repeat(1025) }, /subscribe\.framework_info\.name: must NOT have more than 1024 characters/],
    [
      'more than 64 labels',
      { labels: { labels: Array.from({ length: 65 }, (_, index) => ({ key: `k${index}` })) } },
      /subscribe\.framework_info\.labels\.labels: must NOT have more than 64 items/,
    ],
    ['a label value over 4096 characters', { labels: { labels: [{ key: 'k', value: 'v'.repeat(4097) }] } }, /labels\[0\]\.value/],
  ])('refuses a framework_info with %s, naming the field', async (_what, info, message) => {
    const answer = await subscribeStatus(master.url, info);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(message);
  });

  it('bounds what a task keeps: environment entries and the whole launch data', async () => {
    const client = clients[0]; // it holds the agent's offer
    const offer = await client.waitForOffer();
    const withEnv = (variables: Json[]) =>
      client.call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer.id],
          operations: [launch(offer, 't', 'true', { cpus: 1, mem: 64 }, { command: { value: 'true', environment: { variables } } })],
        },
      });

    const tooMany = await withEnv(Array.from({ length: 257 }, (_, index) => ({ name: `V${index}`, value: 'x' })));
    const tooBig = await withEnv(Array.from({ length: 4 }, (_, index) => ({ name: `V${index}`, value: 'x'.repeat(30_000) })));

    expect(tooMany).toEqual({
      status: 400,
      body: 'accept.operations[0].launch.task_infos[0].command.environment.variables: must NOT have more than 256 items',
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatch(
      /^accept\.operations\[0\]\.launch\.task_infos\[0\]: the command, environment, health check and executor take \d+ bytes; at most 65536$/,
    );
  });

  it('bounds the frameworks of one principal (re-subscribing stays possible)', async () => {
    const mine: SchedulerClient[] = [];
    for (let index = 0; index < 4; index++)
      mine.push(
        await SchedulerClient.subscribe({
          masterUrl: master.url,
          frameworkInfo: { name: `q${index}`, principal: 'p3', failover_timeout: 60 },
        }),
      );
    clients.push(...mine);
    const fifth = await subscribeStatus(master.url, { name: 'q4', principal: 'p3' });
    const other = await subscribeStatus(master.url, { name: 'o', principal: 'p4' });
    const again = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { id: { value: mine[0].frameworkId }, name: 'q0', principal: 'p3', failover_timeout: 60 },
    });
    clients.push(again);

    expect(fifth.status).toBe(429);
    expect(fifth.text).toBe('principal "p3" already has 4 frameworks, the most this master keeps per principal');
    expect(other.status).toBe(200);
    expect(again.frameworkId).toBe(mine[0].frameworkId);
  });

  it('keeps at most 2 disconnected frameworks, tearing the longest-disconnected down first', async () => {
    const waiting: SchedulerClient[] = [];
    for (let index = 0; index < 3; index++)
      waiting.push(
        await SchedulerClient.subscribe({
          masterUrl: master.url,
          frameworkInfo: { name: `d${index}`, principal: 'p5', failover_timeout: 3600 },
        }),
      );
    for (const client of waiting) {
      await client.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const names = await eventually(async () => {
      const answer = await operator(master.url, { type: 'GET_FRAMEWORKS' });
      const left = (answer.body.get_frameworks.frameworks as Json[])
        .map((framework) => framework.framework_info.name)
        .filter((name) => /^d\d$/.test(name));
      return left.length === 2 ? left.sort() : null;
    }, 'the oldest disconnected framework to be torn down');

    expect(names).toEqual(['d1', 'd2']);
    const completed = (await operator(master.url, { type: 'GET_FRAMEWORKS' })).body.get_frameworks.completed_frameworks as Json[];
    expect(completed.map((framework) => framework.framework_info.name)).toContain('d0');
  });

  it('counts only live frameworks against a principal, and keeps the last completed ones as history', async () => {
    const subscribe = (name: string) => SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { name, principal: 'p6' } });
    const first: SchedulerClient[] = [];
    for (const name of ['h0', 'h1', 'h2', 'h3']) first.push(await subscribe(name));
    clients.push(...first);
    for (const client of first.slice(0, 2)) expect((await client.call({ type: 'TEARDOWN' })).status).toBe(202);
    const more = [await subscribe('h4'), await subscribe('h5')];
    clients.push(...more);
    for (const client of first.slice(2)) expect((await client.call({ type: 'TEARDOWN' })).status).toBe(202);

    const classic = (await (await fetch(`${master.url}/master/frameworks`)).json()) as Json;
    const completed = (classic.completed_frameworks as Json[]).map((framework) => framework.name as string);
    const live = (classic.frameworks as Json[]).map((framework) => framework.name as string);
    expect(completed).toHaveLength(3);
    expect(completed).toEqual(expect.arrayContaining(['h1', 'h2', 'h3']));
    expect(live).toEqual(expect.arrayContaining(['h4', 'h5']));
    expect(live).not.toContain('h0');
  });
});

describe('a new leader and the disconnected cap', () => {
  it('keeps every framework it recovered from the store, however many, until each one’s failover timeout', async () => {
    const store = new FaultyStore();
    const limits = { frameworksPerPrincipal: 10, disconnectedFrameworks: 2 };
    const first = await startTestMaster({ store, limits });
    await first.recovered;
    const subscribed: SchedulerClient[] = [];
    for (let index = 0; index < 5; index++)
      subscribed.push(
        await SchedulerClient.subscribe({ masterUrl: first.url, frameworkInfo: { name: `k${index}`, failover_timeout: 3600 } }),
      );
    await first.close();
    for (const client of subscribed) await client.close();

    const second = await startTestMaster({ store, limits });
    try {
      await second.recovered;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const answer = (await operator(second.url, { type: 'GET_FRAMEWORKS' })).body.get_frameworks;
      const kept = (answer.frameworks as Json[]).map((framework) => framework.framework_info.id.value).sort();
      expect(kept).toEqual(subscribed.map((client) => client.frameworkId).sort());
      expect(answer.completed_frameworks).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
