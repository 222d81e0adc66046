/**
 * A checkpointed task brought back by a new runtime on the same work dir:
 * ended tasks wait for the acknowledgement of their terminal update; a task
 * whose launch never got "go" is failed; a live process is re-adopted (its
 * cgroups recovered, its exit read from the `exit_status` file), and a kill
 * that was under way keeps its deadline. A task of a custom executor goes
 * back to its recovered executor, or fails when the executor is gone.
 */
import { isTerminal } from '@allot/kernel';
import type { TaskRecord } from './checkpointStore.js';
import type { Isolator } from './isolation/isolator.js';
import type { LiveTask } from './liveTask.js';
import { isProcessAlive, signalProcessGroup } from './isolation/procStat.js';
import type { StatusUpdateSender } from './statusUpdateSender.js';
import type { TaskSupervisor } from './taskSupervisor.js';
import { TaskProcess } from './taskProcess.js';

export async function recoverTask(
  supervisor: TaskSupervisor,
  isolator: Isolator,
  updates: StatusUpdateSender,
  record: TaskRecord,
  adoptedPollMs: number,
  attachToExecutor: (task: LiveTask) => boolean,
): Promise<void> {
  const task = supervisor.track(record);
  if (isTerminal(record.state)) {
    task.ended = true;
    task.resolveTerminal(record.state);
    if (updates.pending(record.frameworkId, record.taskId).length === 0) supervisor.forget(record.frameworkId, record.taskId);
    return;
  }
  const alive = record.pid !== null && isProcessAlive(record.pid, record.startTicks);
  supervisor.logger.info(
    { taskId: record.taskId, frameworkId: record.frameworkId, containerId: record.containerId, pid: record.pid, alive },
    'recovering task',
  );
  if (record.executorId !== undefined && record.pid === null) {
    // A task of a custom executor: it runs on if its executor was recovered (executorRecovery.ts).
    if (attachToExecutor(task)) return;
    supervisor.finish(task, 'TASK_FAILED', {
      reason: 'REASON_EXECUTOR_TERMINATED',
      message: 'the agent restarted and the executor of this task is gone',
    });
    return;
  }
  if (record.pid === null || record.state === 'TASK_STAGING') {
    // The agent died mid-launch: the wrapper never got "go" (or its RUNNING was never recorded); end it.
    if (alive) signalProcessGroup(record.pid!, 'SIGKILL');
    await supervisor.cleanupContainer(record);
    supervisor.finish(task, 'TASK_FAILED', {
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      message: 'the agent restarted while the task was launching',
    });
    return;
  }
  try {
    await isolator.recover(record.containerId, record.limits, record.pid);
  } catch (error) {
    supervisor.logger.warn(
      { taskId: record.taskId, err: error },
      'container isolation could not be recovered; limits of this task are no longer watched',
    );
  }
  task.process = TaskProcess.adopt(record.pid, record.startTicks, record.sandboxDir, adoptedPollMs);
  task.released = true;
  task.resolveLaunched();
  void supervisor.watch(task);
  if (!alive) return;
  supervisor.startMonitoring(task);
  if (record.kill) {
    const remainingMs = Math.max(0, record.kill.requestedAtMs + record.kill.gracePeriodMs - supervisor.now());
    task.killTimer = setTimeout(() => task.process?.signal('SIGKILL'), remainingMs);
  }
}

/** Recovers every checkpointed task, then removes containers no recovered task owns (left by an earlier agent). */
export async function recoverWorkDir(
  supervisor: TaskSupervisor,
  isolator: Isolator,
  updates: StatusUpdateSender,
  records: readonly TaskRecord[],
  adoptedPollMs: number,
  executors: { attachTask(task: LiveTask): boolean; containerIds(): string[] },
): Promise<void> {
  const attach = (task: LiveTask) => executors.attachTask(task);
  for (const record of records) await recoverTask(supervisor, isolator, updates, record, adoptedPollMs, attach);
  const owned = new Set([...supervisor.tasks.values()].filter((task) => !task.ended).map((task) => task.record.containerId));
  for (const containerId of executors.containerIds()) owned.add(containerId);
  for (const containerId of await isolator.containers()) {
    if (owned.has(containerId)) continue;
    supervisor.logger.warn({ containerId }, 'removing a container left over by an earlier agent');
    await isolator
      .cleanup(containerId)
      .catch((error) => supervisor.logger.error({ containerId, err: error }, 'could not remove leftover container'));
  }
}
