/**
 * Which authorization checks a scheduler or operator call needs. Pure, and
 * run on the call the handler acts on, never on the raw body: the handler
 * validates and normalizes first (nulls dropped), then passes in what it
 * derived itself: the roles a SUBSCRIBE registers in (frameworkInfo.ts), and
 * for an ACCEPT the role of each offer it names (a task launches in its
 * offers' role; `allocation_info` from the client decides nothing). The
 * first refusal wins, with its reason. An ACCEPT is judged as Mesos does:
 * the call as a whole only on who may act for the framework, then each
 * operation on its own (a refused one fails its tasks or is dropped, and the
 * others go ahead).
 */
import type { Action, Authorization } from './authorize.js';
import { authorize, checkFrameworkPrincipal } from './authorize.js';
import type { AuthorizationRules } from './securityConfig.js';

type Json = Record<string, any>;

/** What the master knows of a framework: its owner (FrameworkInfo.principal) and roles; undefined = unknown framework. */
export type FrameworkLookup = (frameworkId: string) => { principal: string | null; roles: readonly string[] } | undefined;

export interface CallLookup {
  framework: FrameworkLookup;
  /** The role of an outstanding offer; undefined when there is no such offer (now). */
  offerRole: (offerId: string) => string | undefined;
}

/** A SUBSCRIBE as the handler reads it: the framework id it claims, the roles it registers in, the principal it declares. */
export interface SubscribeFacts {
  frameworkId: string | undefined;
  roles: readonly string[];
  declaredPrincipal: string | null;
}

const ALLOWED: Authorization = { ok: true };
const ACTIONS_MAX = 4096;

export function authorizeSubscribe(
  rules: AuthorizationRules | null,
  principal: string | null,
  facts: SubscribeFacts,
  lookup: FrameworkLookup,
): Authorization {
  if (principal !== null && facts.declaredPrincipal !== principal) {
    const declared = checkFrameworkPrincipal(principal, facts.declaredPrincipal);
    return declared.ok
      ? { ok: false, status: 403, reason: `framework_info.principal must be the authenticated principal "${principal}"` }
      : declared;
  }
  const actions: Action[] = [];
  const known = facts.frameworkId === undefined ? undefined : lookup(facts.frameworkId);
  if (known) actions.push({ type: 'framework.act', frameworkPrincipal: known.principal });
  for (const role of facts.roles) actions.push({ type: 'framework.register', role });
  return check(rules, principal, actions);
}

/** Any scheduler call but SUBSCRIBE, validated and normalized; an ACCEPT's operations are judged by `authorizeAcceptOperations`. */
export function authorizeSchedulerCall(
  rules: AuthorizationRules | null,
  principal: string | null,
  call: Json,
  lookup: CallLookup,
): Authorization {
  const actions: Action[] = [];
  const frameworkId = stringAt(call.framework_id);
  const known = frameworkId === undefined ? undefined : lookup.framework(frameworkId);
  if (known) actions.push({ type: 'framework.act', frameworkPrincipal: known.principal });
  const checks = acceptActions(call, lookup).reduce((sum, operation) => sum + operation.length, actions.length);
  if (checks > ACTIONS_MAX) return { ok: false, status: 403, reason: `the call needs more than ${ACTIONS_MAX} authorization checks` };
  return check(rules, principal, actions);
}

/** Each operation of an ACCEPT on its own, in order (one answer per entry of `accept.operations`). */
export function authorizeAcceptOperations(
  rules: AuthorizationRules | null,
  principal: string | null,
  call: Json,
  lookup: CallLookup,
): Authorization[] {
  return acceptActions(call, lookup).map((actions) => check(rules, principal, actions));
}

/** The checks each operation of an ACCEPT needs; none for a call that is not an ACCEPT. */
function acceptActions(call: Json, lookup: CallLookup): Action[][] {
  if (call.type !== 'ACCEPT' || !isObject(call.accept) || !Array.isArray(call.accept.operations)) return [];
  const frameworkId = stringAt(call.framework_id);
  const known = frameworkId === undefined ? undefined : lookup.framework(frameworkId);
  const roles = offerRoles(call.accept.offer_ids, lookup.offerRole, known?.roles ?? []);
  return call.accept.operations.map((operation: unknown) => (isObject(operation) ? operationActions(operation, roles) : []));
}

/**
 * The roles a launch on these offers happens in: each outstanding offer's own role. An offer id that is not
 * outstanding counts as every role of the framework, since ids are sequential and an offer made after this check
 * (while the call waits in the queue) would be in one of them.
 */
function offerRoles(offerIds: unknown, offerRole: CallLookup['offerRole'], frameworkRoles: readonly string[]): Set<string> {
  const roles = new Set<string>();
  for (const id of Array.isArray(offerIds) ? offerIds : []) {
    const value = stringAt(id);
    const role = value === undefined ? undefined : offerRole(value);
    if (role !== undefined) roles.add(role);
    else for (const candidate of frameworkRoles.length > 0 ? frameworkRoles : ['*']) roles.add(candidate);
  }
  return roles;
}

/** An operator call, validated and normalized. */
export function authorizeOperatorCall(rules: AuthorizationRules | null, principal: string | null, call: Json): Authorization {
  if (typeof call.type !== 'string') return ALLOWED;
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

function operationActions(operation: Json, launchRoles: ReadonlySet<string>): Action[] {
  const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
  switch (operation.type) {
    case 'LAUNCH':
    case 'LAUNCH_GROUP': {
      const tasks = list(operation.type === 'LAUNCH' ? operation.launch?.task_infos : operation.launch_group?.task_group?.tasks);
      // The user the task asks for, exactly where taskInfo.ts reads it for the agent.
      const users = tasks.flatMap((task) => (typeof task.command?.user === 'string' ? [task.command.user as string] : []));
      return [
        ...[...launchRoles].map((role): Action => ({ type: 'task.launch', role })),
        ...[...new Set(users)].map((user): Action => ({ type: 'task.runAs', user })),
      ];
    }
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
