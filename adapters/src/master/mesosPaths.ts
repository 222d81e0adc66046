/**
 * Mesos routes by longest prefix, and a master answers under its process
 * name too: `/master/api/v1/scheduler` is `/api/v1/scheduler`, and
 * `/api/v1/operator` or `/master/api/v1` reach the operator API at `/api/v1`.
 * Clients use every spelling, so all of them are served, and whatever checks
 * a call (authorization, CORS) looks at the canonical path.
 */

export const SCHEDULER_PATH = '/api/v1/scheduler';
export const OPERATOR_PATH = '/api/v1';

export const SCHEDULER_PATHS: readonly string[] = [SCHEDULER_PATH, '/master/api/v1/scheduler'];
export const OPERATOR_PATHS: readonly string[] = [OPERATOR_PATH, '/api/v1/operator', '/master/api/v1', '/master/api/v1/operator'];

/** The classic read-only endpoints, under both spellings, with the operator call whose rule governs reading them. */
export const CLASSIC_READS: Readonly<Record<string, string>> = {
  '/state': 'GET_STATE',
  '/state.json': 'GET_STATE',
  '/master/state': 'GET_STATE',
  '/master/state.json': 'GET_STATE',
  '/state-summary': 'GET_STATE',
  '/master/state-summary': 'GET_STATE',
  '/slaves': 'GET_AGENTS',
  '/master/slaves': 'GET_AGENTS',
  '/frameworks': 'GET_FRAMEWORKS',
  '/master/frameworks': 'GET_FRAMEWORKS',
  '/tasks': 'GET_TASKS',
  '/tasks.json': 'GET_TASKS',
  '/master/tasks': 'GET_TASKS',
  '/master/tasks.json': 'GET_TASKS',
  '/roles': 'GET_ROLES',
  '/roles.json': 'GET_ROLES',
  '/master/roles': 'GET_ROLES',
  '/master/roles.json': 'GET_ROLES',
  '/flags': 'GET_FLAGS',
  '/master/flags': 'GET_FLAGS',
  '/version': 'GET_VERSION',
  '/metrics/snapshot': 'GET_METRICS',
  '/master/maintenance/schedule': 'GET_MAINTENANCE_SCHEDULE',
  '/maintenance/schedule': 'GET_MAINTENANCE_SCHEDULE',
  '/master/maintenance/status': 'GET_MAINTENANCE_STATUS',
  '/maintenance/status': 'GET_MAINTENANCE_STATUS',
};

/** Classic endpoints that change things (POST), with the operator call whose rule governs them. */
export const CLASSIC_WRITES: Readonly<Record<string, string>> = {
  '/master/maintenance/schedule': 'UPDATE_MAINTENANCE_SCHEDULE',
  '/maintenance/schedule': 'UPDATE_MAINTENANCE_SCHEDULE',
  '/master/machine/down': 'START_MAINTENANCE',
  '/machine/down': 'START_MAINTENANCE',
  '/master/machine/up': 'STOP_MAINTENANCE',
  '/machine/up': 'STOP_MAINTENANCE',
};

/** The operator call a classic endpoint stands for (reads by GET, changes by POST), or undefined. */
export function classicCall(method: string, path: string): string | undefined {
  return method === 'POST' ? CLASSIC_WRITES[path] : CLASSIC_READS[path];
}

/** The path without query and trailing slashes, with aliases mapped to the path they serve. */
export function canonicalMasterPath(url: string): string {
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).replace(/\/+$/, '') || '/';
  if (SCHEDULER_PATHS.includes(path)) return SCHEDULER_PATH;
  if (OPERATOR_PATHS.includes(path)) return OPERATOR_PATH;
  return path;
}
