/**
 * The master's connection rules, in process with short timeouts: a
 * connection that sends nothing, or half a request, is closed once its
 * deadline passes; one idle between complete requests (a Mesos client's call
 * connection) and a subscription's event stream are kept; and connections
 * beyond the per-client cap are closed at once without touching others.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConnectionLimits } from '../../../adapters/src/master/connectionGuard.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startTestMaster } from './inProcess.js';
import { SchedulerClient } from './schedulerClient.js';

function open(url: string, localAddress: string, data: string | null): { socket: Socket; closedAfterMs: Promise<number> } {
  const startedAt = Date.now();
  const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port), localAddress });
  socket.on('error', () => undefined);
  socket.resume();
  if (data !== null) socket.once('connect', () => socket.write(data));
  return { socket, closedAfterMs: new Promise((resolve) => socket.once('close', () => resolve(Date.now() - startedAt))) };
}

const within = (promise: Promise<number>, ms: number) =>
  Promise.race([promise, new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), ms))]);

describe('connection rules', () => {
  let master: RunningMaster;

  beforeAll(async () => {
    master = await startTestMaster({
      connections: { headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 60_000, maxConnectionsPerClient: 5 },
    });
    await master.recovered;
  });
  afterAll(async () => {
    await master?.close();
  });

  it('closes silent and half-sent connections at their deadline, and keeps idle keep-alive ones and streams', async () => {
    const silent = open(master.url, '127.0.0.3', null);
    const halfHeaders = open(master.url, '127.0.0.3', 'GET /health HTTP/1.1\r\nHost: m\r\n');
    const halfBody = open(
      master.url,
      '127.0.0.3',
      'POST /api/v1 HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ty',
    );
    const idle = open(master.url, '127.0.0.3', 'GET /health HTTP/1.1\r\nHost: m\r\n\r\n');
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url });
    try {
      const [silentMs, headersMs, bodyMs] = await Promise.all([
        within(silent.closedAfterMs, 5000),
        within(halfHeaders.closedAfterMs, 5000),
        within(halfBody.closedAfterMs, 5000),
      ]);
      const idleMs = await within(idle.closedAfterMs, 2000);

      expect(silentMs).toBeGreaterThanOrEqual(250);
      expect(silentMs).toBeLessThan(5000);
      expect(headersMs).toBeLessThan(5000);
      expect(bodyMs).toBeGreaterThanOrEqual(500);
      expect(bodyMs).toBeLessThan(5000);
      expect(idleMs).toBe(Number.POSITIVE_INFINITY);
      expect(scheduler.closed).toBe(false);
      expect(scheduler.events.filter((event) => event.type === 'HEARTBEAT').length).toBeGreaterThan(0);
    } finally {
      idle.socket.destroy();
      await scheduler.close();
    }
  });

  it('closes connections over the per-client cap, keeps the others, and serves other clients', async () => {
    // Complete requests, so that no deadline closes them: only the cap can.
    const flood = Array.from({ length: 10 }, () => open(master.url, '127.0.0.4', 'GET /health HTTP/1.1\r\nHost: m\r\n\r\n'));
    const closedAt = await Promise.all(flood.map((connection) => within(connection.closedAfterMs, 3000)));
    const health = await fetch(`${master.url}/health`);
    for (const connection of flood) connection.socket.destroy();

    expect(closedAt.filter((ms) => ms < 3000)).toHaveLength(5);
    expect(health.status).toBe(200);
  });

  it('derives its default caps from the descriptor limit', () => {
    expect(defaultConnectionLimits(1024)).toMatchObject({ maxConnections: 768, maxConnectionsPerClient: 384 });
    expect(defaultConnectionLimits(20_000)).toMatchObject({ maxConnections: 19_744, maxConnectionsPerClient: 512 });
    expect(defaultConnectionLimits(256).maxConnections).toBe(64);
    expect(defaultConnectionLimits(1024).idleTimeoutMs).toBeGreaterThanOrEqual(60_000);
  });
});
