/**
 * Custom executors across an agent restart, as Mesos's agent recovery does
 * them: the executor process keeps running while the agent is down; the new
 * agent reads the executor's checkpoint (`meta/executors/...`), takes back a
 * live executor of a checkpointing framework (its container's cgroups, its
 * process as an adopted one whose exit is read from `exit_status`), and waits
 * for it to SUBSCRIBE again (executorManager.ts) within the re-registration
 * timeout. An executor that is gone, or whose framework does not checkpoint
 * (Mesos kills those), is cleaned up and its record removed; its tasks then
 * fail in task recovery (REASON_EXECUTOR_TERMINATED).
 */
import type { ExecutorRecord } from './checkpointStore.js';
import type { Executor, ExecutorDeps } from './executorLaunch.js';
import { EXECUTOR_REREGISTRATION_TIMEOUT_MS } from './executorProtocol.js';
import { isProcessAlive, signalProcessGroup } from './isolation/procStat.js';
import { TaskProcess } from './taskProcess.js';

type Json = Record<string, any>;

/** The executors worth waiting for; the others are killed (if alive) and forgotten. */
export async function recoverExecutors(deps: ExecutorDeps, records: readonly ExecutorRecord[], adoptedPollMs: number): Promise<Executor[]> {
  const { logger } = deps.supervisor;
  const recovered: Executor[] = [];
  for (const record of records) {
    const alive = isProcessAlive(record.pid, record.startTicks);
    const checkpointing = record.frameworkInfo.checkpoint === true;
    const at = { frameworkId: record.frameworkId, executorId: record.executorId, pid: record.pid, alive, checkpointing };
    if (!alive || !checkpointing) {
      logger.info(at, alive ? 'killing an executor of a framework that does not checkpoint' : 'a checkpointed executor is gone');
      if (alive) signalProcessGroup(record.pid, 'SIGKILL');
      await deps.isolator.cleanup(record.containerId).catch(() => undefined);
      deps.store.removeExecutor(record.frameworkId, record.executorId);
      continue;
    }
    try {
      await deps.isolator.recover(record.containerId, record.limits, record.pid);
    } catch (error) {
      logger.warn({ ...at, err: error }, 'executor container isolation could not be recovered; its limits are no longer watched');
    }
    logger.info(at, 'recovered an executor; waiting for it to subscribe again');
    recovered.push({
      frameworkId: record.frameworkId,
      executorId: record.executorId,
      containerId: record.containerId,
      sandboxDir: record.sandboxDir,
      info: record.info,
      role: record.role,
      frameworkInfo: record.frameworkInfo,
      process: TaskProcess.adopt(record.pid, record.startTicks, record.sandboxDir, adoptedPollMs),
      sink: null,
      queued: [],
      groups: new Map(),
      tasks: new Set(),
      timer: null,
      shuttingDown: false,
      recovered: true,
    });
  }
  return recovered;
}

/** A recovered executor that has not subscribed again within the timeout is killed (its tasks then fail, executorManager.ts). */
export function awaitResubscription(executor: Executor, deps: ExecutorDeps): void {
  const timeoutMs = deps.reregistrationTimeoutMs ?? EXECUTOR_REREGISTRATION_TIMEOUT_MS;
  executor.timer = setTimeout(() => {
    deps.supervisor.logger.warn(
      { frameworkId: executor.frameworkId, executorId: executor.executorId, timeoutMs },
      'a recovered executor did not subscribe again in time; killing it',
    );
    executor.reregistrationTimedOut = true;
    executor.process?.signal('SIGKILL');
  }, timeoutMs);
  executor.timer.unref();
}

/**
 * A recovered executor is back. A task it never received (still STAGING, and not among the tasks it
 * lists as unacknowledged) was lost with the old agent, as in Mesos.
 */
export function loseUndeliveredTasks(executor: Executor, deps: ExecutorDeps, unacknowledgedTasks: Json[]): void {
  executor.recovered = false;
  const known = new Set(unacknowledgedTasks.map((task) => task?.task_id?.value));
  for (const taskId of executor.tasks) {
    const task = deps.supervisor.tasks.get(executor.frameworkId, taskId);
    if (!task || task.ended || task.record.state !== 'TASK_STAGING' || known.has(taskId)) continue;
    deps.supervisor.finish(task, 'TASK_LOST', {
      reason: 'REASON_AGENT_RESTARTED',
      message: 'the agent restarted before the executor received the task',
    });
  }
  deps.supervisor.logger.info(
    { frameworkId: executor.frameworkId, executorId: executor.executorId },
    'a recovered executor subscribed again',
  );
}
