/**
 * Which checks a validated, normalized scheduler or operator call needs: the
 * roles a SUBSCRIBE registers in (as the handler derived them), the role of a
 * LAUNCH taken from its offers (never from allocation_info), RESERVE /
 * UNRESERVE / CREATE / DESTROY, the framework's owner, and the operator
 * call type.
 */
import { describe, expect, it } from 'vitest';
import type { CallLookup, FrameworkLookup } from '../../../adapters/src/security/callAuthorization.js';
import {
  authorizeAcceptOperations,
  authorizeOperatorCall,
  authorizeSchedulerCall,
  authorizeSubscribe,
} from '../../../adapters/src/security/callAuthorization.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { EXAMPLE } from './exampleSecurity.js';

type Json = Record<string, any>;

const rules = parseSecurityConfig(JSON.stringify(EXAMPLE), 'example.json').authorization;
const frameworks: FrameworkLookup = (id) =>
  ({
    'fw-spark': { principal: 'spark', roles: ['analytics'] },
    'fw-two': { principal: 'spark', roles: ['analytics', 'web'] },
    'fw-old': { principal: null, roles: ['web'] },
  })[id];
const lookup: CallLookup = { framework: frameworks, offerRole: (id) => ({ 'o-analytics': 'analytics', 'o-web': 'web' })[id] };
const scalar = (name: string, value: number, extra: object = {}) => ({ name, type: 'SCALAR', scalar: { value }, ...extra });
const accept = (offer: string, ...operations: object[]) => ({
  type: 'ACCEPT',
  framework_id: { value: offer === 'o-unknown' ? 'fw-two' : 'fw-spark' },
  accept: { offer_ids: [{ value: offer }], operations },
});
const task = (role: string) => ({ resources: [scalar('cpus', 1, { allocation_info: { role } })] });
const reason = (result: { ok: boolean; reason?: string }) => (result.ok ? 'ok' : result.reason);

describe('authorizeSubscribe', () => {
  it.each([
    ['in allowed roles', 'spark', { frameworkId: undefined, roles: ['analytics', 'analytics/x'], declaredPrincipal: 'spark' }, 'ok'],
    [
      'with one forbidden role',
      'spark',
      { frameworkId: undefined, roles: ['analytics', 'web'], declaredPrincipal: 'spark' },
      'principal "spark" may not register a framework in role "web" (no register_frameworks rule allows it)',
    ],
    [
      'in "*" (what roles: [null] becomes)',
      'spark',
      { frameworkId: undefined, roles: ['*'], declaredPrincipal: 'spark' },
      'principal "spark" may not register a framework in role "*" (no register_frameworks rule allows it)',
    ],
    [
      'without a principal',
      'spark',
      { frameworkId: undefined, roles: ['analytics'], declaredPrincipal: null },
      'framework_info.principal must be the authenticated principal "spark"',
    ],
    [
      "taking over another principal's framework",
      'marathon',
      { frameworkId: 'fw-spark', roles: ['web'], declaredPrincipal: 'marathon' },
      'principal "marathon" may not act for a framework registered by principal "spark"',
    ],
  ])('%s', (_name, principal, facts, expected) => {
    expect(reason(authorizeSubscribe(rules, principal, facts, frameworks))).toBe(expected);
  });
});

describe('authorizeSchedulerCall', () => {
  it.each<[string, string, Json, string]>([
    [
      'LAUNCH on an offer in an allowed role',
      'spark',
      accept('o-analytics', { type: 'LAUNCH', launch: { task_infos: [task('analytics')] } }),
      'ok',
    ],
    [
      'LAUNCH on an offer in another role, whatever allocation_info claims',
      'spark',
      accept('o-web', { type: 'LAUNCH', launch: { task_infos: [task('analytics')] } }),
      'principal "spark" may not launch tasks in role "web" (no launch_tasks rule allows it)',
    ],
    [
      'LAUNCH on an offer that is not outstanding (every role of the framework)',
      'spark',
      accept('o-unknown', { type: 'LAUNCH', launch: { task_infos: [task('analytics')] } }),
      'principal "spark" may not launch tasks in role "web" (no launch_tasks rule allows it)',
    ],
    [
      'LAUNCH_GROUP on an offer in another role',
      'spark',
      accept('o-web', { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: [task('analytics')] } } }),
      'principal "spark" may not launch tasks in role "web" (no launch_tasks rule allows it)',
    ],
    [
      'RESERVE without a rule',
      'spark',
      accept('o-analytics', {
        type: 'RESERVE',
        reserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'analytics' }] })] },
      }),
      'principal "spark" may not reserve resources for role "analytics" (no reserve_resources rule allows it)',
    ],
    [
      'UNRESERVE of its own reservation',
      'spark',
      accept('o-analytics', {
        type: 'UNRESERVE',
        unreserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'analytics', principal: 'spark' }] })] },
      }),
      'ok',
    ],
    [
      'DESTROY of a volume created by another',
      'spark',
      accept('o-analytics', {
        type: 'DESTROY',
        destroy: { volumes: [scalar('disk', 1, { disk: { persistence: { id: 'v', principal: 'marathon' } } })] },
      }),
      'principal "spark" may not destroy volumes created by principal "marathon" (no destroy_volumes rule allows it)',
    ],
    [
      "KILL on another principal's framework",
      'marathon',
      { type: 'KILL', framework_id: { value: 'fw-spark' }, kill: { task_id: { value: 't' } } },
      'principal "marathon" may not act for a framework registered by principal "spark"',
    ],
    ['a call for a framework registered without a principal', 'marathon', { type: 'REVIVE', framework_id: { value: 'fw-old' } }, 'ok'],
  ])('%s', (_name, principal, call, expected) => {
    // The call as a whole first (who may act for the framework), then each operation of an ACCEPT.
    const whole = authorizeSchedulerCall(rules, principal, call, lookup);
    const refusal = authorizeAcceptOperations(rules, principal, call, lookup).find((decision) => !decision.ok);
    expect(reason(whole.ok && refusal ? refusal : whole)).toBe(expected);
  });

  it('judges an ACCEPT operation by operation, as Mesos: the call is allowed and each refusal stays with its operation', () => {
    const reserve = {
      type: 'RESERVE',
      reserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'analytics' }] })] },
    };
    const call = accept('o-analytics', { type: 'LAUNCH', launch: { task_infos: [task('analytics')] } });
    call.accept.operations.push(reserve);

    expect(reason(authorizeSchedulerCall(rules, 'spark', call, lookup))).toBe('ok');
    expect(authorizeAcceptOperations(rules, 'spark', call, lookup).map(reason)).toEqual([
      'ok',
      'principal "spark" may not reserve resources for role "analytics" (no reserve_resources rule allows it)',
    ]);
    expect(authorizeAcceptOperations(rules, 'spark', { type: 'DECLINE' }, lookup)).toEqual([]);
  });
});

describe('authorizeOperatorCall', () => {
  it.each([
    ['an allowed read', 'viewer', { type: 'GET_STATE' }, 'ok'],
    [
      'a call not in the list',
      'viewer',
      { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: 'a' } } },
      'principal "viewer" may not make the operator call DRAIN_AGENT (no operator_calls rule allows it)',
    ],
    [
      'RESERVE_RESOURCES in a reservable role',
      'admin',
      {
        type: 'RESERVE_RESOURCES',
        reserve_resources: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'web' }] })] },
      },
      'ok',
    ],
    [
      'RESERVE_RESOURCES elsewhere',
      'admin',
      { type: 'RESERVE_RESOURCES', reserve_resources: { resources: [scalar('cpus', 1, { role: 'analytics' })] } },
      'principal "admin" may not reserve resources for role "analytics" (no reserve_resources rule allows it)',
    ],
    [
      'CREATE_VOLUMES without a rule',
      'admin',
      { type: 'CREATE_VOLUMES', create_volumes: { volumes: [scalar('disk', 1, { reservations: [{ type: 'DYNAMIC', role: 'web' }] })] } },
      'principal "admin" may not create volumes in role "web" (no create_volumes rule allows it)',
    ],
  ])('%s', (_name, principal, call, expected) => {
    expect(reason(authorizeOperatorCall(rules, principal, call))).toBe(expected);
  });
});
