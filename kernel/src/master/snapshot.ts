/**
 * The master's persistent state (Mesos's registry): roles with weights and
 * quota, agents (registered, unreachable, gone) with their totals, dynamic
 * reservations and volumes included, and the frameworks known so far. Tasks
 * are not persisted: agents report them when they re-register. A restored
 * master waits for its agents, then marks the missing ones unreachable.
 */
import type { QuotaSpec } from '../roles/quota.js';
import type { AgentRecord } from './agentRecord.js';
import { agentRecord } from './agentLifecycle.js';
import type { FrameworkSpec } from './commands.js';
import type { MaintenanceSnapshot } from '../maintenance/maintenance.js';
import type { MasterOptions } from './master.js';
import { Master } from './master.js';

export interface MasterSnapshot {
  version: 1;
  epoch: number;
  roles: Array<{ name: string; weight: number; quota: QuotaSpec | null }>;
  agents: AgentRecord[];
  unreachable: Array<{ atMs: number; record: AgentRecord }>;
  gone: Array<{ id: string; atMs: number }>;
  frameworks: Array<Required<Pick<FrameworkSpec, 'id' | 'name' | 'roles' | 'capabilities'>>>;
  /** Absent in snapshots written before maintenance existed (= no schedule). */
  maintenance?: MaintenanceSnapshot;
}

export function snapshotMaster(master: Master): MasterSnapshot {
  const roles = new Set<string>([...master.allocator.roles.keys(), ...master.allocator.quota.roles()]);
  return {
    version: 1,
    epoch: master.epoch,
    roles: [...roles]
      .sort()
      .map((name) => ({ name, weight: master.allocator.weight(name), quota: master.allocator.quota.quotaOf(name) ?? null })),
    agents: [...master.agents.values()]
      .map((agent) => agentRecord(master, agent))
      .concat([...master.recoveredAgents.values()].map((r) => r.record)),
    unreachable: [...master.unreachableAgents.values()].map(({ atMs, record }) => ({ atMs, record })),
    gone: [...master.goneAgents].map(([id, atMs]) => ({ id, atMs })),
    frameworks: [...master.frameworks.values()].map((framework) => ({
      id: framework.id,
      name: framework.name,
      roles: framework.roles,
      capabilities: [...framework.capabilities],
    })),
    ...(master.maintenance.windows.length > 0 || master.maintenance.down.size > 0 ? { maintenance: master.maintenance.snapshot() } : {}),
  };
}

/**
 * A new master (the next epoch) from a snapshot, at `nowMs`. Known frameworks
 * start disconnected until they re-subscribe; known agents wait for
 * re-registration for `agentReregisterTimeoutMs`.
 */
export function restoreMaster(snapshot: MasterSnapshot, options: MasterOptions, nowMs: number): Master {
  if (snapshot.version !== 1) throw new Error(`unsupported master snapshot version ${snapshot.version}`);
  const master = new Master({ ...options, epoch: snapshot.epoch + 1 });
  master.step({ type: 'tick', nowMs });
  for (const role of snapshot.roles) {
    master.step({ type: 'role.update', nowMs, role: role.name, weight: role.weight, ...(role.quota ? { quota: role.quota } : {}) });
  }
  for (const framework of snapshot.frameworks) master.addFramework(framework, false);
  for (const record of snapshot.agents) master.recoveredAgents.set(record.id, { sinceMs: nowMs, record });
  for (const { atMs, record } of snapshot.unreachable) master.unreachableAgents.set(record.id, { atMs, record });
  for (const { id, atMs } of snapshot.gone) master.goneAgents.set(id, atMs);
  if (snapshot.maintenance) master.maintenance.restore(snapshot.maintenance);
  return master;
}
