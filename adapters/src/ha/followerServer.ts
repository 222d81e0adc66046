/**
 * What a master that is not the leader serves on its address: scheduler,
 * operator and agent calls get 307 with the leader's URL in Location
 * (SEMANTICS.md §8), or 503 while no leader is known; `/health` says the
 * process is fine and who leads. The answer is a pure function of the path
 * and the observed leader; the server around it is node:http(s), so it needs
 * no framework and closes instantly when this master becomes the leader.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import type { LeaderInfo } from './leaderElection.js';

export interface FollowerAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const PATH_BYTES_MAX = 2048;

export function followerAnswer(method: string, path: string, leader: LeaderInfo | null, self: LeaderInfo): FollowerAnswer {
  const text = (status: number, body: string, headers: Record<string, string> = {}): FollowerAnswer => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body });
  if (path === '/health' || path.startsWith('/health?')) {
    const body = JSON.stringify({ healthy: true, leading: false, leader: leader?.address ?? null, id: self.id });
    return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
  }
  if (path.length > PATH_BYTES_MAX) return text(414, 'the request path is too long');
  if (leader === null || leader.id === self.id) return text(503, 'no leading master is elected right now; retry shortly', { 'Retry-After': '1' });
  // 307 (not 302/303) so that clients repeat the same method and body at the leader.
  const location = `${leader.address.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
  return text(307, `this master is not the leader; the leader is ${leader.address}`, { Location: location });
}

export interface FollowerServer {
  readonly server: Server;
  close(): Promise<void>;
}

/** Listens on `ip:port` (0 = any free port) and answers every request with `followerAnswer`. */
export async function startFollowerServer(options: { ip: string; port: number; https: HttpsServerOptions | null; leader: () => LeaderInfo | null; self: () => LeaderInfo }): Promise<FollowerServer & { port: number }> {
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const answer = followerAnswer(request.method ?? 'GET', request.url ?? '/', options.leader(), options.self());
    // The body is not read: close the connection so that an unread request body cannot confuse the next request.
    response.writeHead(answer.status, { ...answer.headers, Connection: 'close' }).end(answer.body);
  };
  const server: Server = options.https ? (createHttpsServer({ cert: options.https.cert, key: options.https.key }, handler) as unknown as Server) : createHttpServer(handler);
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
