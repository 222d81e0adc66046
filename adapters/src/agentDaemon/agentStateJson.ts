/**
 * The agent's `/state` (also `/slave(1)/state`) in Mesos's shape: the agent,
 * its resources as an amounts object, and per framework its executors (a
 * command task runs in an executor named after the task, as in Mesos), each
 * with its container, sandbox `directory`, tasks and completed tasks. Also
 * the v1 agent API's GET_STATE and GET_CONTAINERS.
 */
import { isTerminal } from '@allot/kernel';
import type { TaskState } from '@allot/kernel';
import type { AgentView, TaskView } from './agentView.js';

type Json = Record<string, any>;

export interface AgentFacts {
  agentId: string;
  hostname: string;
  ip: string;
  port: number;
  version: string;
  masterUrl: string;
  /** The resources the agent registered with (Mesos Resource JSON). */
  resources: Json[];
  attributes: Record<string, string | number>;
  flags: Record<string, string>;
}

/** Mesos's amounts model of a Resource list: the four scalars always, ranges as "[a-b, c-d]". */
export function resourcesModel(resources: readonly Json[] | undefined): Json {
  const out: Json = { cpus: 0, gpus: 0, mem: 0, disk: 0 };
  const ranges = new Map<string, Array<[number, number]>>();
  for (const resource of resources ?? []) {
    if (resource.type === 'RANGES' || resource.ranges) {
      const list = ranges.get(resource.name) ?? [];
      for (const range of resource.ranges?.range ?? []) list.push([range.begin, range.end]);
      ranges.set(resource.name, list);
    } else if (typeof resource.scalar?.value === 'number')
      out[resource.name] = Math.round(((out[resource.name] ?? 0) + resource.scalar.value) * 1000) / 1000;
  }
  for (const [name, list] of ranges)
    out[name] = `[${list
      .sort((a, b) => a[0] - b[0])
      .map(([begin, end]) => `${begin}-${end}`)
      .join(', ')}]`;
  return out;
}

function taskJson(facts: AgentFacts, task: TaskView, state: TaskState): Json {
  const { info, checkpoint } = task;
  return {
    id: info.taskId,
    name: checkpoint?.name ?? info.taskId,
    framework_id: info.frameworkId,
    executor_id: info.executorId === info.taskId ? '' : info.executorId,
    slave_id: facts.agentId,
    state,
    resources: resourcesModel(checkpoint?.resources as Json[] | undefined),
    role: checkpoint?.role ?? '*',
    statuses: [{ state, timestamp: Date.now() / 1000, container_status: { container_id: { value: info.containerId } } }],
  };
}

function executorJson(facts: AgentFacts, executorId: string, tasks: TaskView[], completed: TaskView[]): Json {
  const any = tasks[0] ?? completed[0];
  return {
    id: executorId,
    name: any.info.executorId === any.info.taskId ? `Command Executor (Task: ${any.info.taskId})` : executorId,
    source: any.info.executorId === any.info.taskId ? any.info.taskId : '',
    container: any.info.containerId,
    directory: any.info.sandboxDir,
    resources: resourcesModel(tasks.flatMap((task) => (task.checkpoint?.resources as Json[] | undefined) ?? [])),
    role: any.checkpoint?.role ?? '*',
    tasks: tasks.map((task) => taskJson(facts, task, task.info.state)),
    queued_tasks: [],
    completed_tasks: completed.map((task) => taskJson(facts, task, task.info.state)),
  };
}

function byExecutor(tasks: readonly TaskView[]): Map<string, TaskView[]> {
  const out = new Map<string, TaskView[]>();
  for (const task of tasks) {
    const key = `${task.info.frameworkId}\n${task.info.executorId}`;
    out.set(key, [...(out.get(key) ?? []), task]);
  }
  return out;
}

export function agentStateJson(facts: AgentFacts, view: AgentView): Json {
  const live = view.live();
  const running = byExecutor(live.filter((task) => !isTerminal(task.info.state)));
  const endedLive = live.filter((task) => isTerminal(task.info.state));
  const finished = byExecutor([...view.completed(), ...endedLive]);
  const frameworks = view.frameworkIds().map((frameworkId) => {
    const framework = view.framework(frameworkId);
    const executors: Json[] = [];
    const completedExecutors: Json[] = [];
    for (const [key, tasks] of running)
      if (key.startsWith(`${frameworkId}\n`)) executors.push(executorJson(facts, tasks[0].info.executorId, tasks, finished.get(key) ?? []));
    for (const [key, tasks] of finished)
      if (key.startsWith(`${frameworkId}\n`) && !running.has(key))
        completedExecutors.push(executorJson(facts, tasks[0].info.executorId, [], tasks));
    return {
      id: frameworkId,
      name: framework.name,
      user: framework.user,
      failover_timeout: framework.failoverTimeout,
      checkpoint: framework.checkpoint,
      hostname: framework.hostname,
      ...(framework.principal ? { principal: framework.principal } : {}),
      roles: framework.roles,
      executors,
      completed_executors: completedExecutors,
    };
  });
  return {
    version: facts.version,
    build_date: '',
    build_time: 0,
    build_user: 'allot',
    start_time: view.startedAtMs / 1000,
    id: facts.agentId,
    pid: `slave(1)@${facts.ip}:${facts.port}`,
    hostname: facts.hostname,
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
    resources: resourcesModel(facts.resources),
    attributes: facts.attributes,
    master_hostname: safeHostname(facts.masterUrl),
    flags: facts.flags,
    frameworks: frameworks.filter((framework) => framework.executors.length > 0),
    completed_frameworks: frameworks.filter((framework) => framework.executors.length === 0),
  };
}

function safeHostname(url: string): string {
  try {
    return new URL(url.split(',')[0]).hostname;
  } catch {
    return '';
  }
}

/** GET_CONTAINERS: one entry per live task container. */
export function containersJson(view: AgentView): Json {
  return {
    containers: view
      .live()
      .filter((task) => !isTerminal(task.info.state))
      .map((task) => ({
        framework_id: { value: task.info.frameworkId },
        executor_id: { value: task.info.executorId },
        executor_name: task.info.executorId === task.info.taskId ? `Command Executor (Task: ${task.info.taskId})` : task.info.executorId,
        container_id: { value: task.info.containerId },
        container_status: { container_id: { value: task.info.containerId } },
        resource_statistics: { timestamp: Date.now() / 1000 },
      })),
  };
}
