/**
 * Which authorization checks a scheduler or operator call needs, read from
 * its JSON (already parsed, not yet validated: anything malformed is allowed
 * through here and refused with 400 by the handler). Pure: the framework
 * directory is passed in. The first refusal wins, with its reason.
 */
import type { Action, Authorization } from './authorize.js';
import { authorize, checkFrameworkPrincipal } from './authorize.js';
import type { AuthorizationRules } from './securityConfig.js';

type Json = Record<string, any>;

/** What the master knows of a framework: its owner (FrameworkInfo.principal) and roles; undefined = unknown framework. */
export type FrameworkLookup = (frameworkId: string) => { principal: string | null; roles: readonly string[] } | undefined;

const ALLOWED: Authorization = { ok: true };
const ACTIONS_MAX = 4096;

export function authorizeSchedulerCall(
  rules: AuthorizationRules | null,
  principal: string | null,
  call: unknown,
  lookup: FrameworkLookup,
): Authorization {
  if (!isObject(call)) return ALLOWED;
  const actions: Action[] = [];
  if (call.type === 'SUBSCRIBE') {
    const info = isObject(call.subscribe) && isObject(call.subscribe.framework_info) ? call.subscribe.framework_info : {};
    if (principal !== null && info.principal !== principal) {
      const declared = checkFrameworkPrincipal(principal, typeof info.principal === 'string' ? info.principal : null);
      return declared.ok
        ? { ok: false, status: 403, reason: `framework_info.principal must be the authenticated principal "${principal}"` }
        : declared;
    }
    const claimed = stringAt(info.id) ?? stringAt(call.framework_id);
    const known = claimed === undefined ? undefined : lookup(claimed);
    if (known) actions.push({ type: 'framework.act', frameworkPrincipal: known.principal });
    const roles = Array.isArray(info.roles) ? info.roles : typeof info.role === 'string' ? [info.role] : ['*'];
    for (const role of roles) if (typeof role === 'string') actions.push({ type: 'framework.register', role });
    return check(rules, principal, actions);
  }
  const frameworkId = stringAt(call.framework_id);
  const known = frameworkId === undefined ? undefined : lookup(frameworkId);
  if (known) actions.push({ type: 'framework.act', frameworkPrincipal: known.principal });
  if (call.type === 'ACCEPT' && isObject(call.accept) && Array.isArray(call.accept.operations)) {
    for (const operation of call.accept.operations)
      if (isObject(operation)) actions.push(...operationActions(operation, known?.roles ?? []));
  }
  return check(rules, principal, actions);
}

export function authorizeOperatorCall(rules: AuthorizationRules | null, principal: string | null, call: unknown): Authorization {
  if (!isObject(call) || typeof call.type !== 'string') return ALLOWED;
  const actions: Action[] = [{ type: 'operator.call', call: call.type }];
  const body = (field: string, list: string): unknown[] =>
    isObject(call[field]) && Array.isArray(call[field][list]) ? call[field][list] : [];
  if (call.type === 'RESERVE_RESOURCES')
    actions.push(
      ...body('reserve_resources', 'resources').map((resource) => ({
        type: 'resources.reserve' as const,
        role: reservationRole(resource),
      })),
    );
  if (call.type === 'UNRESERVE_RESOURCES')
    actions.push(
      ...body('unreserve_resources', 'resources').map((resource) => ({
        type: 'resources.unreserve' as const,
        reserverPrincipal: reservationPrincipal(resource),
      })),
    );
  if (call.type === 'CREATE_VOLUMES')
    actions.push(...body('create_volumes', 'volumes').map((volume) => ({ type: 'volume.create' as const, role: reservationRole(volume) })));
  if (call.type === 'DESTROY_VOLUMES')
    actions.push(
      ...body('destroy_volumes', 'volumes').map((volume) => ({
        type: 'volume.destroy' as const,
        creatorPrincipal: volumePrincipal(volume),
      })),
    );
  return check(rules, principal, actions);
}

function operationActions(operation: Json, frameworkRoles: readonly string[]): Action[] {
  const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
  switch (operation.type) {
    case 'LAUNCH':
      return launchRoles(list(operation.launch?.task_infos), frameworkRoles);
    case 'LAUNCH_GROUP':
      return launchRoles(list(operation.launch_group?.task_group?.tasks), frameworkRoles);
    case 'RESERVE':
      return list(operation.reserve?.resources).map((resource) => ({ type: 'resources.reserve', role: reservationRole(resource) }));
    case 'UNRESERVE':
      return list(operation.unreserve?.resources).map((resource) => ({
        type: 'resources.unreserve',
        reserverPrincipal: reservationPrincipal(resource),
      }));
    case 'CREATE':
      return list(operation.create?.volumes).map((volume) => ({ type: 'volume.create', role: reservationRole(volume) }));
    case 'DESTROY':
      return list(operation.destroy?.volumes).map((volume) => ({ type: 'volume.destroy', creatorPrincipal: volumePrincipal(volume) }));
    default:
      return [];
  }
}

/** A task launches in the role its resources are allocated to (allocation_info), else the framework's only role. */
function launchRoles(tasks: Json[], frameworkRoles: readonly string[]): Action[] {
  const roles = new Set<string>();
  for (const task of tasks) {
    for (const resource of Array.isArray(task.resources) ? task.resources : []) {
      const role = isObject(resource) && isObject(resource.allocation_info) ? resource.allocation_info.role : undefined;
      if (typeof role === 'string') roles.add(role);
    }
  }
  if (roles.size === 0) for (const role of frameworkRoles.length === 1 ? frameworkRoles : ['*']) roles.add(role);
  return [...roles].map((role) => ({ type: 'task.launch', role }));
}

/** The role a resource is (being) reserved for: the top of its reservation stack, or the legacy `role`. */
function reservationRole(resource: unknown): string {
  if (!isObject(resource)) return '*';
  const stack = Array.isArray(resource.reservations) ? resource.reservations : [];
  const top = stack[stack.length - 1];
  if (isObject(top) && typeof top.role === 'string') return top.role;
  return typeof resource.role === 'string' ? resource.role : '*';
}

function reservationPrincipal(resource: unknown): string | null {
  if (!isObject(resource)) return null;
  const stack = Array.isArray(resource.reservations) ? resource.reservations : [];
  const top = stack[stack.length - 1];
  if (isObject(top) && typeof top.principal === 'string') return top.principal;
  return isObject(resource.reservation) && typeof resource.reservation.principal === 'string' ? resource.reservation.principal : null;
}

function volumePrincipal(volume: unknown): string | null {
  return isObject(volume) &&
    isObject(volume.disk) &&
    isObject(volume.disk.persistence) &&
    typeof volume.disk.persistence.principal === 'string'
    ? volume.disk.persistence.principal
    : null;
}

function check(rules: AuthorizationRules | null, principal: string | null, actions: Action[]): Authorization {
  if (actions.length > ACTIONS_MAX)
    return { ok: false, status: 403, reason: `the call needs more than ${ACTIONS_MAX} authorization checks` };
  for (const action of actions) {
    const result = authorize(rules, principal, action);
    if (!result.ok) return result;
  }
  return ALLOWED;
}

function stringAt(id: unknown): string | undefined {
  return isObject(id) && typeof id.value === 'string' ? id.value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
