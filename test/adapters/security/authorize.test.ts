/**
 * Authorization as a table over the example rules: roles a framework may
 * register, reserve and launch in; killing and tearing down others' work;
 * operator calls; identity checks that hold even with authorization off.
 * Then the same decisions over real HTTP (a plain node:http server using the
 * fastify-agnostic functions): unauthenticated → 401, forbidden → 403.
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../adapters/src/security/authenticate.js';
import type { Action } from '../../../adapters/src/security/authorize.js';
import { authorize, checkFrameworkPrincipal, roleMatches } from '../../../adapters/src/security/authorize.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { EXAMPLE } from './exampleSecurity.js';

const config = parseSecurityConfig(JSON.stringify(EXAMPLE), 'example.json');
const rules = config.authorization;

describe('authorize', () => {
  const table: Array<[string | null, Action, boolean]> = [
    ['spark', { type: 'framework.register', role: 'analytics' }, true],
    ['spark', { type: 'framework.register', role: 'analytics/nightly' }, true],
    ['spark', { type: 'framework.register', role: 'web' }, false],
    ['spark', { type: 'framework.register', role: 'analytics-2' }, false],
    ['marathon', { type: 'framework.register', role: 'web' }, true],
    ['spark', { type: 'task.launch', role: 'analytics' }, true],
    ['spark', { type: 'task.launch', role: 'web' }, false],
    ['marathon', { type: 'resources.reserve', role: 'web' }, true],
    ['spark', { type: 'resources.reserve', role: 'analytics' }, false],
    ['admin', { type: 'resources.reserve', role: 'web' }, true],
    // A principal may always undo its own reservations and volumes; others' need a rule (none here).
    ['marathon', { type: 'resources.unreserve', reserverPrincipal: 'marathon' }, true],
    ['spark', { type: 'resources.unreserve', reserverPrincipal: 'marathon' }, false],
    ['spark', { type: 'volume.create', role: 'analytics' }, false],
    ['spark', { type: 'volume.destroy', creatorPrincipal: 'spark' }, true],
    // Killing: one's own framework's tasks, or with a kill_tasks rule.
    ['spark', { type: 'task.kill', frameworkPrincipal: 'spark' }, true],
    ['spark', { type: 'task.kill', frameworkPrincipal: 'marathon' }, false],
    ['admin', { type: 'task.kill', frameworkPrincipal: 'marathon' }, true],
    ['admin', { type: 'task.kill', frameworkPrincipal: null }, true],
    ['viewer', { type: 'framework.teardown', frameworkPrincipal: 'spark' }, false],
    ['admin', { type: 'framework.teardown', frameworkPrincipal: 'spark' }, true],
    ['viewer', { type: 'operator.call', call: 'GET_STATE' }, true],
    ['viewer', { type: 'operator.call', call: 'RESERVE_RESOURCES' }, false],
    ['admin', { type: 'operator.call', call: 'MARK_AGENT_GONE' }, true],
    [null, { type: 'operator.call', call: 'GET_HEALTH' }, false],
    // Acting for a framework: only the principal that registered it.
    ['spark', { type: 'framework.act', frameworkPrincipal: 'spark' }, true],
    ['marathon', { type: 'framework.act', frameworkPrincipal: 'spark' }, false],
    ['admin', { type: 'framework.act', frameworkPrincipal: 'spark' }, false],
  ];
  it.each(table)('principal %s, %o → allowed: %s', (principal, action, allowed) => {
    const result = authorize(rules, principal, action);
    expect(result.ok).toBe(allowed);
    if (!result.ok) expect(result).toMatchObject({ status: 403, reason: expect.stringMatching(/may not/) });
  });

  it('explains a refusal with the principal, the object and the missing rule', () => {
    expect(authorize(rules, 'spark', { type: 'task.launch', role: 'web' })).toEqual({
      ok: false,
      status: 403,
      reason: 'principal "spark" may not launch tasks in role "web" (no launch_tasks rule allows it)',
    });
    expect(authorize(rules, 'spark', { type: 'task.kill', frameworkPrincipal: 'marathon' })).toEqual({
      ok: false,
      status: 403,
      reason: 'principal "spark" may not kill tasks of frameworks of principal "marathon" (no kill_tasks rule allows it)',
    });
  });

  it('denies by default when authorization is on with no rules, and allows when it is off', () => {
    const empty = parseSecurityConfig(JSON.stringify({ credentials: [], authorization: {} }), 'empty.json').authorization;
    expect(authorize(empty, 'spark', { type: 'framework.register', role: 'analytics' }).ok).toBe(false);
    expect(authorize(empty, 'admin', { type: 'operator.call', call: 'GET_HEALTH' }).ok).toBe(false);
    expect(authorize(null, 'spark', { type: 'task.launch', role: 'anything' }).ok).toBe(true);
    // Identity is not policy: another principal's framework stays off limits with authorization off.
    expect(authorize(null, 'marathon', { type: 'framework.act', frameworkPrincipal: 'spark' }).ok).toBe(false);
  });

  it('matches roles exactly, by "*", or by "parent/*" for strict descendants', () => {
    expect([
      roleMatches('a', 'a'),
      roleMatches('a', 'a/b'),
      roleMatches('a/*', 'a'),
      roleMatches('a/*', 'a/b/c'),
      roleMatches('*', 'x'),
    ]).toEqual([true, false, false, true, true]);
  });

  it('refuses a framework_info.principal other than the authenticated one', () => {
    expect(checkFrameworkPrincipal('spark', 'spark').ok).toBe(true);
    expect(checkFrameworkPrincipal('spark', undefined).ok).toBe(true);
    expect(checkFrameworkPrincipal('spark', 'marathon')).toMatchObject({ ok: false, status: 403 });
  });
});

/**
 * The guard a master puts in front of a call, on a bare node:http server:
 * POST /launch?role=R launches in R; POST /kill?owner=P kills a task of P's framework.
 */
describe('authentication and authorization over HTTP', () => {
  const authenticator = createAuthenticator(config.credentials);
  let url = '';
  const server = createServer((request: IncomingMessage, response) => {
    const authentication = authenticator.authenticate(request.headers);
    if (!authentication.ok) {
      response
        .writeHead(authentication.status, { 'WWW-Authenticate': authentication.challenge, 'Content-Type': 'text/plain' })
        .end(authentication.reason);
      return;
    }
    const query = new URL(request.url ?? '/', 'http://x').searchParams;
    const action: Action = request.url?.startsWith('/kill')
      ? { type: 'task.kill', frameworkPrincipal: query.get('owner') }
      : { type: 'task.launch', role: query.get('role') ?? '' };
    const decision = authorize(rules, authentication.principal, action);
    if (!decision.ok) response.writeHead(decision.status, { 'Content-Type': 'text/plain' }).end(decision.reason);
    else response.writeHead(202).end();
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  const call = (path: string, authorization?: string) =>
    fetch(`${url}${path}`, { method: 'POST', headers: authorization ? { authorization } : {} });

  it('answers 401 with a challenge to an unauthenticated request', async () => {
    const response = await call('/launch?role=analytics');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="allot", Bearer realm="allot"');
    expect(await response.text()).toMatch(/authentication required/);
  });

  it('answers 403 to a framework launching in a role it may not use, 202 in its own', async () => {
    expect((await call('/launch?role=web', basic('spark:spark-secret'))).status).toBe(403);
    expect((await call('/launch?role=analytics', basic('spark:spark-secret'))).status).toBe(202);
  });

  it("answers 403 to a framework killing another framework's task, 202 for its own", async () => {
    const refused = await call('/kill?owner=marathon', basic('spark:spark-secret'));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/may not kill tasks of frameworks of principal "marathon"/);
    expect((await call('/kill?owner=spark', basic('spark:spark-secret'))).status).toBe(202);
    expect((await call('/kill?owner=marathon', 'Bearer admin-token-0123456789abcdef')).status).toBe(202);
  });
});
