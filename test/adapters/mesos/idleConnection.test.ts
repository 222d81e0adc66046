/**
 * Issue 13, point 2: a scheduler that is quiet for 120 s makes its next call
 * on the same keep-alive connection, and it succeeds. (Fastify's default
 * closed idle connections after 72 s; a client then lost the call on a
 * broken pipe.) The master keeps idle connections for an hour
 * (KEEP_ALIVE_IDLE_MS in connectionGuard.ts, which also times out half-sent
 * requests within seconds); this test waits the 120 s the issue names, which
 * is mostly sleep, not CPU.
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConnectionLimits, KEEP_ALIVE_IDLE_MS } from '../../../adapters/src/master/connectionGuard.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startTestMaster } from '../master/inProcess.js';
import { SchedulerClient } from '../master/schedulerClient.js';

const IDLE_MS = 120_000;

function call(agent: Agent, url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', ...headers } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('idle keep-alive connections', () => {
  let master: RunningMaster;
  let scheduler: SchedulerClient;

  beforeAll(async () => {
    master = await startTestMaster();
    await master.recovered;
    scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { failover_timeout: 600 } });
  });

  afterAll(async () => {
    await scheduler?.close();
    await master?.close();
  });

  it(
    `stay open for a call after ${IDLE_MS / 1000} s of silence`,
    async () => {
      expect(KEEP_ALIVE_IDLE_MS).toBeGreaterThan(IDLE_MS);
      expect(defaultConnectionLimits().idleTimeoutMs).toBe(KEEP_ALIVE_IDLE_MS);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const headers = { 'Mesos-Stream-Id': scheduler.streamId };
      const revive = { type: 'REVIVE', framework_id: { value: scheduler.frameworkId } };
      const first = await call(agent, `${master.url}/api/v1/scheduler`, headers, revive);
      expect(first).toEqual({ status: 202, reused: false });
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const second = await call(agent, `${master.url}/api/v1/scheduler`, headers, revive);
      expect(second).toEqual({ status: 202, reused: true });
      agent.destroy();
    },
    IDLE_MS + 60_000,
  );
});
