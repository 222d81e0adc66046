/**
 * Agents through their life: register (with the tasks they bring),
 * disconnect, re-register, unreachable after a timeout, removed, and gone for
 * good (draining is agentDrain.ts). What happens to tasks on the way follows
 * Mesos: partition-aware frameworks see UNREACHABLE and later GONE; others see
 * LOST, and their tasks on an agent that comes back from unreachable are
 * killed there. Connections change only through the agent registry.
 */
import type { Agent, AgentAttributes, AgentSpec } from '../agents/agent.js';
import { agentRecord } from '../agents/agentRecord.js';
import { TaskRecord } from '../tasks/taskRecord.js';
import { releasesResources } from '../tasks/taskState.js';
import type { ReportedExecutor, ReportedTask } from './commands.js';
import { adoptExecutor, reconcileExecutors, releaseExecutorsOn } from './executorHandlers.js';
import type { Rejection } from './effects.js';
import type { RescindReason } from './events.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { unknownAgent } from './rejections.js';
import { endTask, setTaskState } from './taskTransitions.js';

export function addAgent(
  parts: MasterParts,
  spec: AgentSpec,
  tasks: readonly ReportedTask[],
  out: StepSink,
  executors?: readonly ReportedExecutor[],
): Rejection | null {
  const agents = parts.agents;
  if (agents.gone.has(spec.id)) return refuseGone(spec.id, out);
  if (parts.maintenance.modeOf({ hostname: spec.hostname ?? spec.id, ip: spec.ip }) === 'DOWN') return refuseDown(spec, out);
  if (agents.has(spec.id)) return { code: 'agent_exists', message: `agent ${spec.id} is already registered`, agentId: spec.id };
  if (agents.unreachable.has(spec.id) || agents.recovered.has(spec.id)) return reregisterAgent(parts, spec, tasks, out, executors);
  const agent = admit(parts, spec);
  if ('code' in agent) return agent;
  out.events.push({ type: 'agent.added', atMs: parts.nowMs, agentId: agent.id });
  for (const reported of tasks) adoptTask(parts, agent, reported, out);
  for (const executor of executors ?? []) adoptExecutor(parts, agent, executor);
  return null;
}

/** A machine under maintenance (DOWN) takes no agents until STOP_MAINTENANCE, as in Mesos. */
function refuseDown(spec: AgentSpec, out: StepSink): Rejection {
  out.effects.push({ type: 'agent.shutdown', agentId: spec.id, reason: 'the machine is DOWN for maintenance' });
  return { code: 'machine_down', message: `machine ${spec.hostname ?? spec.id} is DOWN for maintenance`, agentId: spec.id };
}

function refuseGone(agentId: string, out: StepSink): Rejection {
  out.effects.push({ type: 'agent.shutdown', agentId, reason: 'the agent was marked gone' });
  return { code: 'agent_gone', message: `agent ${agentId} was marked gone and may not register again`, agentId };
}

/** Creates the agent in the registry and the allocator, and asks for a cycle on it. */
function admit(parts: MasterParts, spec: AgentSpec): Agent | Rejection {
  const layout = parts.layout;
  const unknown = [...layout.unknownNames(spec.resources), ...(spec.reservations ?? []).flatMap((r) => layout.unknownNames(r.resources))];
  if (unknown.length > 0 && !spec.checkpointedTotal) {
    return {
      code: 'unknown_resource',
      message: `resource names ${unknown.join(', ')} are not in the master's layout (${layout.names.join(', ')})`,
      names: unknown,
    };
  }
  let agent: Agent;
  try {
    agent = parts.agents.register(spec);
  } catch (error) {
    return { code: 'invalid_agent', message: (error as Error).message, agentId: spec.id };
  }
  parts.allocator.addAgent(agent);
  parts.triggerAllocation(agent.id);
  return agent;
}

/** A task the agent brings along: charged to its framework as if launched from an offer. */
function adoptTask(parts: MasterParts, agent: Agent, reported: ReportedTask, out: StepSink): void {
  const framework = parts.frameworks.get(reported.frameworkId);
  const client = framework?.clients.get(reported.role);
  if (!framework || !client) {
    // Nobody to own it: Mesos shuts down tasks of frameworks it does not know.
    out.effects.push({
      type: 'agent.kill',
      agentId: agent.id,
      frameworkId: reported.frameworkId,
      taskId: reported.taskId,
      gracePeriodMs: parts.timeouts.killGracePeriodMs,
      killingState: false,
    });
    return;
  }
  const task = new TaskRecord({
    id: reported.taskId,
    name: reported.name ?? reported.taskId,
    frameworkId: framework.id,
    role: reported.role,
    agentId: agent.id,
    resources: reported.resources,
    executorId: reported.executorId,
    data: reported.data,
    state: reported.state,
  });
  // A task that already ended (its last update not yet acknowledged) holds nothing.
  if (!releasesResources(reported.state)) {
    parts.allocator.allocate(client, agent, reported.resources);
    parts.tasks.held(task, agent.index, 1);
  }
  parts.tasks.add(task);
  setTaskState(parts, framework, task, reported.state, undefined, undefined, out);
}

/**
 * An agent registers again: after a disconnection, after being unreachable,
 * or after a master failover. Its report is the truth about its tasks.
 */
export function reregisterAgent(
  parts: MasterParts,
  spec: AgentSpec,
  reported: readonly ReportedTask[],
  out: StepSink,
  executors?: readonly ReportedExecutor[],
): Rejection | null {
  const agents = parts.agents;
  if (agents.gone.has(spec.id)) return refuseGone(spec.id, out);
  if (parts.maintenance.modeOf({ hostname: spec.hostname ?? spec.id, ip: spec.ip }) === 'DOWN') return refuseDown(spec, out);
  const existing = agents.get(spec.id);
  if (existing) {
    reconcileTasks(parts, existing, reported, out);
    reconcileExecutors(parts, existing, executors, out);
    if (existing.connection === 'disconnected') agents.setConnection(existing, 'active', parts.nowMs);
    parts.triggerAllocation(existing.id);
  } else {
    const wasUnreachable = agents.unreachable.delete(spec.id);
    agents.recovered.delete(spec.id);
    const agent = admit(parts, spec);
    if ('code' in agent) return agent;
    const adopt: ReportedTask[] = [];
    for (const task of reported) {
      const framework = parts.frameworks.get(task.frameworkId);
      const known = framework?.tasks.get(task.taskId);
      if (wasUnreachable && framework && !framework.partitionAware) {
        // Its tasks were reported LOST; Mesos kills them when the agent comes back.
        out.effects.push({
          type: 'agent.kill',
          agentId: agent.id,
          frameworkId: framework.id,
          taskId: task.taskId,
          gracePeriodMs: parts.timeouts.killGracePeriodMs,
          killingState: false,
        });
      } else if (known && known.state === 'TASK_UNREACHABLE') {
        setTaskState(parts, framework!, known, task.state, undefined, undefined, out);
      } else if (!known) adopt.push(task);
    }
    for (const task of adopt) adoptTask(parts, agent, task, out);
    for (const executor of executors ?? []) adoptExecutor(parts, agent, executor);
    // Tasks the master thought were on the agent but that it no longer has.
    const reportedIds = new Set(reported.map((task) => `${task.frameworkId}/${task.taskId}`));
    for (const task of parts.tasks.liveOn(spec.id)) {
      if (!reportedIds.has(`${task.frameworkId}/${task.id}`))
        endTask(parts, task, 'TASK_GONE', 'REASON_AGENT_REMOVED', 'the agent re-registered without this task', out);
    }
  }
  out.events.push({ type: 'agent.reregistered', atMs: parts.nowMs, agentId: spec.id, tasks: reported.length });
  return null;
}

/** A registered agent's report against what the master believes runs there. */
function reconcileTasks(parts: MasterParts, agent: Agent, reported: readonly ReportedTask[], out: StepSink): void {
  const reportedIds = new Set(reported.map((task) => `${task.frameworkId}/${task.taskId}`));
  for (const task of parts.tasks.liveOn(agent.id)) {
    if (!reportedIds.has(`${task.frameworkId}/${task.id}`))
      endTask(parts, task, 'TASK_GONE', 'REASON_AGENT_DISCONNECTED', 'the agent re-registered without this task', out);
  }
  for (const task of reported) {
    const known = parts.frameworks.get(task.frameworkId)?.tasks.get(task.taskId);
    if (!known) adoptTask(parts, agent, task, out);
  }
}

export function rescindAll(parts: MasterParts, agentId: string, reason: RescindReason, out: StepSink): void {
  for (const offer of parts.offers.ofAgent(agentId)) parts.offers.rescind(offer, reason, out);
}

export function disconnectAgent(parts: MasterParts, agentId: string, out: StepSink): Rejection | null {
  const agent = parts.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  if (agent.connection === 'disconnected') return null;
  rescindAll(parts, agentId, 'agent_disconnected', out);
  parts.agents.setConnection(agent, 'disconnected', parts.nowMs);
  out.events.push({ type: 'agent.disconnected', atMs: parts.nowMs, agentId });
  return null;
}

/** Takes the agent out of the registry and the allocator once its offers and tasks are settled (its executors' resources go back first). */
function detach(parts: MasterParts, agent: Agent): void {
  releaseExecutorsOn(parts, agent.id);
  parts.allocator.removeAgent(agent);
  parts.agents.unregister(agent);
}

export function markUnreachable(parts: MasterParts, agentId: string, out: StepSink): Rejection | null {
  const agent = parts.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  rescindAll(parts, agentId, 'agent_disconnected', out);
  for (const task of parts.tasks.liveOn(agentId)) {
    if (task.state !== 'TASK_UNREACHABLE')
      endTask(parts, task, 'TASK_UNREACHABLE', 'REASON_AGENT_DISCONNECTED', `agent ${agentId} is unreachable`, out);
  }
  const record = agentRecord(agent, parts.layout);
  detach(parts, agent);
  parts.agents.unreachable.set(agentId, { atMs: parts.nowMs, record });
  out.events.push({ type: 'agent.unreachable', atMs: parts.nowMs, agentId });
  return null;
}

export function removeAgent(parts: MasterParts, agentId: string, out: StepSink): Rejection | null {
  const agent = parts.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  rescindAll(parts, agentId, 'agent_removed', out);
  for (const task of parts.tasks.liveOn(agentId))
    endTask(parts, task, 'TASK_GONE', 'REASON_AGENT_REMOVED', `agent ${agentId} was removed`, out);
  detach(parts, agent);
  out.events.push({ type: 'agent.removed', atMs: parts.nowMs, agentId });
  return null;
}

export function markGone(parts: MasterParts, agentId: string, out: StepSink): Rejection | null {
  const agents = parts.agents;
  const agent = agents.get(agentId);
  const known = agent !== undefined || agents.unreachable.has(agentId) || agents.recovered.has(agentId);
  if (!known) return unknownAgent(agentId);
  if (agent) rescindAll(parts, agentId, 'agent_removed', out);
  for (const task of parts.tasks.liveOn(agentId))
    endTask(parts, task, 'TASK_GONE_BY_OPERATOR', 'REASON_AGENT_REMOVED', `agent ${agentId} was marked gone`, out);
  if (agent) detach(parts, agent);
  agents.unreachable.delete(agentId);
  agents.recovered.delete(agentId);
  agents.gone.set(agentId, parts.nowMs);
  out.effects.push({ type: 'agent.shutdown', agentId, reason: 'marked gone by an operator' });
  out.events.push({ type: 'agent.gone', atMs: parts.nowMs, agentId });
  return null;
}

export function updateAttributes(parts: MasterParts, agentId: string, attributes: AgentAttributes, out: StepSink): Rejection | null {
  const agent = parts.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  // Outstanding offers show the attributes they were made with.
  parts.offers.materializeAgent(agent.index);
  agent.attributes = Object.freeze({ ...attributes });
  // Filters were installed against the old attributes: they all go.
  parts.allocator.filters.clearAgent(agent.index);
  agent.bumpVersion();
  parts.triggerAllocation(agentId);
  out.events.push({ type: 'agent.attributesUpdated', atMs: parts.nowMs, agentId });
  return null;
}

/** Called on every tick: disconnected agents turn unreachable, unreturned recovered agents too. */
export function expireAgentTimeouts(parts: MasterParts, out: StepSink): void {
  const agents = parts.agents;
  for (const agent of [...agents.disconnected]) {
    if (parts.nowMs >= agent.sinceMs + parts.timeouts.agentUnreachableTimeoutMs) markUnreachable(parts, agent.id, out);
  }
  // In order of sinceMs (see AgentRegistry.recovered): stop at the first one not due, so a tick costs what expires, not 10,000 agents.
  for (const [agentId, recovered] of agents.recovered) {
    if (parts.nowMs < recovered.sinceMs + parts.timeouts.agentReregisterTimeoutMs) break;
    agents.recovered.delete(agentId);
    agents.unreachable.set(agentId, { atMs: parts.nowMs, record: recovered.record });
    out.events.push({ type: 'agent.unreachable', atMs: parts.nowMs, agentId });
  }
}
