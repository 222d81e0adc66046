/**
 * Task status updates, acknowledgements, kills and executor shutdown.
 * A status update moves a task along the transition table (terminal states
 * are sticky); agent updates carry a uuid that stays unacknowledged until the
 * framework acknowledges it, and a resent update with a known uuid is only
 * forwarded again. The first move into a state that releases resources gives
 * them back; a move out of UNREACHABLE (the agent came back) takes them again.
 */
import type { CheckStatus, Task, TaskStatus } from '../tasks/task.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import { canTransition, isTerminal, releasesResources } from '../tasks/taskState.js';
import { visibleState } from '../tasks/visibleState.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { FrameworkState } from './frameworkState.js';
import type { Master, StepOutput } from './master.js';
import { unknownFramework } from './master.js';
import { afterTaskEnded } from './agentLifecycle.js';
import { reconcileOne } from './reconciliation.js';

type StatusCommand = Extract<Command, { type: 'task.status' }>;

/** States only the master assigns (Mesos agents never send them). */
const MASTER_ONLY_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

export function handleTaskStatus(master: Master, command: StatusCommand, out: StepOutput): Rejection | null {
  if (!master.agents.has(command.agentId)) {
    // As in Mesos, an agent the master does not have registered (unreachable, or not yet back after a
    // failover) re-registers before its updates count; its report then says what runs there.
    return {
      code: 'unknown_agent',
      message: `agent ${command.agentId} is not registered; it must re-register before sending status updates`,
      agentId: command.agentId,
      taskId: command.taskId,
    };
  }
  const framework = master.frameworks.get(command.frameworkId);
  const task = framework?.tasks.get(command.taskId);
  if (!framework || !task || task.agentId !== command.agentId) {
    return {
      code: 'unknown_task',
      message: `framework ${command.frameworkId} has no task ${command.taskId} on agent ${command.agentId}`,
      taskId: command.taskId,
    };
  }
  if (command.uuid !== undefined && task.unacknowledged.includes(command.uuid)) {
    // A resent update: the framework has not acknowledged it yet, so forward it again.
    out.effects.push({
      type: 'framework.update',
      frameworkId: framework.id,
      status: task.latest!.uuid === command.uuid ? task.latest! : statusOf(master, task, command),
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
    const status = statusOf(master, task, command);
    task.unacknowledged.push(command.uuid);
    out.effects.push({ type: 'framework.update', frameworkId: framework.id, status });
    return null;
  }
  setTaskState(
    master,
    framework,
    task,
    command.state,
    command.reason,
    command.message,
    out,
    command.uuid,
    command.healthy,
    command.checkStatus,
  );
  return null;
}

function statusOf(master: Master, task: Task, command: StatusCommand): TaskStatus {
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
    timestampMs: master.nowMs,
  };
}

/**
 * Moves a task to a new state and tells its framework (partition-unaware
 * frameworks see TASK_LOST for the finer states). Keeps resources, the
 * per-agent index and draining agents in step.
 */
export function setTaskState(
  master: Master,
  framework: FrameworkState,
  task: Task,
  state: TaskState,
  reason: TaskReason | undefined,
  message: string | undefined,
  out: StepOutput,
  uuid?: string,
  healthy?: boolean,
  checkStatus?: CheckStatus,
): void {
  const shown = visibleState(state, framework.partitionAware);
  const before = task.state;
  const previous = task.history.length > 0 ? before : null;
  task.state = shown;
  if (before !== shown || task.history.length === 0) task.history.push({ state: shown, atMs: master.nowMs, ...(reason ? { reason } : {}) });
  const status: TaskStatus = {
    taskId: task.id,
    frameworkId: task.frameworkId,
    agentId: task.agentId,
    state: shown,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    ...(uuid ? { uuid } : {}),
    ...(healthy !== undefined ? { healthy } : {}),
    ...(checkStatus ? { checkStatus } : {}),
    timestampMs: master.nowMs,
  };
  task.latest = status;
  if (uuid) task.unacknowledged.push(uuid);
  out.events.push({ type: 'task.updated', atMs: master.nowMs, status, previous });
  out.effects.push({ type: 'framework.update', frameworkId: task.frameworkId, status });
  chargeForTransition(master, framework, task, previous === null ? null : before, shown);
  if (isTerminal(shown)) {
    master.untrackTask(task);
    afterTaskEnded(master, task.agentId, out);
  } else master.trackTask(task);
}

/** Resources follow the task: recovered when it stops holding them, taken again if it comes back. */
function chargeForTransition(master: Master, framework: FrameworkState, task: Task, before: TaskState | null, after: TaskState): void {
  const heldBefore = before !== null && !releasesResources(before);
  const heldAfter = !releasesResources(after);
  if (heldBefore === heldAfter) return;
  const client = framework.clients.get(task.role)!;
  const agent = master.agents.get(task.agentId);
  if (heldBefore) {
    if (agent) master.allocator.recover(client, agent, task.resources, master.nowMs, 0);
  } else if (agent && before !== null) master.allocator.allocate(client, agent, task.resources);
}

export function handleTaskKill(master: Master, command: Extract<Command, { type: 'task.kill' }>, out: StepOutput): Rejection | null {
  const framework = master.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  const task = framework.tasks.get(command.taskId);
  if (!task) {
    // Mesos answers a KILL of an unknown task with an explicit reconciliation of it.
    reconcileOne(master, framework, command.taskId, command.agentId, out);
    return null;
  }
  if (isTerminal(task.state)) return { code: 'task_terminal', message: `task ${task.id} is already ${task.state}`, taskId: task.id };
  out.effects.push({
    type: 'agent.kill',
    agentId: task.agentId,
    frameworkId: framework.id,
    taskId: task.id,
    gracePeriodMs: command.gracePeriodMs ?? master.killGracePeriodMs,
    killingState: framework.capabilities.has('TASK_KILLING_STATE'),
  });
  return null;
}

/** Kills a task on its agent and ends it in the master at once (framework teardown). */
export function killTask(master: Master, framework: FrameworkState, task: Task, reason: TaskReason, out: StepOutput): void {
  if (isTerminal(task.state)) return;
  if (task.state !== 'TASK_UNREACHABLE') {
    out.effects.push({
      type: 'agent.kill',
      agentId: task.agentId,
      frameworkId: framework.id,
      taskId: task.id,
      gracePeriodMs: master.killGracePeriodMs,
      killingState: false,
    });
  }
  setTaskState(master, framework, task, 'TASK_KILLED', reason, undefined, out);
}

export function handleAcknowledge(
  master: Master,
  command: Extract<Command, { type: 'task.acknowledge' }>,
  out: StepOutput,
): Rejection | null {
  const framework = master.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  const task = framework.tasks.get(command.taskId);
  if (!task || task.agentId !== command.agentId)
    return {
      code: 'unknown_task',
      message: `framework ${framework.id} has no task ${command.taskId} on agent ${command.agentId}`,
      taskId: command.taskId,
    };
  const index = task.unacknowledged.indexOf(command.uuid);
  if (index >= 0) task.unacknowledged.splice(index, 1);
  // Forwarded even when the master saw it before: the agent may have missed the first one,
  // and its status update manager ignores duplicates and stale acknowledgements itself.
  out.effects.push({ type: 'agent.acknowledge', agentId: task.agentId, frameworkId: framework.id, taskId: task.id, uuid: command.uuid });
  out.events.push({ type: 'task.acknowledged', atMs: master.nowMs, frameworkId: framework.id, taskId: task.id, uuid: command.uuid });
  return null;
}

export function handleShutdown(
  master: Master,
  command: Extract<Command, { type: 'executor.shutdown' }>,
  out: StepOutput,
): Rejection | null {
  const framework = master.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  const tasks = master
    .liveTasksOn(command.agentId)
    .filter((task) => task.frameworkId === framework.id && task.executorId === command.executorId);
  if (tasks.length === 0)
    return {
      code: 'unknown_executor',
      message: `framework ${framework.id} has no live tasks of executor ${command.executorId} on agent ${command.agentId}`,
    };
  for (const task of tasks) {
    out.effects.push({
      type: 'agent.kill',
      agentId: task.agentId,
      frameworkId: framework.id,
      taskId: task.id,
      gracePeriodMs: master.killGracePeriodMs,
      killingState: framework.capabilities.has('TASK_KILLING_STATE'),
    });
  }
  return null;
}
