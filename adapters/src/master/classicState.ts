/**
 * The classic read endpoints' bodies, as Mesos's `Master::ReadOnlyHandler`
 * writes them: `/master/state`, `/master/state-summary`, `/master/frameworks`,
 * `/master/slaves`, `/master/tasks` (with `limit`, `offset`, `order`,
 * `framework_id`, `task_id`) and `/master/roles`.
 */
import type { Task } from '@allot/kernel';
import { releasesResources } from '@allot/kernel';
import { classicSlave, classicTask, frameworkSummary, fullFramework, resourcesModel, sumResources } from './classicJson.js';
import { clusterView } from './clusterView.js';
import type { KernelFramework } from './completedHistory.js';
import type { MasterContext } from './masterContext.js';

type Json = Record<string, unknown>;

export const TASKS_DEFAULT_LIMIT = 100;

function frameworkLists(context: MasterContext, selectId: string | undefined): { frameworks: Json[]; completed_frameworks: Json[] } {
  const { host, history } = context;
  const frameworks: Json[] = [];
  for (const framework of host.master.frameworks.values()) {
    if (selectId !== undefined && framework.id !== selectId) continue;
    const record = host.registry.frameworks.get(framework.id);
    frameworks.push(fullFramework(context, framework, record, history.completedTasks(framework), null));
  }
  const completed = history
    .completedFrameworks()
    .filter((entry) => selectId === undefined || entry.framework.id === selectId)
    .map((entry) => fullFramework(context, entry.framework, entry.record, history.completedTasks(entry.framework), entry.removedAtMs));
  return { frameworks, completed_frameworks: completed };
}

export function masterInfoClassic(context: MasterContext): Json {
  const { settings, host } = context;
  return {
    id: host.registry.masterId,
    pid: `master@${settings.ip}:${settings.port}`,
    port: settings.port,
    hostname: settings.hostname,
  };
}

export function stateJson(context: MasterContext): Json {
  const { settings, host } = context;
  const master = host.master;
  const agents = [...master.agents.values()];
  const info = masterInfoClassic(context);
  return {
    version: settings.version,
    build_date: '',
    build_time: 0,
    build_user: 'allot',
    start_time: settings.startedAtMs / 1000,
    elected_time: settings.startedAtMs / 1000,
    id: host.registry.masterId,
    pid: info.pid,
    hostname: settings.hostname,
    capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING'],
    activated_slaves: agents.filter((agent) => agent.connection === 'active').length,
    deactivated_slaves: agents.filter((agent) => agent.connection !== 'active').length,
    unreachable_slaves: master.unreachableAgents.size,
    leader: info.pid,
    leader_info: info,
    flags: settings.flags,
    slaves: agents.map((agent) => classicSlave(context, agent.id, false)),
    recovered_slaves: [...master.recoveredAgents.values()].map(({ record }) => ({
      id: record.id,
      hostname: record.hostname,
      port: host.registry.agents.get(record.id)?.port ?? 5051,
      attributes: { ...record.attributes },
    })),
    ...frameworkLists(context, undefined),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

export function frameworksJson(context: MasterContext, frameworkId: string | undefined): Json {
  return { ...frameworkLists(context, frameworkId), unregistered_frameworks: [] };
}

export function slavesJson(context: MasterContext, agentId: string | undefined): Json {
  const master = context.host.master;
  return {
    slaves: [...master.agents.keys()].filter((id) => agentId === undefined || id === agentId).map((id) => classicSlave(context, id, true)),
    recovered_slaves: [...master.recoveredAgents.values()]
      .filter(({ record }) => agentId === undefined || record.id === agentId)
      .map(({ record }) => ({ id: record.id, hostname: record.hostname, port: 5051, attributes: { ...record.attributes } })),
  };
}

const TASK_STATE_FIELDS = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_KILLED',
  'TASK_FAILED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_UNREACHABLE',
] as const;

function stateCounts(tasks: Iterable<Task>): Json {
  const counts: Json = Object.fromEntries(TASK_STATE_FIELDS.map((state) => [state, 0]));
  for (const task of tasks) if (task.state in counts) counts[task.state] = (counts[task.state] as number) + 1;
  return counts;
}

function visibleTasks(context: MasterContext, framework: KernelFramework): Task[] {
  const completed = new Set(context.history.completedTasks(framework));
  return [...framework.tasks.values()].filter(
    (task) => !releasesResources(task.state) || task.state === 'TASK_UNREACHABLE' || completed.has(task),
  );
}

export function stateSummaryJson(context: MasterContext): Json {
  const master = context.host.master;
  const tasksByAgent = new Map<string, Task[]>();
  const frameworks: Json[] = [];
  for (const framework of master.frameworks.values()) {
    const tasks = visibleTasks(context, framework);
    for (const task of tasks) tasksByAgent.set(task.agentId, [...(tasksByAgent.get(task.agentId) ?? []), task]);
    frameworks.push({
      ...frameworkSummary(context, framework, context.host.registry.frameworks.get(framework.id), true),
      ...stateCounts(tasks),
      slave_ids: [...new Set(tasks.map((task) => task.agentId))],
    });
  }
  const slaves = [...master.agents.keys()].map((id) => {
    const tasks = tasksByAgent.get(id) ?? [];
    return {
      ...classicSlave(context, id, false),
      ...stateCounts(tasks),
      framework_ids: [...new Set(tasks.map((task) => task.frameworkId))],
    };
  });
  return { hostname: context.settings.hostname, slaves, frameworks };
}

export interface TasksQuery {
  limit?: string;
  offset?: string;
  order?: string;
  framework_id?: string;
  task_id?: string;
}

/** Parses Mesos's integer query values; null (with the reason) for anything else, which is a 400. */
function count(value: string | undefined, fallback: number, name: string): number | string {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) return `${name}: expected a non-negative integer, got "${value.slice(0, 32)}"`;
  return Number(value);
}

export function tasksJson(context: MasterContext, query: TasksQuery): { ok: true; body: Json } | { ok: false; message: string } {
  const limit = count(query.limit, TASKS_DEFAULT_LIMIT, 'limit');
  if (typeof limit === 'string') return { ok: false, message: limit };
  const offset = count(query.offset, 0, 'offset');
  if (typeof offset === 'string') return { ok: false, message: offset };
  const ascending = query.order === 'asc';
  const frameworks: KernelFramework[] = [
    ...context.host.master.frameworks.values(),
    ...context.history.completedFrameworks().map((entry) => entry.framework),
  ].filter((framework) => query.framework_id === undefined || framework.id === query.framework_id);
  const tasks = frameworks
    .flatMap((framework) => visibleTasks(context, framework))
    .filter((task) => query.task_id === undefined || task.id === query.task_id);
  // As Mesos: by the first status's timestamp; descending unless order=asc.
  const first = (task: Task) => task.history[0]?.atMs ?? 0;
  tasks.sort((a, b) => (ascending ? first(a) - first(b) : first(b) - first(a)));
  return { ok: true, body: { tasks: tasks.slice(offset, offset + limit).map((task) => classicTask(context, task)) } };
}

export function rolesJson(context: MasterContext): Json {
  const view = clusterView(context.host);
  const master = context.host.master;
  return {
    roles: view.roles.map((role) => {
      const reserved = sumResources(
        master,
        [...master.agents.values()].map((agent) => ({
          scalars: master.layout.zero(),
          ports: [],
          reserved: agent.total.reserved.filter((part) => part.role === role.name),
        })),
      );
      return {
        name: role.name,
        weight: role.weight,
        quota: { role: role.name, guarantee: role.quota?.guarantee ?? {}, limit: role.quota?.limit ?? {}, consumed: role.allocated },
        resources: role.allocated,
        allocated: role.allocated,
        offered: {},
        reserved: resourcesModel(reserved, master.layout),
        frameworks: role.frameworks,
      };
    }),
  };
}
