/**
 * What a master that is not the leader serves on its address: scheduler,
 * operator and agent calls get 307 with the leader's URL in Location
 * (as Mesos's followers do), or 503 while no leader is known; `/health` says the
 * process is fine and who leads. The answer is a pure function of the path
 * and the observed leader. During a failover the server holds a call (up to
 * 5 s) until the leader it would name answers its /health, so that clients
 * are redirected the moment a new leader serves instead of retrying into
 * their backoff. node:http(s), so it closes instantly when this master leads.
 */
import { createServer as createHttpServer, get as httpGet } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import pino from 'pino';
import type { Logger } from 'pino';
import type { ConnectionLimits } from '../master/connectionGuard.js';
import { checkingIntervalMs, defaultConnectionLimits, guardConnections } from '../master/connectionGuard.js';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import type { LeaderInfo } from './leaderElection.js';

export interface FollowerAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const PATH_BYTES_MAX = 2048;
const HOLD_MS_MAX = 5000;
const HELD_MAX = 512;
const PROBE_TIMEOUT_MS = 300;
const PROBE_CACHE_MS = 50;
const HOLD_POLL_MS = 50;

export function followerAnswer(_method: string, path: string, leader: LeaderInfo | null, self: LeaderInfo): FollowerAnswer {
  const text = (status: number, body: string, headers: Record<string, string> = {}): FollowerAnswer => ({
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
    body,
  });
  if (path === '/health' || path.startsWith('/health?')) {
    // Without a known leader the cluster serves nobody: say so rather than "healthy follower".
    if (leader === null || leader.id === self.id) {
      const body = JSON.stringify({ healthy: false, leading: false, leader: null, id: self.id, message: 'no leader' });
      return { status: 503, headers: { 'Content-Type': 'application/json', 'Retry-After': '1' }, body };
    }
    const body = JSON.stringify({ healthy: true, leading: false, leader: leader.address, id: self.id });
    return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
  }
  if (path.length > PATH_BYTES_MAX) return text(414, 'the request path is too long');
  if (leader === null || leader.id === self.id)
    return text(503, 'no leading master is elected right now; retry shortly', { 'Retry-After': '1' });
  // 307 (not 302/303) so that clients repeat the same method and body at the leader.
  const location = `${leader.address.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
  return text(307, `this master is not the leader; the leader is ${leader.address}`, { Location: location });
}

export interface FollowerServer {
  readonly server: Server;
  close(): Promise<void>;
}

/** Listens on `ip:port` (0 = any free port) and answers every request with `followerAnswer`. */
export async function startFollowerServer(options: {
  ip: string;
  port: number;
  https: HttpsServerOptions | null;
  leader: () => LeaderInfo | null;
  self: () => LeaderInfo;
  /** The same caps and timeouts as the leading master's server (connectionGuard.ts). */
  connections?: ConnectionLimits;
  logger?: Logger;
}): Promise<FollowerServer & { port: number }> {
  const probe = leaderProbe();
  let held = 0;
  const answerWhenUseful = async (request: IncomingMessage, response: ServerResponse): Promise<FollowerAnswer> => {
    const answer = () => followerAnswer(request.method ?? 'GET', request.url ?? '/', options.leader(), options.self());
    const first = answer();
    const health = first.headers['Content-Type'] === 'application/json';
    if (health || (first.status !== 307 && first.status !== 503) || held >= HELD_MAX) return first;
    held += 1;
    let gone = false;
    response.once('close', () => (gone = true));
    try {
      for (const deadline = Date.now() + HOLD_MS_MAX; !gone && Date.now() < deadline; await sleep(HOLD_POLL_MS)) {
        const leader = options.leader();
        if (leader && leader.id !== options.self().id && (await probe(leader.address))) break;
      }
      return answer();
    } finally {
      held -= 1;
    }
  };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    void answerWhenUseful(request, response).then((answer) => {
      // The body is not read: close the connection so that an unread request body cannot confuse the next request.
      if (!response.destroyed) response.writeHead(answer.status, { ...answer.headers, Connection: 'close' }).end(answer.body);
    });
  };
  const limits = options.connections ?? defaultConnectionLimits();
  const timeouts = {
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(limits),
  };
  const server: Server = options.https
    ? (createHttpsServer({ cert: options.https.cert, key: options.https.key, ...timeouts }, handler) as unknown as Server)
    : createHttpServer(timeouts, handler);
  guardConnections(server, limits, options.logger ?? pino({ level: 'silent' }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.ip, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a leader answers its /health as the serving master (a follower's /health says `leading: false`); cached briefly. */
function leaderProbe(): (address: string) => Promise<boolean> {
  let cached: { address: string; atMs: number; serving: Promise<boolean> } | null = null;
  return (address) => {
    if (cached && cached.address === address && Date.now() - cached.atMs < PROBE_CACHE_MS) return cached.serving;
    const serving = new Promise<boolean>((resolve) => {
      const get = address.startsWith('https:') ? httpsGet : httpGet;
      // Only liveness is probed here, so a self-signed leader certificate is fine.
      const outgoing = get(`${address}/health`, { timeout: PROBE_TIMEOUT_MS, rejectUnauthorized: false }, (incoming) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body = (body + chunk.toString('utf8')).slice(0, 4096)));
        incoming.on('end', () => resolve(incoming.statusCode === 200 && !body.includes('"leading":false')));
        incoming.on('error', () => resolve(false));
      });
      outgoing.on('timeout', () => outgoing.destroy());
      outgoing.on('error', () => resolve(false));
    });
    cached = { address, atMs: Date.now(), serving };
    return serving;
  };
}
