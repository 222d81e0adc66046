/**
 * Authorization as one pure function over the security file's rules: may
 * this principal do this action to this object? Rules only allow; with
 * authorization on, whatever no rule allows is denied (403 with the reason).
 * Two checks hold even with authorization off, because they are about
 * identity, not policy: a principal acts only for frameworks it registered,
 * and a framework may not declare another principal than its own. And one
 * is denied by default even then, and without any security file: a task
 * choosing the user it runs as (`command.user`) needs a `run_tasks` rule;
 * without one tasks run as the agent's unprivileged task user.
 */
import type { AuthorizationRules, OperatorCallRule, PrincipalRule, RoleRule, RunTasksRule } from './securityConfig.js';

export type Action =
  | { type: 'framework.register'; role: string }
  | { type: 'framework.act'; frameworkPrincipal: string | null }
  | { type: 'framework.teardown'; frameworkPrincipal: string | null }
  | { type: 'resources.reserve'; role: string }
  | { type: 'resources.unreserve'; reserverPrincipal: string | null }
  | { type: 'volume.create'; role: string }
  | { type: 'volume.destroy'; creatorPrincipal: string | null }
  | { type: 'task.launch'; role: string }
  | { type: 'task.kill'; frameworkPrincipal: string | null }
  | { type: 'task.runAs'; user: string }
  | { type: 'operator.call'; call: string };

export type Authorization = { ok: true } | { ok: false; status: 403; reason: string };

const ALLOWED: Authorization = { ok: true };

/** `principal` is null when authentication is off; "*" in a rule matches any principal, even none. */
export function authorize(rules: AuthorizationRules | null, principal: string | null, action: Action): Authorization {
  if (action.type === 'framework.act') return frameworkOwnership(principal, action.frameworkPrincipal);
  if (action.type === 'task.runAs') return runAs(rules?.runTasks ?? [], principal, action.user);
  if (rules === null) return ALLOWED;
  const who = principal === null ? 'an unauthenticated client' : `principal "${principal}"`;
  switch (action.type) {
    case 'framework.register':
      return byRole(
        rules.registerFrameworks,
        principal,
        action.role,
        `${who} may not register a framework in role "${action.role}" (no register_frameworks rule allows it)`,
      );
    case 'resources.reserve':
      return byRole(
        rules.reserveResources,
        principal,
        action.role,
        `${who} may not reserve resources for role "${action.role}" (no reserve_resources rule allows it)`,
      );
    case 'volume.create':
      return byRole(
        rules.createVolumes,
        principal,
        action.role,
        `${who} may not create volumes in role "${action.role}" (no create_volumes rule allows it)`,
      );
    case 'task.launch':
      return byRole(
        rules.launchTasks,
        principal,
        action.role,
        `${who} may not launch tasks in role "${action.role}" (no launch_tasks rule allows it)`,
      );
    case 'resources.unreserve':
      return byOwner(
        rules.unreserveResources,
        principal,
        action.reserverPrincipal,
        `${who} may not unreserve resources reserved by ${owner(action.reserverPrincipal)} (no unreserve_resources rule allows it)`,
      );
    case 'volume.destroy':
      return byOwner(
        rules.destroyVolumes,
        principal,
        action.creatorPrincipal,
        `${who} may not destroy volumes created by ${owner(action.creatorPrincipal)} (no destroy_volumes rule allows it)`,
      );
    case 'task.kill':
      return byOwner(
        rules.killTasks,
        principal,
        action.frameworkPrincipal,
        `${who} may not kill tasks of frameworks of ${owner(action.frameworkPrincipal)} (no kill_tasks rule allows it)`,
      );
    case 'framework.teardown':
      return byOwner(
        rules.teardownFrameworks,
        principal,
        action.frameworkPrincipal,
        `${who} may not tear down frameworks of ${owner(action.frameworkPrincipal)} (no teardown_frameworks rule allows it)`,
      );
    case 'operator.call':
      return byCall(
        rules.operatorCalls,
        principal,
        action.call,
        `${who} may not make the operator call ${action.call.slice(0, 64)} (no operator_calls rule allows it)`,
      );
    default: {
      const unreachable: never = action;
      throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * FrameworkInfo.principal, when set, must be the authenticated principal
 * (Mesos's rule), so that ownership and rules apply to who really called.
 */
export function checkFrameworkPrincipal(authenticated: string | null, declared: string | null | undefined): Authorization {
  if (authenticated === null || declared === undefined || declared === null || declared === authenticated) return ALLOWED;
  return {
    ok: false,
    status: 403,
    reason: `framework_info.principal "${declared.slice(0, 128)}" is not the authenticated principal "${authenticated}"`,
  };
}

/** A framework registered by a principal is driven (subscribed to, called for) by that principal only. */
function frameworkOwnership(principal: string | null, frameworkPrincipal: string | null): Authorization {
  // No principal means no authentication (no security file): a declared principal proves nothing to check against.
  if (principal === null || frameworkPrincipal === null || principal === frameworkPrincipal) return ALLOWED;
  return {
    ok: false,
    status: 403,
    reason: `principal "${principal}" may not act for a framework registered by principal "${frameworkPrincipal}"`,
  };
}

function subjectMatches(rule: { principals: readonly string[] }, principal: string | null): boolean {
  return rule.principals.includes('*') || (principal !== null && rule.principals.includes(principal));
}

/** "*" is every role, "a/*" every role strictly below a, anything else that role exactly. */
export function roleMatches(pattern: string, role: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) return role.startsWith(pattern.slice(0, -1));
  return pattern === role;
}

function byRole(rules: readonly RoleRule[], principal: string | null, role: string, reason: string): Authorization {
  const allowed = rules.some((rule) => subjectMatches(rule, principal) && rule.roles.some((pattern) => roleMatches(pattern, role)));
  return allowed ? ALLOWED : { ok: false, status: 403, reason };
}

/** A principal may always act on what it owns itself; others' things need a rule naming their owner (or "*"). */
function byOwner(rules: readonly PrincipalRule[], principal: string | null, objectOwner: string | null, reason: string): Authorization {
  if (principal !== null && principal === objectOwner) return ALLOWED;
  const allowed = rules.some(
    (rule) =>
      subjectMatches(rule, principal) && (rule.objects.includes('*') || (objectOwner !== null && rule.objects.includes(objectOwner))),
  );
  return allowed ? ALLOWED : { ok: false, status: 403, reason };
}

function runAs(rules: readonly RunTasksRule[], principal: string | null, user: string): Authorization {
  if (rules.some((rule) => subjectMatches(rule, principal) && (rule.users.includes('*') || rule.users.includes(user)))) return ALLOWED;
  const reason =
    principal === null
      ? `tasks may not run as user "${user.slice(0, 64)}" (no run_tasks rule allows it; without one, tasks run as the agent's task user)`
      : `principal "${principal}" may not run tasks as user "${user.slice(0, 64)}" (no run_tasks rule allows it)`;
  return { ok: false, status: 403, reason };
}

function byCall(rules: readonly OperatorCallRule[], principal: string | null, call: string, reason: string): Authorization {
  const allowed = rules.some((rule) => subjectMatches(rule, principal) && (rule.calls.includes('*') || rule.calls.includes(call)));
  return allowed ? ALLOWED : { ok: false, status: 403, reason };
}

function owner(principal: string | null): string {
  return principal === null ? 'no principal' : `principal "${principal}"`;
}
