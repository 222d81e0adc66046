/**
 * Task status updates, acknowledgements, kills and executor shutdown.
 * A status update moves a task along the transition table (terminal states
 * are sticky); agent updates carry a uuid that stays unacknowledged until the
 * framework acknowledges it, and a resent update with a known uuid is only
 * forwarded again. State changes themselves are taskTransitions.ts's.
 */
import type { TaskStatus } from '../tasks/task.js';
import type { TaskRecord } from '../tasks/taskRecord.js';
import type { TaskState } from '../tasks/taskState.js';
import { canTransition, isTerminal } from '../tasks/taskState.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { reconcileOne } from './reconciliation.js';
import { unknownFramework } from './rejections.js';
import { setTaskState } from './taskTransitions.js';

type StatusCommand = Extract<Command, { type: 'task.status' }>;

/** States only the master assigns (Mesos agents never send them). */
const MASTER_ONLY_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

export function handleTaskStatus(parts: MasterParts, command: StatusCommand, out: StepSink): Rejection | null {
  if (!parts.agents.has(command.agentId)) {
    // As in Mesos, an agent the master does not have registered (unreachable, or not yet back after a
    // failover) re-registers before its updates count; its report then says what runs there.
    return {
      code: 'unknown_agent',
      message: `agent ${command.agentId} is not registered; it must re-register before sending status updates`,
      agentId: command.agentId,
      taskId: command.taskId,
    };
  }
  const framework = parts.frameworks.get(command.frameworkId);
  const task = framework?.tasks.get(command.taskId);
  if (!framework || !task || task.agentId !== command.agentId) {
    return {
      code: 'unknown_task',
      message: `framework ${command.frameworkId} has no task ${command.taskId} on agent ${command.agentId}`,
      taskId: command.taskId,
    };
  }
  if (command.uuid !== undefined && task.isUnacknowledged(command.uuid)) {
    // A resent update: the framework has not acknowledged it yet, so forward it again.
    out.effects.push({
      type: 'framework.update',
      frameworkId: framework.id,
      status: task.latestUuid === command.uuid ? task.latest! : statusOf(parts, task, command),
    });
    return null;
  }
  if (MASTER_ONLY_STATES.has(command.state)) {
    // Only the master decides that an agent is unreachable or gone; an agent saying so about
    // its own task would release resources the allocator would then hand out twice.
    return { code: 'master_only_state', message: `${command.state} is set by the master, never reported by an agent`, taskId: task.id };
  }
  if (command.state === 'TASK_KILLING' && !framework.capabilities.has('TASK_KILLING_STATE')) {
    return { code: 'unsupported_state', message: `framework ${framework.id} lacks TASK_KILLING_STATE`, taskId: task.id };
  }
  if (!canTransition(task.state, command.state)) {
    if (command.uuid === undefined) {
      return {
        code: 'illegal_transition',
        message: `task ${task.id} cannot move from ${task.state} to ${command.state}`,
        taskId: task.id,
        from: task.state,
        to: command.state,
      };
    }
    // The master already ended the task (e.g. LOST while the agent was away); the agent's
    // update is still forwarded so that it is acknowledged and the agent stops resending it.
    const status = statusOf(parts, task, command);
    task.addUnacknowledged(command.uuid);
    out.effects.push({ type: 'framework.update', frameworkId: framework.id, status });
    return null;
  }
  const { state, reason, message, uuid, healthy, checkStatus } = command;
  setTaskState(parts, framework, task, state, reason, message, out, uuid, healthy, checkStatus);
  return null;
}

function statusOf(parts: MasterParts, task: TaskRecord, command: StatusCommand): TaskStatus {
  return {
    taskId: task.id,
    frameworkId: task.frameworkId,
    agentId: task.agentId,
    state: command.state,
    ...(command.reason ? { reason: command.reason } : {}),
    ...(command.message ? { message: command.message } : {}),
    ...(command.uuid ? { uuid: command.uuid } : {}),
    ...(command.healthy !== undefined ? { healthy: command.healthy } : {}),
    ...(command.checkStatus ? { checkStatus: command.checkStatus } : {}),
    timestampMs: parts.nowMs,
  };
}

export function handleTaskKill(parts: MasterParts, command: Extract<Command, { type: 'task.kill' }>, out: StepSink): Rejection | null {
  const framework = parts.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  const task = framework.tasks.get(command.taskId);
  if (!task) {
    // Mesos answers a KILL of an unknown task with an explicit reconciliation of it.
    reconcileOne(parts, framework, command.taskId, command.agentId, out);
    return null;
  }
  if (isTerminal(task.state)) return { code: 'task_terminal', message: `task ${task.id} is already ${task.state}`, taskId: task.id };
  out.effects.push({
    type: 'agent.kill',
    agentId: task.agentId,
    frameworkId: framework.id,
    taskId: task.id,
    gracePeriodMs: command.gracePeriodMs ?? parts.timeouts.killGracePeriodMs,
    killingState: framework.capabilities.has('TASK_KILLING_STATE'),
  });
  return null;
}

export function handleAcknowledge(
  parts: MasterParts,
  command: Extract<Command, { type: 'task.acknowledge' }>,
  out: StepSink,
): Rejection | null {
  const framework = parts.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  const task = framework.tasks.get(command.taskId);
  if (!task || task.agentId !== command.agentId)
    return {
      code: 'unknown_task',
      message: `framework ${framework.id} has no task ${command.taskId} on agent ${command.agentId}`,
      taskId: command.taskId,
    };
  task.acknowledge(command.uuid);
  // Forwarded even when the master saw it before: the agent may have missed the first one,
  // and its status update manager ignores duplicates and stale acknowledgements itself.
  out.effects.push({ type: 'agent.acknowledge', agentId: task.agentId, frameworkId: framework.id, taskId: task.id, uuid: command.uuid });
  out.events.push({ type: 'task.acknowledged', atMs: parts.nowMs, frameworkId: framework.id, taskId: task.id, uuid: command.uuid });
  return null;
}

export function handleShutdown(
  parts: MasterParts,
  command: Extract<Command, { type: 'executor.shutdown' }>,
  out: StepSink,
): Rejection | null {
  const framework = parts.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  const tasks = parts.tasks
    .liveOn(command.agentId)
    .filter((task) => task.frameworkId === framework.id && task.executorId === command.executorId);
  // An executor with no task left still runs (and holds its resources) until the agent reports it exited.
  if (tasks.length === 0 && !parts.executors.get(framework.id, command.agentId, command.executorId))
    return {
      code: 'unknown_executor',
      message: `framework ${framework.id} has no executor ${command.executorId} with live tasks or resources on agent ${command.agentId}`,
    };
  for (const task of tasks) {
    out.effects.push({
      type: 'agent.kill',
      agentId: task.agentId,
      frameworkId: framework.id,
      taskId: task.id,
      gracePeriodMs: parts.timeouts.killGracePeriodMs,
      killingState: framework.capabilities.has('TASK_KILLING_STATE'),
    });
  }
  return null;
}
