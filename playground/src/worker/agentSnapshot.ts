/**
 * Per-agent bulk data for the cluster map, packed into typed arrays that the
 * worker hands over (transfers) instead of copying. One pass over the agents
 * and one over the live tasks and outstanding offers: no per-agent objects.
 */
import type { Master, Task } from '@allot/kernel';
import type { AgentBulk } from './frame.js';
import { AGENT_STATUSES } from './frame.js';
import { totalScalars } from './runObserver.js';

export interface AgentCatalog {
  ids: string[];
  index: Map<string, number>;
  version: number;
}

export function buildAgentBulk(
  master: Master,
  catalog: AgentCatalog,
  roleNames: readonly string[],
  live: ReadonlyMap<string, ReadonlyMap<string, Task>>,
  sendIds: boolean,
  /** AGENT_UP, AGENT_DOWN, ...: the simulated host and the master's books together decide (a crashed host stays in the books a while). */
  statusOf: (agentId: string) => number,
): AgentBulk {
  const count = catalog.ids.length;
  const roleCount = roleNames.length;
  const roleIndex = new Map(roleNames.map((name, i) => [name, i]));
  const slot = Math.max(0, master.layout.slotOf('cpus'));
  const fill = new Float32Array(count * roleCount);
  const offered = new Float32Array(count);
  const reserved = new Float32Array(count);
  const reservedRole = new Int16Array(count).fill(-1);
  const status = new Uint8Array(count);
  const tasks = new Uint16Array(count);
  const volumes = new Uint8Array(count);
  const capacity = new Float64Array(count);
  const statusCounts = new Uint32Array(AGENT_STATUSES);
  const roleCpus = new Float64Array(roleCount);
  let cpusTotal = 0;

  for (let i = 0; i < count; i++) status[i] = statusOf(catalog.ids[i]);
  for (const agent of master.agents.values()) {
    const i = catalog.index.get(agent.id);
    if (i === undefined) continue;
    const total = totalScalars(agent.total)[slot] ?? 0;
    capacity[i] = total;
    cpusTotal += total;
    if (total <= 0) continue;
    let reservedAmount = 0;
    for (const part of agent.total.reserved) {
      reservedAmount += part.scalars[slot];
      if (reservedRole[i] < 0) reservedRole[i] = roleIndex.get(part.role) ?? -1;
      if ((part as { volume?: unknown }).volume) volumes[i] = 1;
    }
    reserved[i] = reservedAmount / total;
  }
  for (const byId of live.values()) {
    for (const task of byId.values()) {
      const i = catalog.index.get(task.agentId);
      if (i === undefined || capacity[i] <= 0) continue;
      tasks[i] = Math.min(65535, tasks[i] + 1);
      const r = roleIndex.get(task.role);
      if (r !== undefined) {
        const cpus = totalScalars(task.resources)[slot];
        fill[i * roleCount + r] += cpus / capacity[i];
        roleCpus[r] += cpus;
      }
      for (const part of task.resources.reserved) if ((part as { volume?: unknown }).volume) volumes[i] = 1;
    }
  }
  for (const offer of master.offers.all()) {
    const i = catalog.index.get(offer.agentId);
    if (i === undefined || capacity[i] <= 0) continue;
    offered[i] += totalScalars(offer.resources)[slot] / capacity[i];
  }
  for (let i = 0; i < count; i++) statusCounts[status[i]]++;
  const roleCpuShare = new Float32Array(roleCount);
  for (let r = 0; r < roleCount; r++) roleCpuShare[r] = cpusTotal > 0 ? roleCpus[r] / cpusTotal : 0;
  return {
    version: catalog.version,
    ids: sendIds ? catalog.ids.slice() : null,
    roleNames: [...roleNames],
    count,
    fill,
    offered,
    reserved,
    reservedRole,
    status,
    tasks,
    volumes,
    statusCounts,
    roleCpuShare,
  };
}

export function agentBulkBytes(bulk: AgentBulk): number {
  let bytes = 0;
  for (const array of bulkArrays(bulk)) bytes += array.byteLength;
  if (bulk.ids) for (const id of bulk.ids) bytes += id.length + 3;
  return bytes;
}

export function agentBulkTransferables(bulk: AgentBulk): ArrayBuffer[] {
  return bulkArrays(bulk).map((array) => array.buffer as ArrayBuffer);
}

function bulkArrays(bulk: AgentBulk): ArrayBufferView[] {
  return [
    bulk.fill,
    bulk.offered,
    bulk.reserved,
    bulk.reservedRole,
    bulk.status,
    bulk.tasks,
    bulk.volumes,
    bulk.statusCounts,
    bulk.roleCpuShare,
  ];
}
