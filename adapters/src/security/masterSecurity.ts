/**
 * The security file applied to a master's fastify server: every endpoint but
 * `/health` and the agent protocol (which checks the agents' shared secret
 * itself) needs credentials (401 with a challenge, before the body is even
 * parsed); scheduler and operator calls are then authorized from their
 * parsed body (403 with the reason) before their handlers run.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MasterContext } from '../master/masterContext.js';
import { canonicalMasterPath, classicCall } from '../master/mesosPaths.js';
import { createAuthenticator } from './authenticate.js';
import type { Authorization } from './authorize.js';
import { authorizeOperatorCall, authorizeSchedulerCall } from './callAuthorization.js';
import type { FrameworkLookup } from './callAuthorization.js';
import type { SecurityConfig } from './securityConfig.js';

const OPEN_PATHS = new Set(['/health', '/api/v1/agent']);

export function registerMasterSecurity(app: FastifyInstance, context: MasterContext, config: SecurityConfig): void {
  const authenticator = createAuthenticator(config.credentials);
  const principals = new WeakMap<FastifyRequest, string>();
  const lookup: FrameworkLookup = (frameworkId) => {
    const record = context.host.registry?.frameworks.get(frameworkId);
    if (!record) return undefined;
    const principal = (record.info as { principal?: unknown }).principal;
    return { principal: typeof principal === 'string' ? principal : null, roles: record.roles };
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (OPEN_PATHS.has(pathOf(request))) return;
    const result = authenticator.authenticate(request.headers);
    if (!result.ok) {
      context.logger.warn({ url: request.url.slice(0, 200), reason: result.reason }, 'unauthenticated request refused');
      return reply.code(401).header('WWW-Authenticate', result.challenge).type('text/plain; charset=utf-8').send(result.reason);
    }
    principals.set(request, result.principal);
  });

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request);
    const principal = principals.get(request) ?? null;
    let decision: Authorization = { ok: true };
    if (path === '/api/v1/scheduler') decision = authorizeSchedulerCall(config.authorization, principal, request.body, lookup);
    else if (path === '/api/v1') decision = authorizeOperatorCall(config.authorization, principal, request.body);
    // Classic reads (/master/state, /flags, ...) are governed by the operator call that reads the same data.
    else if (classicCall(request.method, path))
      decision = authorizeOperatorCall(config.authorization, principal, { type: classicCall(request.method, path) });
    if (decision.ok) return;
    context.logger.warn({ principal, url: path, reason: decision.reason }, 'unauthorized call refused');
    return reply.code(decision.status).type('text/plain; charset=utf-8').send(decision.reason);
  });
}

/** Aliases (`/master/api/v1/scheduler`, `/api/v1/operator`, ...) are checked as the path they serve. */
function pathOf(request: FastifyRequest): string {
  return canonicalMasterPath(request.url);
}
