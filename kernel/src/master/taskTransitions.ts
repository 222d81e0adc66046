/**
 * Moving a task to a new state, the one place where that happens: the task
 * records the state (partition-unaware frameworks see TASK_LOST for the finer
 * states), its framework is told, the resources follow (given back on the
 * first move into a state that releases them, taken again if the task comes
 * back from UNREACHABLE), the task registry's live index is kept in step, and
 * the agent hears that a task ended (a draining agent may be drained).
 */
import type { CheckStatus, TaskStatus } from '../tasks/task.js';
import type { TaskRecord } from '../tasks/taskRecord.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import { isTerminal, releasesResources } from '../tasks/taskState.js';
import { visibleState } from '../tasks/visibleState.js';
import { afterExecutorTaskEnded } from './executorHandlers.js';
import type { FrameworkState } from './frameworkState.js';
import type { MasterParts, StepSink } from './masterParts.js';

export function setTaskState(
  parts: MasterParts,
  framework: FrameworkState,
  task: TaskRecord,
  state: TaskState,
  reason: TaskReason | undefined,
  message: string | undefined,
  out: StepSink,
  uuid?: string,
  healthy?: boolean,
  checkStatus?: CheckStatus,
): void {
  const shown = visibleState(state, framework.partitionAware);
  const before = task.state;
  const previous = task.historyLength > 0 ? before : null;
  task.state = shown;
  if (before !== shown || task.historyLength === 0) parts.tasks.appendHistory(task, shown, parts.nowMs, reason || undefined);
  const status = taskStatus(task, shown, reason, message, uuid, healthy, checkStatus, parts.nowMs);
  task.setLatest(status);
  if (uuid) task.addUnacknowledged(uuid);
  out.events.push({ type: 'task.updated', atMs: parts.nowMs, status, previous });
  out.effects.push({ type: 'framework.update', frameworkId: task.frameworkId, status });
  chargeForTransition(parts, framework, task, previous === null ? null : before, shown);
  // A live task that stays live is in the live index already (a million RUNNING updates skip it).
  if (previous === null || isTerminal(before) || isTerminal(shown)) parts.tasks.stateChanged(task);
  if (isTerminal(shown)) {
    afterExecutorTaskEnded(parts, task, out);
    parts.taskEndedOn(task.agentId, out);
  }
}

/**
 * A status with its fields in the order Mesos-shaped JSON shows them. The common shapes (an
 * agent's update with a uuid, a master's without) are literals: no temporary object per field.
 */
export function taskStatus(
  task: TaskRecord,
  state: TaskState,
  reason: TaskReason | undefined,
  message: string | undefined,
  uuid: string | undefined,
  healthy: boolean | undefined,
  checkStatus: CheckStatus | undefined,
  timestampMs: number,
): TaskStatus {
  const { id: taskId, frameworkId, agentId } = task;
  if (!reason && !message && healthy === undefined && !checkStatus) {
    return uuid ? { taskId, frameworkId, agentId, state, uuid, timestampMs } : { taskId, frameworkId, agentId, state, timestampMs };
  }
  return {
    taskId,
    frameworkId,
    agentId,
    state,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    ...(uuid ? { uuid } : {}),
    ...(healthy !== undefined ? { healthy } : {}),
    ...(checkStatus ? { checkStatus } : {}),
    timestampMs,
  };
}

/** Resources follow the task: given back when it stops holding them, taken again if it comes back. */
function chargeForTransition(
  parts: MasterParts,
  framework: FrameworkState,
  task: TaskRecord,
  before: TaskState | null,
  after: TaskState,
): void {
  const heldBefore = before !== null && !releasesResources(before);
  const heldAfter = !releasesResources(after);
  if (heldBefore === heldAfter) return;
  const client = framework.clients.get(task.role)!;
  const agent = parts.agents.get(task.agentId);
  if (!agent) return;
  if (heldBefore) {
    parts.tasks.held(task, agent.index, -1);
    parts.giveBack(client, agent, task.resources, 0);
  } else if (before !== null) {
    parts.allocator.allocate(client, agent, task.resources);
    parts.tasks.held(task, agent.index, 1);
  }
}

/** Kills a task on its agent and ends it in the master at once (framework teardown). */
export function killTask(parts: MasterParts, framework: FrameworkState, task: TaskRecord, reason: TaskReason, out: StepSink): void {
  if (isTerminal(task.state)) return;
  if (task.state !== 'TASK_UNREACHABLE') {
    out.effects.push({
      type: 'agent.kill',
      agentId: task.agentId,
      frameworkId: framework.id,
      taskId: task.id,
      gracePeriodMs: parts.timeouts.killGracePeriodMs,
      killingState: false,
    });
  }
  setTaskState(parts, framework, task, 'TASK_KILLED', reason, undefined, out);
}

/** Ends a live task with a master-decided state (agent gone, removed, re-registered without it). */
export function endTask(parts: MasterParts, task: TaskRecord, state: TaskState, reason: TaskReason, message: string, out: StepSink): void {
  const framework = parts.frameworks.get(task.frameworkId);
  if (framework && !isTerminal(task.state)) setTaskState(parts, framework, task, state, reason, message, out);
}
