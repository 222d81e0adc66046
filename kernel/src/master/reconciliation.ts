/**
 * Task reconciliation (docs/semantics.md, "Tasks and status updates").
 * Implicit (no tasks named): the latest state of every task the master knows for the framework. Explicit,
 * per task: known → its latest state; otherwise decided by its agent:
 * registered → GONE, unreachable → UNREACHABLE, gone → GONE_BY_OPERATOR,
 * still re-registering after a failover → no answer yet, unknown → UNKNOWN.
 * Partition-unaware frameworks read the finer states as LOST. Replies carry
 * REASON_RECONCILIATION and no uuid (nothing to acknowledge).
 */
import type { TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';
import { visibleState } from '../tasks/visibleState.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { FrameworkState } from './frameworkState.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { unknownFramework } from './rejections.js';

export function handleReconcile(
  parts: MasterParts,
  command: Extract<Command, { type: 'framework.reconcile' }>,
  out: StepSink,
): Rejection | null {
  const framework = parts.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  if (command.tasks.length === 0) {
    for (const task of framework.tasks.values()) {
      if (!isTerminal(task.state) || task.unacknowledgedCount > 0) reply(parts, framework, task.id, task.agentId, task.state, out);
    }
    return null;
  }
  for (const { taskId, agentId } of command.tasks) reconcileOne(parts, framework, taskId, agentId, out);
  return null;
}

export function reconcileOne(
  parts: MasterParts,
  framework: FrameworkState,
  taskId: string,
  agentId: string | undefined,
  out: StepSink,
): void {
  const task = framework.tasks.get(taskId);
  if (task) {
    reply(parts, framework, taskId, task.agentId, task.state, out);
    return;
  }
  const state = stateForUnknownTask(parts, agentId);
  if (state !== null) reply(parts, framework, taskId, agentId ?? '', state, out);
}

/** Null means "no answer yet": the agent may still come back with the task. */
function stateForUnknownTask(parts: MasterParts, agentId: string | undefined): TaskState | null {
  if (agentId === undefined) return parts.agents.recovered.size > 0 ? null : 'TASK_UNKNOWN';
  if (parts.agents.has(agentId)) return 'TASK_GONE';
  if (parts.agents.recovered.has(agentId)) return null;
  if (parts.agents.unreachable.has(agentId)) return 'TASK_UNREACHABLE';
  if (parts.agents.gone.has(agentId)) return 'TASK_GONE_BY_OPERATOR';
  return 'TASK_UNKNOWN';
}

function reply(parts: MasterParts, framework: FrameworkState, taskId: string, agentId: string, state: TaskState, out: StepSink): void {
  const status: TaskStatus = {
    taskId,
    frameworkId: framework.id,
    agentId,
    state: visibleState(state, framework.partitionAware),
    reason: 'REASON_RECONCILIATION',
    timestampMs: parts.nowMs,
  };
  out.events.push({ type: 'task.reconciled', atMs: parts.nowMs, status });
  out.effects.push({ type: 'framework.update', frameworkId: framework.id, status });
}
