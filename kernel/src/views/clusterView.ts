/**
 * A JSON picture of the running master, computed on demand: agents (with
 * total, free, offered and allocated), frameworks, roles with their DRF
 * shares, task counts by state and the kernel's counters. Shared by
 * the daemon's `/metrics`, live event stream snapshots and operator API,
 * and the playground's replay of a recording (the same picture at any
 * moment of the recorded master).
 * Shares are dominant shares of the cluster total held by live tasks and
 * outstanding offers (Mesos counts offered-or-allocated), divided by weight.
 */
import type { ResourceQuantities } from '../resources/layout.js';
import { roundScalar } from '../resources/layout.js';
import type { ResourceSet, ResourceSetDescription } from '../resources/resourceSet.js';
import { describeResourceSet } from '../resources/resourceSet.js';
import { isTerminal, releasesResources } from '../tasks/taskState.js';
import type { Master } from '../master/master.js';

export interface AgentView {
  id: string;
  hostname: string;
  status: 'active' | 'draining' | 'disconnected' | 'unreachable' | 'recovering' | 'gone';
  attributes: Record<string, string | number>;
  total: ResourceSetDescription | null;
  free: ResourceSetDescription | null;
  allocated: ResourceQuantities;
  offered: ResourceQuantities;
  tasks: number;
}

export interface FrameworkView {
  id: string;
  name: string;
  roles: string[];
  connected: boolean;
  allocated: ResourceQuantities;
  offered: ResourceQuantities;
  share: number;
  tasks: Record<string, number>;
}

export interface RoleView {
  name: string;
  weight: number;
  quota: { guarantee: ResourceQuantities; limit: ResourceQuantities } | null;
  allocated: ResourceQuantities;
  share: number;
  weightedShare: number;
  frameworks: string[];
}

export interface ClusterView {
  nowMs: number;
  epoch: number;
  agents: AgentView[];
  frameworks: FrameworkView[];
  roles: RoleView[];
  cluster: {
    agents: number;
    agentsActive: number;
    total: ResourceQuantities;
    allocated: ResourceQuantities;
    offered: ResourceQuantities;
    utilization: ResourceQuantities;
  };
  taskStates: Record<string, number>;
  counters: Record<string, number>;
}

/** All scalars of a set, reserved parts included. */
function allScalars(_master: Master, set: ResourceSet): Float64Array {
  const out = set.scalars.slice();
  for (const part of set.reserved) for (let slot = 0; slot < out.length; slot++) out[slot] += part.scalars[slot];
  return out;
}

function addTo(map: Map<string, Float64Array>, key: string, vector: Float64Array): void {
  const sum = map.get(key);
  if (!sum) map.set(key, vector.slice());
  else for (let slot = 0; slot < sum.length; slot++) sum[slot] += vector[slot];
}

export function clusterView(master: Master): ClusterView {
  const layout = master.layout;
  const quantities = (vector: Float64Array | undefined) => (vector ? layout.quantities(vector) : {});
  const allocatedByAgent = new Map<string, Float64Array>();
  const allocatedByFramework = new Map<string, Float64Array>();
  const allocatedByRole = new Map<string, Float64Array>();
  const offeredByAgent = new Map<string, Float64Array>();
  const offeredByFramework = new Map<string, Float64Array>();
  const taskStates: Record<string, number> = {};
  const tasksByFramework = new Map<string, Record<string, number>>();
  const liveTasksByAgent = new Map<string, number>();
  for (const framework of master.frameworks.values()) {
    const byState: Record<string, number> = {};
    tasksByFramework.set(framework.id, byState);
    for (const task of framework.tasks.values()) {
      taskStates[task.state] = (taskStates[task.state] ?? 0) + 1;
      byState[task.state] = (byState[task.state] ?? 0) + 1;
      if (releasesResources(task.state)) continue;
      const scalars = allScalars(master, task.resources);
      addTo(allocatedByAgent, task.agentId, scalars);
      addTo(allocatedByFramework, framework.id, scalars);
      addTo(allocatedByRole, task.role, scalars);
      if (!isTerminal(task.state)) liveTasksByAgent.set(task.agentId, (liveTasksByAgent.get(task.agentId) ?? 0) + 1);
    }
  }
  // Custom executors hold resources of their own beside their tasks' (as in Mesos's allocated figures).
  for (const executor of master.executors.all()) {
    const scalars = allScalars(master, executor.resources);
    addTo(allocatedByAgent, executor.agentId, scalars);
    addTo(allocatedByFramework, executor.frameworkId, scalars);
    addTo(allocatedByRole, executor.role, scalars);
  }
  for (const offer of master.offers.all()) {
    const scalars = allScalars(master, offer.resources);
    addTo(offeredByAgent, offer.agentId, scalars);
    addTo(offeredByFramework, offer.frameworkId, scalars);
    addTo(allocatedByRole, offer.role, scalars);
  }
  const share = (vector: Float64Array | undefined) => (vector ? roundScalar(master.dominantShareOf(vector) * 1000) / 1000 : 0);

  const agents: AgentView[] = [];
  for (const agent of master.agents.values()) {
    agents.push({
      id: agent.id,
      hostname: agent.hostname,
      status: agent.connection,
      attributes: { ...agent.attributes },
      total: describeResourceSet(agent.total, layout),
      free: describeResourceSet(agent.free, layout),
      allocated: quantities(allocatedByAgent.get(agent.id)),
      offered: quantities(offeredByAgent.get(agent.id)),
      tasks: liveTasksByAgent.get(agent.id) ?? 0,
    });
  }
  const offline = (id: string, status: AgentView['status'], hostname: string, attributes: Record<string, string | number>) =>
    agents.push({
      id,
      hostname,
      status,
      attributes,
      total: null,
      free: null,
      allocated: {},
      offered: {},
      tasks: liveTasksByAgent.get(id) ?? 0,
    });
  for (const [id, { record }] of master.recoveredAgents) offline(id, 'recovering', record.hostname, { ...record.attributes });
  for (const [id, { record }] of master.unreachableAgents) offline(id, 'unreachable', record.hostname, { ...record.attributes });
  for (const id of master.goneAgents.keys()) offline(id, 'gone', id, {});

  const frameworks: FrameworkView[] = [...master.frameworks.values()].map((framework) => ({
    id: framework.id,
    name: framework.name,
    roles: framework.roles,
    connected: framework.connected,
    allocated: quantities(allocatedByFramework.get(framework.id)),
    offered: quantities(offeredByFramework.get(framework.id)),
    share: share(allocatedByFramework.get(framework.id)),
    tasks: tasksByFramework.get(framework.id) ?? {},
  }));

  const roleNames = new Set<string>([...master.roleNames(), ...allocatedByRole.keys()]);
  const roles: RoleView[] = [...roleNames].sort().map((name) => {
    const weight = master.roleWeight(name);
    const dominant = share(allocatedByRole.get(name));
    return {
      name,
      weight,
      quota: master.roleQuota(name),
      allocated: quantities(allocatedByRole.get(name)),
      share: dominant,
      weightedShare: roundScalar((dominant / weight) * 1000) / 1000,
      frameworks: frameworks.filter((framework) => framework.roles.includes(name)).map((framework) => framework.id),
    };
  });

  const allocatedTotal = layout.zero();
  for (const vector of allocatedByAgent.values()) for (let slot = 0; slot < vector.length; slot++) allocatedTotal[slot] += vector[slot];
  const offeredTotal = layout.zero();
  for (const vector of offeredByAgent.values()) for (let slot = 0; slot < vector.length; slot++) offeredTotal[slot] += vector[slot];
  const utilization: ResourceQuantities = {};
  const total = master.clusterTotal();
  for (let slot = 0; slot < layout.size; slot++)
    if (total[slot] > 0) utilization[layout.names[slot]] = roundScalar(allocatedTotal[slot] / total[slot]);

  return {
    nowMs: master.nowMs,
    epoch: master.epoch,
    agents,
    frameworks,
    roles,
    cluster: {
      agents: agents.length,
      agentsActive: agents.filter((agent) => agent.status === 'active').length,
      total: quantities(total),
      allocated: quantities(allocatedTotal),
      offered: quantities(offeredTotal),
      utilization,
    },
    taskStates,
    counters: { ...master.counters },
  };
}
