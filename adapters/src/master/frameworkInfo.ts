/**
 * A Mesos `FrameworkInfo` (JSON) read for the kernel: roles (MULTI_ROLE
 * `roles`, else the legacy `role`, default "*"), capability names, the
 * failover timeout after which a disconnected framework is torn down, and
 * the copy the master stores (known fields only, bounded in size).
 */
import type { FrameworkSpec } from '@allot/kernel';
import { roleNameProblem } from '@allot/kernel';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { frameworkInfoSchema } from './callSchemas.js';
import type { Converted } from './mesosResources.js';

type Json = Record<string, any>;

/** Mesos's default failover timeout is 0: a framework that disconnects is removed at once. */
export const FAILOVER_TIMEOUT_MAX_MS = 365 * 24 * 3600 * 1000;

export function frameworkRoles(info: Json, at: string): Converted<string[]> {
  const roles: string[] = Array.isArray(info.roles) && info.roles.length > 0 ? info.roles : [info.role ?? '*'];
  const field = Array.isArray(info.roles) && info.roles.length > 0 ? `${at}.roles` : `${at}.role`;
  for (const [index, role] of roles.entries()) {
    if (role === '*') continue;
    const problem = roleNameProblem(role);
    if (problem)
      return {
        ok: false,
        field: field.endsWith('roles') ? `${field}[${index}]` : field,
        message: `role "${role.slice(0, 64)}" ${problem}`,
      };
  }
  if (new Set(roles).size !== roles.length) return { ok: false, field, message: 'lists a role more than once' };
  return { ok: true, value: roles };
}

export function capabilityNames(info: Json): string[] {
  return ((info.capabilities as Json[] | undefined) ?? []).map((capability) => String(capability.type));
}

export function failoverTimeoutMs(info: Json): number {
  const seconds = typeof info.failover_timeout === 'number' ? info.failover_timeout : 0;
  return Math.min(FAILOVER_TIMEOUT_MAX_MS, Math.max(0, Math.round(seconds * 1000)));
}

export function frameworkSpec(id: string, info: Json, roles: string[]): FrameworkSpec {
  return { id, name: typeof info.name === 'string' ? info.name : id, roles, capabilities: capabilityNames(info) };
}

/** Drops, in place and at any depth, every field the FrameworkInfo schema does not name. */
const stripUnknown: ValidateFunction = new Ajv({ allErrors: false, strict: false, removeAdditional: 'all' }).compile(frameworkInfoSchema);

/** A validated FrameworkInfo reduced to the fields it is known to have (the copy the master stores). */
function knownFrameworkFields(info: Json): Json {
  const copy = structuredClone(info);
  stripUnknown(copy);
  return copy;
}

/** What one stored FrameworkInfo may take once its unknown fields are gone. */
export const FRAMEWORK_INFO_BYTES_MAX = 65_536;

/** The FrameworkInfo the master keeps: known fields only (unknown ones are ignored, never stored), id and roles set. */
export function storedFrameworkInfo(info: Json, id: string, roles: string[], at: string): Converted<Json> {
  const stored = { ...knownFrameworkFields(info), id: { value: id }, roles };
  const bytes = Buffer.byteLength(JSON.stringify(stored));
  if (bytes > FRAMEWORK_INFO_BYTES_MAX)
    return { ok: false, field: at, message: `takes ${bytes} bytes once stored; at most ${FRAMEWORK_INFO_BYTES_MAX}` };
  return { ok: true, value: stored };
}
