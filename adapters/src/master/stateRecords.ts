/**
 * The value stored under each key of the master's state (stateKeys.ts), as
 * it is now in memory: `currentValue(key)` serializes the object the key
 * names, or answers null when the object no longer exists (the key is to be
 * deleted). Each value holds one object only, so its size does not grow
 * with the cluster: an agent's entry, its resources, a framework, a role.
 */
import type { AgentAttributes, Master, MasterSnapshot, QuotaSpec, SerializedResourceSet } from '@allot/kernel';
import { serializeResourceSet } from '@allot/kernel';
import type { HostRegistry } from './hostRegistry.js';
import type { StateKey } from './stateKeys.js';
import { parseStateKey } from './stateKeys.js';

export const STATE_FORMAT = 'allot-master-state';
export const STATE_VERSION = 2;

export interface MetaRecord {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  masterId: string;
  clockBaseMs: number;
  /** Kernel time when this record was written: a restarted master's clock starts no earlier. */
  lastNowMs: number;
  nextFrameworkSeq: number;
  /** Failover generation of the master that wrote it (offer ids carry it). */
  epoch: number;
}

/** An agent's registry entry: admitted (registered, or expected back after a failover), unreachable, or gone for good. */
export interface AgentStateRecord {
  id: string;
  status: 'admitted' | 'unreachable' | 'gone';
  /** Since when unreachable or gone (kernel ms); null when admitted. */
  sinceMs: number | null;
  hostname?: string;
  attributes?: AgentAttributes;
  endpoint?: { ip: string; port: number; registeredAtMs: number };
}

/** An agent's total resources, its dynamic reservations and persistent volumes included. */
export interface ResourcesRecord {
  agentId: string;
  total: SerializedResourceSet;
}

export interface FrameworkStateRecord {
  id: string;
  name: string;
  roles: string[];
  capabilities: string[];
  info: Record<string, unknown>;
  failoverTimeoutMs: number;
  registeredAtMs: number;
}

export interface RoleRecord {
  name: string;
  weight: number;
  quota: QuotaSpec | null;
}

export function metaRecord(master: Master, registry: HostRegistry): MetaRecord {
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    masterId: registry.masterId,
    clockBaseMs: registry.clockBaseMs,
    lastNowMs: master.nowMs,
    nextFrameworkSeq: registry.nextFrameworkSeq,
    epoch: master.epoch,
  };
}

function agentState(
  master: Master,
  registry: HostRegistry,
  agentId: string,
): { record: AgentStateRecord; total: SerializedResourceSet | null } | null {
  const endpoint = registry.agents.get(agentId);
  const address = endpoint ? { endpoint: { ip: endpoint.ip, port: endpoint.port, registeredAtMs: endpoint.registeredAtMs } } : {};
  const agent = master.agents.get(agentId);
  if (agent) {
    const record: AgentStateRecord = {
      id: agentId,
      status: 'admitted',
      sinceMs: null,
      hostname: agent.hostname,
      attributes: { ...agent.attributes },
      ...address,
    };
    return { record, total: serializeResourceSet(agent.total, master.layout) };
  }
  const known = master.recoveredAgents.get(agentId)?.record;
  const unreachable = master.unreachableAgents.get(agentId);
  const entry = known ?? unreachable?.record;
  if (entry) {
    const status = known ? 'admitted' : 'unreachable';
    const record: AgentStateRecord = {
      id: agentId,
      status,
      sinceMs: known ? null : unreachable!.atMs,
      hostname: entry.hostname,
      attributes: { ...entry.attributes },
      ...address,
    };
    return { record, total: entry.total };
  }
  const goneAtMs = master.goneAgents.get(agentId);
  return goneAtMs === undefined ? null : { record: { id: agentId, status: 'gone', sinceMs: goneAtMs }, total: null };
}

function frameworkState(master: Master, registry: HostRegistry, frameworkId: string): FrameworkStateRecord | null {
  const framework = master.frameworks.get(frameworkId);
  const record = registry.frameworks.get(frameworkId);
  if (!framework || !record) return null;
  return {
    id: frameworkId,
    name: framework.name,
    roles: [...framework.roles],
    capabilities: [...framework.capabilities],
    info: record.info,
    failoverTimeoutMs: record.failoverTimeoutMs,
    registeredAtMs: record.registeredAtMs,
  };
}

/** Only roles an operator set something on: the others come back with their frameworks. */
function roleState(master: Master, role: string): RoleRecord | null {
  const weight = master.allocator.weight(role);
  const quota = role.includes('/') ? null : (master.allocator.quota.quotaOf(role) ?? null);
  return weight === 1 && quota === null ? null : { name: role, weight, quota };
}

/** The maintenance schedule, machines down and inverse-offer answers; null when there is none (the key is deleted). */
function maintenanceState(master: Master): MasterSnapshot['maintenance'] | null {
  const { maintenance } = master;
  return maintenance.windows.length === 0 && maintenance.down.size === 0 ? null : maintenance.snapshot();
}

/** The value `key` should hold now (JSON), or null when its object is gone. */
export function currentValue(key: string | StateKey, master: Master, registry: HostRegistry): string | null {
  const parsed = typeof key === 'string' ? parseStateKey(key) : key;
  if (parsed === null) throw new Error(`${String(key)} is not a key of the master's state`);
  switch (parsed.kind) {
    case 'meta':
      return JSON.stringify(metaRecord(master, registry));
    case 'agent': {
      const state = agentState(master, registry, parsed.id);
      return state ? JSON.stringify(state.record) : null;
    }
    case 'resources': {
      const total = agentState(master, registry, parsed.id)?.total;
      return total ? JSON.stringify({ agentId: parsed.id, total } satisfies ResourcesRecord) : null;
    }
    case 'framework': {
      const framework = frameworkState(master, registry, parsed.id);
      return framework ? JSON.stringify(framework) : null;
    }
    case 'role': {
      const role = roleState(master, parsed.id);
      return role ? JSON.stringify(role) : null;
    }
    case 'maintenance': {
      const maintenance = maintenanceState(master);
      return maintenance ? JSON.stringify(maintenance) : null;
    }
    default: {
      const unknown: never = parsed;
      throw new Error(`unknown state key ${JSON.stringify(unknown)}`);
    }
  }
}
