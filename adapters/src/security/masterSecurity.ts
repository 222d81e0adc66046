/**
 * The security file applied to a master's fastify server: every endpoint but
 * `/health` and the agent protocol (which checks the agents' shared secret
 * itself) needs credentials (401 with a challenge, before the body is even
 * parsed). Authorization is not a hook on the raw body: the handlers call
 * the returned CallAuthorizer once they have validated and normalized the
 * call and derived what it acts on (roles, offers), so that the rules judge
 * exactly what the master then does; reads of cluster state outside the
 * operator API (the live event stream, /metrics, the classic endpoints such
 * as /master/state) go through the rules of the operator calls that return
 * the same data, and the classic maintenance POSTs through those of the
 * operator calls that make the same change. Aliases (`/master/api/v1`, ...)
 * reach the same handlers, so they are judged alike.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallAuthorizer, MasterContext } from '../master/masterContext.js';
import { canonicalMasterPath } from '../master/mesosPaths.js';
import { createAuthenticator } from './authenticate.js';
import type { Authorization } from './authorize.js';
import { authorize } from './authorize.js';
import type { CallLookup } from './callAuthorization.js';
import { authorizeAcceptOperations, authorizeOperatorCall, authorizeSchedulerCall, authorizeSubscribe } from './callAuthorization.js';
import type { AuthorizationRules, SecurityConfig } from './securityConfig.js';

const OPEN_PATHS = new Set(['/health', '/api/v1/agent']);

export function registerMasterSecurity(app: FastifyInstance, context: MasterContext, config: SecurityConfig): CallAuthorizer {
  const authenticator = createAuthenticator(config.credentials);
  const principals = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (OPEN_PATHS.has(pathOf(request))) return;
    const result = authenticator.authenticate(request.headers);
    if (!result.ok) {
      context.logger.warn({ url: request.url.slice(0, 200), reason: result.reason }, 'unauthenticated request refused');
      return reply.code(401).header('WWW-Authenticate', result.challenge).type('text/plain; charset=utf-8').send(result.reason);
    }
    principals.set(request, result.principal);
  });
  return createCallAuthorizer(context, config.authorization, (request) => principals.get(request) ?? null);
}

/**
 * The authorizer the handlers call. Without a security file it is made with no rules and no principals: every
 * call is allowed except what is denied by default (a task choosing its user), so the same code path judges both.
 */
export function createCallAuthorizer(
  context: MasterContext,
  rules: AuthorizationRules | null,
  principalOf: (request: FastifyRequest) => string | null,
): CallAuthorizer {
  const lookup: CallLookup = {
    framework: (frameworkId) => {
      const record = context.host.registry?.frameworks.get(frameworkId);
      if (!record) return undefined;
      const principal = (record.info as { principal?: unknown }).principal;
      return { principal: typeof principal === 'string' ? principal : null, roles: record.roles };
    },
    offerRole: (offerId) => context.host.master.offers.get(offerId)?.role,
  };
  const logged = (request: FastifyRequest, decision: Authorization): Authorization => {
    if (!decision.ok)
      context.logger.warn({ principal: principalOf(request), url: pathOf(request), reason: decision.reason }, 'unauthorized call refused');
    return decision;
  };
  return {
    subscribe: (request, facts) => logged(request, authorizeSubscribe(rules, principalOf(request), facts, lookup.framework)),
    schedulerCall: (request, call) => logged(request, authorizeSchedulerCall(rules, principalOf(request), call, lookup)),
    acceptOperations: (request, call) =>
      authorizeAcceptOperations(rules, principalOf(request), call, lookup).map((decision) => logged(request, decision)),
    operatorCall: (request, call) => logged(request, authorizeOperatorCall(rules, principalOf(request), call)),
    read: (request, call) => logged(request, authorize(rules, principalOf(request), { type: 'operator.call', call })),
  };
}

/** Aliases (`/master/api/v1/scheduler`, `/api/v1/operator`, ...) are checked as the path they serve. */
function pathOf(request: FastifyRequest): string {
  return canonicalMasterPath(request.url);
}
