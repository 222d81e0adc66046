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
import type { Master, StepOutput } from './master.js';
import { unknownFramework } from './master.js';

export function handleReconcile(
  master: Master,
  command: Extract<Command, { type: 'framework.reconcile' }>,
  out: StepOutput,
): Rejection | null {
  const framework = master.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  if (command.tasks.length === 0) {
    for (const task of framework.tasks.values()) {
      if (!isTerminal(task.state) || task.unacknowledged.length > 0) reply(master, framework, task.id, task.agentId, task.state, out);
    }
    return null;
  }
  for (const { taskId, agentId } of command.tasks) reconcileOne(master, framework, taskId, agentId, out);
  return null;
}

export function reconcileOne(
  master: Master,
  framework: FrameworkState,
  taskId: string,
  agentId: string | undefined,
  out: StepOutput,
): void {
  const task = framework.tasks.get(taskId);
  if (task) {
    reply(master, framework, taskId, task.agentId, task.state, out);
    return;
  }
  const state = stateForUnknownTask(master, agentId);
  if (state !== null) reply(master, framework, taskId, agentId ?? '', state, out);
}

/** Null means "no answer yet": the agent may still come back with the task. */
function stateForUnknownTask(master: Master, agentId: string | undefined): TaskState | null {
  if (agentId === undefined) return master.recoveredAgents.size > 0 ? null : 'TASK_UNKNOWN';
  if (master.agents.has(agentId)) return 'TASK_GONE';
  if (master.recoveredAgents.has(agentId)) return null;
  if (master.unreachableAgents.has(agentId)) return 'TASK_UNREACHABLE';
  if (master.goneAgents.has(agentId)) return 'TASK_GONE_BY_OPERATOR';
  return 'TASK_UNKNOWN';
}

function reply(master: Master, framework: FrameworkState, taskId: string, agentId: string, state: TaskState, out: StepOutput): void {
  const status: TaskStatus = {
    taskId,
    frameworkId: framework.id,
    agentId,
    state: visibleState(state, framework.partitionAware),
    reason: 'REASON_RECONCILIATION',
    timestampMs: master.nowMs,
  };
  out.events.push({ type: 'task.reconciled', atMs: master.nowMs, status });
  out.effects.push({ type: 'framework.update', frameworkId: framework.id, status });
}
