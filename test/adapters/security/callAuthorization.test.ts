/**
 * Which checks a scheduler or operator call needs, read from its JSON: the
 * roles of SUBSCRIBE, LAUNCH (from allocation_info, else the framework's only
 * role), RESERVE/UNRESERVE/CREATE/DESTROY, the framework's owner, and the
 * operator call type. Malformed calls pass here (the handler answers 400).
 */
import { describe, expect, it } from 'vitest';
import type { FrameworkLookup } from '../../../adapters/src/security/callAuthorization.js';
import { authorizeOperatorCall, authorizeSchedulerCall } from '../../../adapters/src/security/callAuthorization.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { EXAMPLE } from './exampleSecurity.js';

const rules = parseSecurityConfig(JSON.stringify(EXAMPLE), 'example.json').authorization;
const frameworks: FrameworkLookup = (id) =>
  ({ 'fw-spark': { principal: 'spark', roles: ['analytics'] }, 'fw-old': { principal: null, roles: ['web'] } })[id];
const scalar = (name: string, value: number, extra: object = {}) => ({ name, type: 'SCALAR', scalar: { value }, ...extra });
const accept = (...operations: object[]) => ({
  type: 'ACCEPT',
  framework_id: { value: 'fw-spark' },
  accept: { offer_ids: [{ value: 'o' }], operations },
});
const reason = (result: { ok: boolean; reason?: string }) => (result.ok ? 'ok' : result.reason);

describe('authorizeSchedulerCall', () => {
  it.each([
    [
      'SUBSCRIBE in allowed roles',
      'spark',
      { type: 'SUBSCRIBE', subscribe: { framework_info: { principal: 'spark', roles: ['analytics', 'analytics/x'] } } },
      'ok',
    ],
    [
      'SUBSCRIBE with one forbidden role',
      'spark',
      { type: 'SUBSCRIBE', subscribe: { framework_info: { principal: 'spark', roles: ['analytics', 'web'] } } },
      'principal "spark" may not register a framework in role "web" (no register_frameworks rule allows it)',
    ],
    [
      'SUBSCRIBE with the legacy role field',
      'marathon',
      { type: 'SUBSCRIBE', subscribe: { framework_info: { principal: 'marathon', role: 'web' } } },
      'ok',
    ],
    [
      'SUBSCRIBE without a principal',
      'spark',
      { type: 'SUBSCRIBE', subscribe: { framework_info: { roles: ['analytics'] } } },
      'framework_info.principal must be the authenticated principal "spark"',
    ],
    [
      "SUBSCRIBE taking over another principal's framework",
      'marathon',
      {
        type: 'SUBSCRIBE',
        framework_id: { value: 'fw-spark' },
        subscribe: { framework_info: { principal: 'marathon', id: { value: 'fw-spark' }, roles: ['web'] } },
      },
      'principal "marathon" may not act for a framework registered by principal "spark"',
    ],
    [
      'LAUNCH in the allocated role',
      'spark',
      accept({ type: 'LAUNCH', launch: { task_infos: [{ resources: [scalar('cpus', 1, { allocation_info: { role: 'analytics' } })] }] } }),
      'ok',
    ],
    [
      'LAUNCH in another role',
      'spark',
      accept({ type: 'LAUNCH', launch: { task_infos: [{ resources: [scalar('cpus', 1, { allocation_info: { role: 'web' } })] }] } }),
      'principal "spark" may not launch tasks in role "web" (no launch_tasks rule allows it)',
    ],
    [
      'LAUNCH without allocation_info (the framework role)',
      'spark',
      accept({ type: 'LAUNCH', launch: { task_infos: [{ resources: [scalar('cpus', 1)] }] } }),
      'ok',
    ],
    [
      'LAUNCH_GROUP in another role',
      'spark',
      accept({
        type: 'LAUNCH_GROUP',
        launch_group: { task_group: { tasks: [{ resources: [scalar('cpus', 1, { allocation_info: { role: 'web' } })] }] } },
      }),
      'principal "spark" may not launch tasks in role "web" (no launch_tasks rule allows it)',
    ],
    [
      'RESERVE without a rule',
      'spark',
      accept({ type: 'RESERVE', reserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'analytics' }] })] } }),
      'principal "spark" may not reserve resources for role "analytics" (no reserve_resources rule allows it)',
    ],
    [
      'UNRESERVE of its own reservation',
      'spark',
      accept({
        type: 'UNRESERVE',
        unreserve: { resources: [scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'analytics', principal: 'spark' }] })] },
      }),
      'ok',
    ],
    [
      'DESTROY of a volume created by another',
      'spark',
      accept({ type: 'DESTROY', destroy: { volumes: [scalar('disk', 1, { disk: { persistence: { id: 'v', principal: 'marathon' } } })] } }),
      'principal "spark" may not destroy volumes created by principal "marathon" (no destroy_volumes rule allows it)',
    ],
    [
      "KILL on another principal's framework",
      'marathon',
      { type: 'KILL', framework_id: { value: 'fw-spark' }, kill: { task_id: { value: 't' } } },
      'principal "marathon" may not act for a framework registered by principal "spark"',
    ],
    ['a call for a framework registered without a principal', 'marathon', { type: 'REVIVE', framework_id: { value: 'fw-old' } }, 'ok'],
    ['a malformed call (the handler answers 400)', 'spark', { type: 'ACCEPT', accept: 'nonsense' }, 'ok'],
    ['not an object', 'spark', 'nonsense', 'ok'],
  ])('%s', (_name, principal, call, expected) => {
    expect(reason(authorizeSchedulerCall(rules, principal, call, frameworks))).toBe(expected);
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
