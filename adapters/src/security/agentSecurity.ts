/**
 * The security file applied to an agent's HTTP server (`allot agent
 * --security FILE`, the master's format): every endpoint but `/health` and
 * the executor API needs credentials (401, from a hook before the body is
 * parsed). Authorization, as on the master, is not a hook on the raw body:
 * the handlers call the returned authorizer with the call they act on, once
 * it is validated and normalized. Reads are judged as the operator call
 * that reads the same thing: sandbox files as LIST_FILES / READ_FILE,
 * `/state` as GET_STATE, `POST /api/v1` by its call type (403).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentLogger } from '../agent/logger.js';
import { createAuthenticator } from './authenticate.js';
import type { Authorization } from './authorize.js';
import { authorizeOperatorCall } from './callAuthorization.js';
import type { SecurityConfig } from './securityConfig.js';

const OPEN_PATHS = new Set(['/health', '/api/v1/executor']);

/** Judges an agent call (`{type: 'GET_STATE'}`, a normalized `POST /api/v1` body) for the request's principal. */
export type AgentAuthorizer = (request: FastifyRequest, call: Record<string, unknown>) => Authorization;

/** Without a security file: nobody is authenticated and every agent call is allowed. */
export const OPEN_AGENT: AgentAuthorizer = () => ({ ok: true });

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return (query === -1 ? request.url : request.url.slice(0, query)).replace(/\/+$/, '') || '/';
}

export function registerAgentSecurity(app: FastifyInstance, config: SecurityConfig, logger: AgentLogger): AgentAuthorizer {
  const authenticator = createAuthenticator(config.credentials);
  const principals = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (OPEN_PATHS.has(pathOf(request))) return;
    const result = authenticator.authenticate(request.headers);
    if (!result.ok)
      return reply.code(401).header('WWW-Authenticate', result.challenge).type('text/plain; charset=utf-8').send(result.reason);
    principals.set(request, result.principal);
  });
  return (request, call) => {
    const principal = principals.get(request) ?? null;
    const decision = authorizeOperatorCall(config.authorization, principal, call);
    if (!decision.ok) logger.warn({ principal, url: pathOf(request), reason: decision.reason }, 'unauthorized agent request refused');
    return decision;
  };
}

/** Answers a refusal (403 with the reason) and returns true, or returns false when the call is allowed. */
export function refuseUnauthorized(
  authorize: AgentAuthorizer,
  request: FastifyRequest,
  reply: FastifyReply,
  call: Record<string, unknown>,
): boolean {
  const decision = authorize(request, call);
  if (decision.ok) return false;
  void reply.code(decision.status).type('text/plain; charset=utf-8').send(decision.reason);
  return true;
}
