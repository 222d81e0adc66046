/**
 * What a follower answers: the pure table (307 with Location, 503 without a
 * leader, /health open), and, over HTTP, a call held during a failover until
 * the leader it names serves, then redirected at once.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { followerAnswer, startFollowerServer } from '../../../adapters/src/ha/followerServer.js';
import type { LeaderInfo } from '../../../adapters/src/ha/election.js';
import { freePort } from './etcdHarness.js';

const SELF: LeaderInfo = { id: 'me', address: 'http://127.0.0.1:5051' };
const LEADER: LeaderInfo = { id: 'other', address: 'http://127.0.0.1:5050' };

describe('followerAnswer', () => {
  it.each([
    ['POST', '/api/v1/scheduler', LEADER, 307, 'http://127.0.0.1:5050/api/v1/scheduler'],
    ['POST', '/api/v1?x=1', LEADER, 307, 'http://127.0.0.1:5050/api/v1?x=1'],
    ['POST', '/api/v1/agent', LEADER, 307, 'http://127.0.0.1:5050/api/v1/agent'],
    ['POST', '/api/v1/scheduler', null, 503, undefined],
    ['POST', '/api/v1/scheduler', SELF, 503, undefined],
    ['GET', `/${'x'.repeat(3000)}`, LEADER, 414, undefined],
  ])('%s %s with leader %o → %i', (method, path, leader, status, location) => {
    const answer = followerAnswer(method, path, leader, SELF);
    expect(answer.status).toBe(status);
    expect(answer.headers.Location).toBe(location);
  });

  it('answers /health itself, naming the leader', () => {
    const answer = followerAnswer('GET', '/health', LEADER, SELF);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ healthy: true, leading: false, leader: 'http://127.0.0.1:5050', id: 'me' });
  });

  it('says "no leader" with 503 on /health while no leader is known (e.g. etcd is down)', () => {
    const answer = followerAnswer('GET', '/health', null, SELF);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({ healthy: false, leading: false, leader: null, id: 'me', message: 'no leader' });
  });
});

describe('follower server', () => {
  it('holds a call while the named leader is down and redirects as soon as it serves', async () => {
    const leaderPort = await freePort();
    const leader: LeaderInfo = { id: 'new', address: `http://127.0.0.1:${leaderPort}` };
    const follower = await startFollowerServer({ ip: '127.0.0.1', port: 0, https: null, leader: () => leader, self: () => SELF });
    let leaderServer: Server | null = null;
    try {
      const sentAtMs = Date.now();
      const answered = fetch(`http://127.0.0.1:${follower.port}/api/v1/scheduler`, { method: 'POST', body: '{}', redirect: 'manual' });
      await new Promise((resolve) => setTimeout(resolve, 600));
      const startedAtMs = Date.now();
      leaderServer = createServer((_request, response) =>
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"healthy":true}'),
      );
      await new Promise<void>((resolve) => leaderServer!.listen(leaderPort, '127.0.0.1', resolve));
      const response = await answered;
      const answeredAtMs = Date.now();
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(`${leader.address}/api/v1/scheduler`);
      expect(startedAtMs - sentAtMs).toBeGreaterThanOrEqual(500);
      expect(answeredAtMs).toBeGreaterThanOrEqual(startedAtMs);
      // Released by the leader coming up, not by the 5 s hold running out (a busy machine may take seconds to notice).
      expect(answeredAtMs - sentAtMs).toBeLessThan(4500);
    } finally {
      await follower.close();
      await new Promise<void>((resolve) => (leaderServer ? leaderServer.close(() => resolve()) : resolve()));
    }
  });
});
