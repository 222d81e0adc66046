/**
 * The names of the master's state in its store, one key per object (as
 * Mesos's registry keeps one entry per agent): `meta` (master id, clock
 * base, epoch, framework counter), `agent.<id>` (registry entry: identity,
 * status, address), `resources.<id>` (the agent's total with its
 * reservations and volumes), `framework.<id>`, `role.<name>` (weight and
 * quota), `maintenance` (the maintenance schedule, machines down and the
 * frameworks' answers to inverse offers: one object, as Mesos's registry
 * keeps its schedules). Ids are escaped so that any id makes a valid key.
 * Tasks have no key: agents bring them back when they re-register.
 */
import { fromKeyPart, keyPart } from '../store/stateStore.js';

export const META_KEY = 'meta';
export const MAINTENANCE_KEY = 'maintenance';
/** The single document of the layout before per-object keys (read once, migrated, deleted). */
export const LEGACY_DOCUMENT_KEY = 'master-state';

export type ObjectKind = 'agent' | 'resources' | 'framework' | 'role';

export type StateKey = { kind: 'meta' } | { kind: 'maintenance' } | { kind: ObjectKind; id: string };

export const agentKey = (agentId: string): string => `agent.${keyPart(agentId)}`;
export const resourcesKey = (agentId: string): string => `resources.${keyPart(agentId)}`;
export const frameworkKey = (frameworkId: string): string => `framework.${keyPart(frameworkId)}`;
export const roleKey = (role: string): string => `role.${keyPart(role)}`;

const KINDS: ReadonlySet<string> = new Set<ObjectKind>(['agent', 'resources', 'framework', 'role']);

/** The object a key names, or null for a key that is not the master's (left alone). */
export function parseStateKey(key: string): StateKey | null {
  if (key === META_KEY) return { kind: 'meta' };
  if (key === MAINTENANCE_KEY) return { kind: 'maintenance' };
  const dot = key.indexOf('.');
  const kind = key.slice(0, dot);
  if (dot < 0 || !KINDS.has(kind)) return null;
  return { kind: kind as ObjectKind, id: fromKeyPart(key.slice(dot + 1)) };
}
