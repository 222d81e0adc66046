/**
 * Agents through their life: register (with the tasks they bring),
 * disconnect, re-register, unreachable after a timeout, removed, drained, and
 * gone for good. What happens to tasks on the way follows Mesos: partition-
 * aware frameworks see UNREACHABLE and later GONE; others see LOST, and their
 * tasks on an agent that comes back from unreachable are killed there.
 */
import { Agent } from '../agents/agent.js';
import type { AgentAttributes, AgentSpec } from '../agents/agent.js';
import type { Task } from '../tasks/task.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import { isTerminal, releasesResources } from '../tasks/taskState.js';
import type { AgentRecord } from './agentRecord.js';
import { serializeResourceSet } from './agentRecord.js';
import type { ReportedTask } from './commands.js';
import type { Rejection } from './effects.js';
import type { RescindReason } from './events.js';
import type { Master, StepOutput } from './master.js';
import { setTaskState } from './taskHandlers.js';

function unknownAgent(agentId: string): Rejection {
  return { code: 'unknown_agent', message: `agent ${agentId} is not registered`, agentId };
}

export function agentRecord(master: Master, agent: Agent): AgentRecord {
  return {
    id: agent.id,
    hostname: agent.hostname,
    attributes: { ...agent.attributes },
    total: serializeResourceSet(agent.total, master.layout),
  };
}

export function addAgent(master: Master, spec: AgentSpec, tasks: readonly ReportedTask[], out: StepOutput): Rejection | null {
  if (master.goneAgents.has(spec.id)) return refuseGone(spec.id, out);
  if (master.maintenance.modeOfHost(spec.hostname ?? spec.id) === 'DOWN') return refuseDown(spec, out);
  if (master.agents.has(spec.id)) return { code: 'agent_exists', message: `agent ${spec.id} is already registered`, agentId: spec.id };
  if (master.unreachableAgents.has(spec.id) || master.recoveredAgents.has(spec.id)) return reregisterAgent(master, spec, tasks, out);
  const agent = admit(master, spec);
  if ('code' in agent) return agent;
  out.events.push({ type: 'agent.added', atMs: master.nowMs, agentId: agent.id });
  for (const reported of tasks) adoptTask(master, agent, reported, out);
  return null;
}

/** A machine under maintenance (DOWN) takes no agents until STOP_MAINTENANCE, as in Mesos. */
function refuseDown(spec: AgentSpec, out: StepOutput): Rejection {
  out.effects.push({ type: 'agent.shutdown', agentId: spec.id, reason: 'the machine is DOWN for maintenance' });
  return { code: 'machine_down', message: `machine ${spec.hostname ?? spec.id} is DOWN for maintenance`, agentId: spec.id };
}

function refuseGone(agentId: string, out: StepOutput): Rejection {
  out.effects.push({ type: 'agent.shutdown', agentId, reason: 'the agent was marked gone' });
  return { code: 'agent_gone', message: `agent ${agentId} was marked gone and may not register again`, agentId };
}

/** Creates the agent in the master and the allocator, and asks for a cycle on it. */
function admit(master: Master, spec: AgentSpec): Agent | Rejection {
  const layout = master.layout;
  const unknown = [...layout.unknownNames(spec.resources), ...(spec.reservations ?? []).flatMap((r) => layout.unknownNames(r.resources))];
  if (unknown.length > 0 && !spec.checkpointedTotal) {
    return {
      code: 'unknown_resource',
      message: `resource names ${unknown.join(', ')} are not in the master's layout (${layout.names.join(', ')})`,
      names: unknown,
    };
  }
  const index = master.allocatorAgentIndex();
  let agent: Agent;
  try {
    agent = new Agent(index, spec.id, spec, layout, master.pool.view(index));
  } catch (error) {
    master.releaseAgentIndex(index);
    return { code: 'invalid_agent', message: (error as Error).message, agentId: spec.id };
  }
  master.agents.set(agent.id, agent);
  master.agentsChanged();
  master.allocator.addAgent(agent);
  master.triggerAllocation(agent.id);
  return agent;
}

/** A task the agent brings along: charged to its framework as if launched from an offer. */
function adoptTask(master: Master, agent: Agent, reported: ReportedTask, out: StepOutput): void {
  const framework = master.frameworks.get(reported.frameworkId);
  const client = framework?.clients.get(reported.role);
  if (!framework || !client) {
    // Nobody to own it: Mesos shuts down tasks of frameworks it does not know.
    out.effects.push({
      type: 'agent.kill',
      agentId: agent.id,
      frameworkId: reported.frameworkId,
      taskId: reported.taskId,
      gracePeriodMs: master.killGracePeriodMs,
      killingState: false,
    });
    return;
  }
  // A task that already ended (its last update not yet acknowledged) holds nothing.
  if (!releasesResources(reported.state)) master.allocator.allocate(client, agent, reported.resources);
  const task: Task = {
    id: reported.taskId,
    name: reported.name ?? reported.taskId,
    frameworkId: framework.id,
    role: reported.role,
    agentId: agent.id,
    resources: reported.resources,
    executorId: reported.executorId ?? reported.taskId,
    ...(reported.data !== undefined ? { data: reported.data } : {}),
    state: reported.state,
    unacknowledged: [],
    latest: null,
    history: [],
  };
  framework.tasks.set(task.id, task);
  setTaskState(master, framework, task, reported.state, undefined, undefined, out);
}

/**
 * An agent registers again: after a disconnection, after being unreachable,
 * or after a master failover. Its report is the truth about its tasks.
 */
export function reregisterAgent(master: Master, spec: AgentSpec, reported: readonly ReportedTask[], out: StepOutput): Rejection | null {
  if (master.goneAgents.has(spec.id)) return refuseGone(spec.id, out);
  if (master.maintenance.modeOfHost(spec.hostname ?? spec.id) === 'DOWN') return refuseDown(spec, out);
  const existing = master.agents.get(spec.id);
  if (existing) {
    reconcileTasks(master, existing, reported, out);
    if (existing.connection === 'disconnected') existing.connection = 'active';
    master.disconnectedAgents.delete(existing);
    master.agentsChanged();
    master.triggerAllocation(existing.id);
  } else {
    const wasUnreachable = master.unreachableAgents.delete(spec.id);
    master.recoveredAgents.delete(spec.id);
    const agent = admit(master, spec);
    if ('code' in agent) return agent;
    const adopt: ReportedTask[] = [];
    for (const task of reported) {
      const framework = master.frameworks.get(task.frameworkId);
      const known = framework?.tasks.get(task.taskId);
      if (wasUnreachable && framework && !framework.partitionAware) {
        // Its tasks were reported LOST; Mesos kills them when the agent comes back.
        out.effects.push({
          type: 'agent.kill',
          agentId: agent.id,
          frameworkId: framework.id,
          taskId: task.taskId,
          gracePeriodMs: master.killGracePeriodMs,
          killingState: false,
        });
      } else if (known && known.state === 'TASK_UNREACHABLE') {
        setTaskState(master, framework!, known, task.state, undefined, undefined, out);
      } else if (!known) adopt.push(task);
    }
    for (const task of adopt) adoptTask(master, agent, task, out);
    // Tasks the master thought were on the agent but that it no longer has.
    const reportedIds = new Set(reported.map((task) => `${task.frameworkId}/${task.taskId}`));
    for (const task of master.liveTasksOn(spec.id)) {
      if (!reportedIds.has(`${task.frameworkId}/${task.id}`))
        endTask(master, task, 'TASK_GONE', 'REASON_AGENT_REMOVED', 'the agent re-registered without this task', out);
    }
  }
  out.events.push({ type: 'agent.reregistered', atMs: master.nowMs, agentId: spec.id, tasks: reported.length });
  return null;
}

/** A registered agent's report against what the master believes runs there. */
function reconcileTasks(master: Master, agent: Agent, reported: readonly ReportedTask[], out: StepOutput): void {
  const reportedIds = new Set(reported.map((task) => `${task.frameworkId}/${task.taskId}`));
  for (const task of master.liveTasksOn(agent.id)) {
    if (!reportedIds.has(`${task.frameworkId}/${task.id}`))
      endTask(master, task, 'TASK_GONE', 'REASON_AGENT_DISCONNECTED', 'the agent re-registered without this task', out);
  }
  for (const task of reported) {
    const known = master.frameworks.get(task.frameworkId)?.tasks.get(task.taskId);
    if (!known) adoptTask(master, agent, task, out);
  }
}

function endTask(master: Master, task: Task, state: TaskState, reason: TaskReason, message: string, out: StepOutput): void {
  const framework = master.frameworks.get(task.frameworkId);
  if (framework && !isTerminal(task.state)) setTaskState(master, framework, task, state, reason, message, out);
}

function rescindAll(master: Master, agentId: string, reason: RescindReason, out: StepOutput): void {
  for (const offer of master.offers.ofAgent(agentId)) master.rescindOffer(offer, reason, out);
}

export function disconnectAgent(master: Master, agentId: string, out: StepOutput): Rejection | null {
  const agent = master.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  if (agent.connection === 'disconnected') return null;
  rescindAll(master, agentId, 'agent_disconnected', out);
  agent.connection = 'disconnected';
  agent.sinceMs = master.nowMs;
  master.disconnectedAgents.add(agent);
  master.agentsChanged();
  out.events.push({ type: 'agent.disconnected', atMs: master.nowMs, agentId });
  return null;
}

/** Takes the agent out of the master and the allocator once its offers and tasks are settled. */
function detach(master: Master, agent: Agent): void {
  master.disconnectedAgents.delete(agent);
  master.allocator.removeAgent(agent);
  master.agents.delete(agent.id);
  master.releaseAgentIndex(agent.index);
  master.agentsChanged();
}

export function markUnreachable(master: Master, agentId: string, out: StepOutput): Rejection | null {
  const agent = master.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  rescindAll(master, agentId, 'agent_disconnected', out);
  for (const task of master.liveTasksOn(agentId)) {
    if (task.state !== 'TASK_UNREACHABLE')
      endTask(master, task, 'TASK_UNREACHABLE', 'REASON_AGENT_DISCONNECTED', `agent ${agentId} is unreachable`, out);
  }
  const record = agentRecord(master, agent);
  detach(master, agent);
  master.unreachableAgents.set(agentId, { atMs: master.nowMs, record });
  out.events.push({ type: 'agent.unreachable', atMs: master.nowMs, agentId });
  return null;
}

export function removeAgent(master: Master, agentId: string, out: StepOutput): Rejection | null {
  const agent = master.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  rescindAll(master, agentId, 'agent_removed', out);
  for (const task of master.liveTasksOn(agentId))
    endTask(master, task, 'TASK_GONE', 'REASON_AGENT_REMOVED', `agent ${agentId} was removed`, out);
  detach(master, agent);
  out.events.push({ type: 'agent.removed', atMs: master.nowMs, agentId });
  return null;
}

export function markGone(master: Master, agentId: string, out: StepOutput): Rejection | null {
  const agent = master.agents.get(agentId);
  const known = agent !== undefined || master.unreachableAgents.has(agentId) || master.recoveredAgents.has(agentId);
  if (!known) return unknownAgent(agentId);
  if (agent) rescindAll(master, agentId, 'agent_removed', out);
  for (const task of master.liveTasksOn(agentId))
    endTask(master, task, 'TASK_GONE_BY_OPERATOR', 'REASON_AGENT_REMOVED', `agent ${agentId} was marked gone`, out);
  if (agent) detach(master, agent);
  master.unreachableAgents.delete(agentId);
  master.recoveredAgents.delete(agentId);
  master.goneAgents.set(agentId, master.nowMs);
  out.effects.push({ type: 'agent.shutdown', agentId, reason: 'marked gone by an operator' });
  out.events.push({ type: 'agent.gone', atMs: master.nowMs, agentId });
  return null;
}

export function drainAgent(master: Master, agentId: string, markGoneAfter: boolean, out: StepOutput): Rejection | null {
  const agent = master.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  rescindAll(master, agentId, 'agent_draining', out);
  agent.connection = 'draining';
  agent.sinceMs = master.nowMs;
  agent.markGoneWhenDrained = markGoneAfter;
  master.agentsChanged();
  out.events.push({ type: 'agent.draining', atMs: master.nowMs, agentId });
  for (const task of master.liveTasksOn(agentId)) {
    const framework = master.frameworks.get(task.frameworkId)!;
    out.effects.push({
      type: 'agent.kill',
      agentId,
      frameworkId: task.frameworkId,
      taskId: task.id,
      gracePeriodMs: master.killGracePeriodMs,
      killingState: framework.capabilities.has('TASK_KILLING_STATE'),
    });
  }
  afterTaskEnded(master, agentId, out);
  return null;
}

/** A draining agent with no live tasks left is drained (and gone, when asked). */
export function afterTaskEnded(master: Master, agentId: string, out: StepOutput): void {
  const agent = master.agents.get(agentId);
  if (agent?.connection !== 'draining' || master.tasksByAgent.has(agentId) || agent.drained) return;
  agent.drained = true;
  out.events.push({ type: 'agent.drained', atMs: master.nowMs, agentId });
  if (agent.markGoneWhenDrained) markGone(master, agentId, out);
}

export function updateAttributes(master: Master, agentId: string, attributes: AgentAttributes, out: StepOutput): Rejection | null {
  const agent = master.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  agent.attributes = Object.freeze({ ...attributes });
  // Filters were installed against the old attributes: they all go.
  master.allocator.filters.clearAgent(agent.index);
  agent.version++;
  master.triggerAllocation(agentId);
  out.events.push({ type: 'agent.attributesUpdated', atMs: master.nowMs, agentId });
  return null;
}

/** Called on every tick: disconnected agents turn unreachable, unreturned recovered agents too. */
export function expireAgentTimeouts(master: Master, out: StepOutput): void {
  for (const agent of [...master.disconnectedAgents]) {
    if (master.nowMs >= agent.sinceMs + master.agentUnreachableTimeoutMs) markUnreachable(master, agent.id, out);
  }
  // In order of sinceMs (see Master.recoveredAgents): stop at the first one not due, so a tick costs what expires, not 10,000 agents.
  for (const [agentId, recovered] of master.recoveredAgents) {
    if (master.nowMs < recovered.sinceMs + master.agentReregisterTimeoutMs) break;
    master.recoveredAgents.delete(agentId);
    master.unreachableAgents.set(agentId, { atMs: master.nowMs, record: recovered.record });
    out.events.push({ type: 'agent.unreachable', atMs: master.nowMs, agentId });
  }
}
