/**
 * The security file applied to an agent's HTTP server (`allot agent
 * --security FILE`, the master's format): every endpoint but `/health` and
 * the executor API needs credentials (401), and reads are authorized as the
 * operator call that reads the same thing: sandbox files as LIST_FILES /
 * READ_FILE, `/state` as GET_STATE, `POST /api/v1` by its call type (403).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentLogger } from '../agent/logger.js';
import { createAuthenticator } from './authenticate.js';
import { authorizeOperatorCall } from './callAuthorization.js';
import type { SecurityConfig } from './securityConfig.js';

const OPEN_PATHS = new Set(['/health', '/api/v1/executor']);

function readCall(path: string): string | null {
  if (path.startsWith('/files/browse')) return 'LIST_FILES';
  if (path.startsWith('/files/read') || path.startsWith('/files/download')) return 'READ_FILE';
  const bare = path.replace(/^\/slave\(1\)/, '').replace(/\.json$/, '');
  return (
    (
      { '/state': 'GET_STATE', '/flags': 'GET_FLAGS', '/metrics/snapshot': 'GET_METRICS', '/version': 'GET_VERSION' } as Record<
        string,
        string
      >
    )[bare] ?? null
  );
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return (query === -1 ? request.url : request.url.slice(0, query)).replace(/\/+$/, '') || '/';
}

export function registerAgentSecurity(app: FastifyInstance, config: SecurityConfig, logger: AgentLogger): void {
  const authenticator = createAuthenticator(config.credentials);
  const principals = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (OPEN_PATHS.has(pathOf(request))) return;
    const result = authenticator.authenticate(request.headers);
    if (!result.ok)
      return reply.code(401).header('WWW-Authenticate', result.challenge).type('text/plain; charset=utf-8').send(result.reason);
    principals.set(request, result.principal);
  });
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request);
    if (OPEN_PATHS.has(path)) return;
    const principal = principals.get(request) ?? null;
    const call = path === '/api/v1' ? request.body : readCall(path) ? { type: readCall(path) } : null;
    if (call === null) return;
    const parsed = Buffer.isBuffer(call) ? safeParse(call) : call;
    const decision = authorizeOperatorCall(config.authorization, principal, parsed);
    if (decision.ok) return;
    logger.warn({ principal, url: path, reason: decision.reason }, 'unauthorized agent request refused');
    return reply.code(decision.status).type('text/plain; charset=utf-8').send(decision.reason);
  });
}

function safeParse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}
