/**
 * Reading a scenario's roles: a valid, unique name, a weight (> 0, default 1)
 * and an optional quota. Quota follows Mesos: only on top-level roles, and a
 * guarantee never above the limit for the same resource. The quota reader is
 * shared with the `role.update` fault.
 */
import { SCALAR_EPSILON } from '../resources/vector.js';
import type { ScenarioQuota, ScenarioRole } from './scenario.js';
import { type Errors, Fields, fieldPath, indexPath, listEntries, positiveNumber, quote } from '../schedulers/fieldReaders.js';
import { resourceQuantities, roleName } from '../schedulers/resourceReaders.js';

const ROLE_FIELDS = ['name', 'weight', 'quota'] as const;
const QUOTA_FIELDS = ['guarantee', 'limit'] as const;

/** Reads the quota at `path`; `role` (when valid) must be top-level. */
export function readQuota(value: unknown, path: string, errors: Errors, role: string | undefined): ScenarioQuota | undefined {
  if (role?.includes('/')) {
    const top = role.slice(0, role.indexOf('/'));
    errors.push({ path, message: `quota is only allowed on top-level roles; ${quote(role)} is nested (set quota on ${quote(top)})` });
  }
  const fields = Fields.open(value, path, errors, QUOTA_FIELDS);
  if (fields === undefined) return undefined;
  const quota: ScenarioQuota = {};
  const guarantee = fields.maybe('guarantee', resourceQuantities);
  const limit = fields.maybe('limit', resourceQuantities);
  if (guarantee !== undefined) quota.guarantee = guarantee;
  if (limit !== undefined) quota.limit = limit;
  if (guarantee === undefined || limit === undefined) return quota;
  for (const [name, amount] of Object.entries(guarantee)) {
    const cap = limit[name];
    if (cap === undefined || amount <= cap + SCALAR_EPSILON) continue;
    errors.push({
      path: fieldPath(fields.pathOf('guarantee'), name),
      message: `guarantee ${amount} is above the limit ${cap} for ${quote(name)}`,
    });
  }
  return quota;
}

function readRole(value: unknown, path: string, errors: Errors): ScenarioRole | undefined {
  const fields = Fields.open(value, path, errors, ROLE_FIELDS);
  if (fields === undefined) return undefined;
  const name = fields.required('name', roleName);
  const weight = fields.optional('weight', positiveNumber, 1);
  const role: ScenarioRole = { name: name ?? '', weight };
  if (fields.has('quota')) {
    const quota = readQuota(fields.value('quota'), fields.pathOf('quota'), errors, name);
    if (quota !== undefined) role.quota = quota;
  }
  return name === undefined ? undefined : role;
}

/** The roles section; a role named twice is reported at its second entry. */
export function readRoles(value: unknown, path: string, errors: Errors): ScenarioRole[] {
  const roles: ScenarioRole[] = [];
  const firstPaths = new Map<string, string>();
  listEntries(value, path, errors, 'an array of roles').forEach((entry, index) => {
    const role = readRole(entry, indexPath(path, index), errors);
    if (role === undefined) return;
    const first = firstPaths.get(role.name);
    if (first !== undefined) {
      errors.push({ path: `${indexPath(path, index)}.name`, message: `duplicate role ${quote(role.name)} (first at ${first})` });
      return;
    }
    firstPaths.set(role.name, indexPath(path, index));
    roles.push(role);
  });
  return roles;
}
