/**
 * A small request must not freeze the master: request handling is linear in
 * the body (a 2.8 MB `[null,1,null,1,…]` used to take over a minute in null
 * stripping, during which agents lost their heartbeats), and bodies and
 * their values have a budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeBody } from '../../../adapters/src/master/jsonBody.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { operator } from './daemons.js';
import { FaultyStore } from './faultyStore.js';
import { startTestMaster } from './inProcess.js';

function nullsAndOnes(bytes: number): string {
  return `[${'null,1,'.repeat(Math.floor(bytes / 7))}1]`;
}

describe('request handling cost', () => {
  let master: RunningMaster;

  beforeAll(async () => {
    master = await startTestMaster();
    await master.recovered;
  });
  afterAll(async () => {
    await master?.close();
  });

  it('answers a 2.8 MB [null,1,…] body with 400 and stays healthy', async () => {
    const response = await fetch(`${master.url}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: nullsAndOnes(2.8e6),
    });
    const health = await fetch(`${master.url}/health`);

    expect(response.status).toBe(400);
    expect(health.status).toBe(200);
  });

  it('strips nulls from arrays by compaction, keeping order, in work linear in the array', () => {
    // Counted, not timed: every read and write of the array goes through the proxy. Compaction
    // touches each item a bounded number of times; splicing item by item (67 s for 2.8 MB,
    // once) would move the tail on every null, n²/4 writes here.
    const items = 20_000;
    const array = JSON.parse(nullsAndOnes(items * 7)) as unknown[];
    let accesses = 0;
    const counted = new Proxy(array, {
      get: (target, key, receiver) => {
        accesses++;
        return Reflect.get(target, key, receiver);
      },
      set: (target, key, value, receiver) => {
        accesses++;
        return Reflect.set(target, key, value, receiver);
      },
    });
    const normalized = normalizeBody({ list: counted });

    expect(normalized.ok).toBe(true);
    expect(array.length).toBeGreaterThan(items / 2);
    expect(array.every((item) => item === 1)).toBe(true);
    expect(accesses).toBeLessThanOrEqual(5 * array.length * 2 + 10);
  });

  it('refuses a body with more values than the budget allows, naming the limit', () => {
    const normalized = normalizeBody(JSON.parse(`[${'[],'.repeat(1000)}[]]`), { maxDepth: 64, maxValues: 500 });
    expect(normalized).toEqual({ ok: false, message: 'body: more than 500 JSON values' });
  });
});

describe('the time budget of a call', () => {
  it('drops a call that waited in the queue past its budget, unrun, with 503', async () => {
    const store = new FaultyStore();
    const master = await startTestMaster({ store, requestBudgetMs: 300 });
    try {
      await master.recovered;
      store.delayMs = 1500;
      const subscribe = (name: string) =>
        fetch(`${master.url}/api/v1/scheduler`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name, roles: ['r'] } } }),
        });
      const slow = subscribe('first');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const late = await subscribe('second');
      const lateText = await late.text();
      const first = await slow;
      store.delayMs = 0;
      const frameworks = await operator(master.url, { type: 'GET_FRAMEWORKS' });
      void first.body?.cancel();

      expect(first.status).toBe(200);
      expect(late.status).toBe(503);
      expect(lateText).toMatch(/time budget/);
      expect(
        frameworks.body.get_frameworks.frameworks.map((framework: { framework_info: { name: string } }) => framework.framework_info.name),
      ).toEqual(['first']);
    } finally {
      await master.close();
    }
  });
});
