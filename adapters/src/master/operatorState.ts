/**
 * The operator API's read side in Mesos v1 JSON: agents, frameworks, tasks
 * and roles, as GET_STATE and its parts return them. As in Mesos, the master
 * knows a task only from its agent: after a failover, the tasks of an agent
 * that has not re-registered yet are not listed (the agent is, under
 * `recovered_agents`) until it comes back or its re-registration timeout
 * makes it unreachable (adapters/README.md, "State and restarts").
 */
import type { Master, ResourceSet, Task } from '@allot/kernel';
import { addResourceSets, deserializeResourceSet, emptyResourceSet, isTerminal, releasesResources } from '@allot/kernel';
import { clusterView } from './clusterView.js';
import type { MasterContext } from './masterContext.js';
import { attributesJson, fromResourceSet } from './mesosResources.js';
import { taskStatusJson } from './taskContainers.js';

type Json = Record<string, unknown>;

const nanos = (context: MasterContext, kernelMs: number) => ({ nanoseconds: Math.round(context.host.wallSeconds(kernelMs) * 1e9) });

function sumSets(master: Master, sets: Iterable<ResourceSet>): ResourceSet {
  let sum = emptyResourceSet(master.layout.size);
  for (const set of sets) sum = addResourceSets(sum, set);
  return sum;
}

export function taskJson(context: MasterContext, task: Task): Json {
  const master = context.host.master;
  const latest = task.latest;
  return {
    name: task.name,
    task_id: { value: task.id },
    framework_id: { value: task.frameworkId },
    agent_id: { value: task.agentId },
    state: task.state,
    role: task.role,
    resources: fromResourceSet(task.resources, master.layout, task.role),
    statuses: latest ? [taskStatusJson(context, latest)] : [],
  };
}

export function tasksJson(context: MasterContext): Json {
  const master = context.host.master;
  const tasks: Json[] = [];
  const completed: Json[] = [];
  const unreachable: Json[] = [];
  for (const framework of master.frameworks.values()) {
    for (const task of framework.tasks.values()) {
      if (task.state === 'TASK_UNREACHABLE') unreachable.push(taskJson(context, task));
      else if (!isTerminal(task.state)) tasks.push(taskJson(context, task));
    }
    // Ended tasks: the most recent ones, bounded per framework (--max-completed-tasks-per-framework).
    for (const task of context.history.completedTasks(framework)) completed.push(taskJson(context, task));
  }
  for (const { framework } of context.history.completedFrameworks())
    for (const task of context.history.completedTasks(framework)) completed.push(taskJson(context, task));
  return { pending_tasks: [], tasks, unreachable_tasks: unreachable, completed_tasks: completed, orphan_tasks: [] };
}

export function agentsJson(context: MasterContext): Json {
  const master = context.host.master;
  const agents: Json[] = [];
  for (const agent of master.agents.values()) {
    const endpoint = context.host.registry.agents.get(agent.id);
    const live = master.liveTasksOn(agent.id).filter((task) => !releasesResources(task.state));
    const executors = master.executors.onAgent(agent.id);
    agents.push({
      agent_info: {
        id: { value: agent.id },
        hostname: agent.hostname,
        port: endpoint?.port ?? 5051,
        resources: fromResourceSet(agent.total, master.layout),
        attributes: attributesJson(agent.attributes),
      },
      active: agent.connection === 'active',
      deactivated: agent.connection !== 'active',
      connection: agent.connection,
      pid: `slave(1)@${endpoint?.ip ?? '127.0.0.1'}:${endpoint?.port ?? 5051}`,
      registered_time: nanos(context, endpoint?.registeredAtMs ?? 0),
      total_resources: fromResourceSet(agent.total, master.layout),
      allocated_resources: fromResourceSet(
        sumSets(master, live.map((task) => task.resources).concat(executors.map((executor) => executor.resources))),
        master.layout,
      ),
      offered_resources: fromResourceSet(
        sumSets(
          master,
          master.offers.ofAgent(agent.id).map((offer) => offer.resources),
        ),
        master.layout,
      ),
    });
  }
  const recovered = [...master.recoveredAgents.values()].map(({ record }) => ({
    id: { value: record.id },
    hostname: record.hostname,
    resources: fromResourceSet(deserializeResourceSet(record.total, master.layout), master.layout),
    attributes: attributesJson(record.attributes),
  }));
  const unreachable = [...master.unreachableAgents.values()].map(({ record }) => ({ id: { value: record.id }, hostname: record.hostname }));
  return {
    agents,
    recovered_agents: recovered,
    unreachable_agents: unreachable,
    gone_agents: [...master.goneAgents.keys()].map((value) => ({ value })),
  };
}

export function frameworksJson(context: MasterContext): Json {
  const master = context.host.master;
  const frameworks: Json[] = [];
  for (const framework of master.frameworks.values()) {
    const record = context.host.registry.frameworks.get(framework.id);
    const live = [...framework.tasks.values()].filter((task) => !releasesResources(task.state));
    const executors = master.executors.ofFramework(framework.id);
    const offers = master.offers.ofFramework(framework.id);
    frameworks.push({
      framework_info: record?.info ?? { id: { value: framework.id }, name: framework.name, roles: framework.roles },
      active: framework.connected,
      connected: framework.connected && context.frameworks.current(framework.id) !== undefined,
      recovered: false,
      registered_time: nanos(context, record?.registeredAtMs ?? 0),
      offers: offers.map((offer) => ({ id: { value: offer.id }, agent_id: { value: offer.agentId } })),
      allocated_resources: fromResourceSet(
        sumSets(master, live.map((task) => task.resources).concat(executors.map((executor) => executor.resources))),
        master.layout,
      ),
      offered_resources: fromResourceSet(
        sumSets(
          master,
          offers.map((offer) => offer.resources),
        ),
        master.layout,
      ),
    });
  }
  const completed = context.history.completedFrameworks().map(({ framework, record, removedAtMs }) => ({
    framework_info: record?.info ?? { id: { value: framework.id }, name: framework.name },
    active: false,
    connected: false,
    recovered: false,
    registered_time: nanos(context, record?.registeredAtMs ?? 0),
    unregistered_time: nanos(context, removedAtMs),
  }));
  return { frameworks, completed_frameworks: completed, recovered_frameworks: [] };
}

export function rolesJson(context: MasterContext): Json {
  const view = clusterView(context.host);
  const scalarList = (quantities: Record<string, number>) =>
    Object.entries(quantities).map(([name, value]) => ({ name, type: 'SCALAR', scalar: { value } }));
  return {
    roles: view.roles.map((role) => ({
      name: role.name,
      weight: role.weight,
      frameworks: role.frameworks.map((value) => ({ value })),
      resources: scalarList(role.allocated),
      allocated: scalarList(role.allocated),
      dominant_share: role.share,
      weighted_share: role.weightedShare,
      ...(role.quota
        ? {
            quota: {
              role: role.name,
              guarantees: Object.fromEntries(Object.entries(role.quota.guarantee).map(([name, value]) => [name, { value }])),
              limits: Object.fromEntries(Object.entries(role.quota.limit).map(([name, value]) => [name, { value }])),
            },
          }
        : {}),
    })),
  };
}

export function stateJson(context: MasterContext): Json {
  return {
    get_tasks: tasksJson(context),
    get_executors: {
      executors: context.executors.all().map((entry) => ({ agent_id: { value: entry.agentId }, executor_info: entry.info })),
    },
    get_frameworks: frameworksJson(context),
    get_agents: agentsJson(context),
  };
}
