/**
 * Task status updates and kills. A status update moves a task along the
 * transition table (illegal moves are rejected, terminal states are sticky);
 * the first move into a state that releases resources gives them back to the
 * agent and the allocator, with no filter.
 */
import type { Task, TaskStatus } from '../tasks/task.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import { canTransition, isTerminal, releasesResources } from '../tasks/taskState.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { Master, StepOutput } from './master.js';

type StatusCommand = Extract<Command, { type: 'task.status' }>;
type KillCommand = Extract<Command, { type: 'task.kill' }>;

export function handleTaskStatus(master: Master, command: StatusCommand, out: StepOutput): Rejection | null {
  const task = master.frameworks.get(command.frameworkId)?.tasks.get(command.taskId);
  if (!task || task.agentId !== command.agentId) {
    return { code: 'unknown_task', message: `framework ${command.frameworkId} has no task ${command.taskId} on agent ${command.agentId}`, taskId: command.taskId };
  }
  if (!canTransition(task.state, command.state)) {
    return { code: 'illegal_transition', message: `task ${task.id} cannot move from ${task.state} to ${command.state}`, taskId: task.id, from: task.state, to: command.state };
  }
  const before = task.state;
  recordTaskState(master, task, command.state, command.reason, command.message, out);
  if (releasesResources(command.state) && !releasesResources(before)) {
    const framework = master.frameworks.get(task.frameworkId)!;
    const client = framework.clients.get(task.role)!;
    master.allocator.recover(client, master.agents.get(task.agentId)!, task.resources, command.nowMs, 0);
  }
  return null;
}

export function handleTaskKill(master: Master, command: KillCommand, out: StepOutput): Rejection | null {
  const framework = master.frameworks.get(command.frameworkId);
  if (!framework) return { code: 'unknown_framework', message: `framework ${command.frameworkId} is not subscribed`, frameworkId: command.frameworkId };
  const task = framework.tasks.get(command.taskId);
  if (!task) return { code: 'unknown_task', message: `framework ${command.frameworkId} has no task ${command.taskId}`, taskId: command.taskId };
  if (isTerminal(task.state)) return { code: 'task_terminal', message: `task ${task.id} is already ${task.state}`, taskId: task.id };
  out.effects.push({ type: 'agent.kill', agentId: task.agentId, frameworkId: framework.id, taskId: task.id });
  return null;
}

/** Stores a new state on the task and tells its framework. */
export function recordTaskState(
  master: Master,
  task: Task,
  state: TaskState,
  reason: TaskReason | undefined,
  message: string | undefined,
  out: StepOutput,
): void {
  const previous = task.history.length > 0 ? task.state : null;
  task.state = state;
  task.history.push({ state, atMs: master.nowMs, ...(reason ? { reason } : {}) });
  const status: TaskStatus = {
    taskId: task.id,
    frameworkId: task.frameworkId,
    agentId: task.agentId,
    state,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    timestampMs: master.nowMs,
  };
  out.events.push({ type: 'task.updated', atMs: master.nowMs, status, previous });
  out.effects.push({ type: 'framework.update', frameworkId: task.frameworkId, status });
}
