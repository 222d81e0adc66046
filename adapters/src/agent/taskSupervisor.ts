/**
 * One task's life after launch, shared by the launch and recovery paths:
 * status updates (state checkpointed, then queued for reliable delivery),
 * limit and health monitoring, kills with a grace period, and the end (the
 * container cleaned up before the terminal update). Tasks are tracked by
 * (framework id, task id) in a TaskTable.
 */
import { randomUUID } from 'node:crypto';
import type { TaskState } from '@allot/kernel';
import type { StatusUpdate } from '@allot/kernel';
import type { CheckpointStore, TaskRecord } from './checkpointStore.js';
import { TaskCheck, emptyCheckStatus } from './taskCheck.js';
import { CommandHealthChecker } from './healthCheck.js';
import type { Isolator } from './isolation/isolator.js';
import { diskLimitation } from './isolation/isolator.js';
import type { LiveTask } from './liveTask.js';
import { newLiveTask } from './liveTask.js';
import type { AgentLogger } from './logger.js';
import { volumeLimitation } from './persistentVolumes.js';
import { directoryUsageBytes } from './sandbox.js';
import type { StatusUpdateSender } from './statusUpdateSender.js';
import { taskOutcome } from './taskOutcome.js';
import type { UpdateDetails } from './taskOutcome.js';
import type { TaskKey } from './taskTable.js';
import { TaskTable } from './taskTable.js';

export interface SupervisorOptions {
  agentId: string;
  isolator: Isolator;
  store: CheckpointStore;
  updates: StatusUpdateSender;
  logger: AgentLogger;
  clock: () => number;
  defaultKillGracePeriodMs: number;
  monitorIntervalMs: number;
  diskCheckIntervalMs: number;
  isClosed: () => boolean;
}

export type KillReason = NonNullable<TaskRecord['kill']>['reason'];

export class TaskSupervisor {
  readonly tasks = new TaskTable<LiveTask>();
  readonly #options: SupervisorOptions;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  get logger(): AgentLogger {
    return this.#options.logger;
  }

  now(): number {
    return this.#options.clock();
  }

  track(record: TaskRecord): LiveTask {
    const task = newLiveTask(record, this.now());
    this.tasks.add(task);
    return task;
  }

  startMonitoring(task: LiveTask): void {
    const { record } = task;
    task.monitor = setInterval(() => void this.#checkLimits(task), this.#options.monitorIntervalMs);
    task.monitor.unref();
    this.#startCheck(task);
    if (!record.healthCheck) return;
    task.health = new CommandHealthChecker(
      record.healthCheck,
      { sandboxDir: record.sandboxDir, env: record.env, user: record.user },
      {
        onHealthChanged: (healthy) => {
          if (task.ended || record.kill) return;
          task.healthy = healthy;
          this.emit(task, record, 'TASK_RUNNING', { healthy, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' });
        },
        onFailuresExceeded: (failures) => {
          this.logger.warn(
            { taskId: record.taskId, frameworkId: record.frameworkId, failures },
            'health check failed too often; killing the task',
          );
          this.beginKill(task, this.#options.defaultKillGracePeriodMs, 'health_check');
        },
      },
    );
    task.health.start();
  }

  /** A task's check: its result rides on the task's updates as check_status; it never kills the task. */
  #startCheck(task: LiveTask): void {
    const { record } = task;
    if (!record.check) return;
    task.check = new TaskCheck(record.check, { sandboxDir: record.sandboxDir, env: record.env, user: record.user }, (status) => {
      if (task.ended || record.kill) return;
      task.checkStatus = status;
      this.emit(task, record, 'TASK_RUNNING', { reason: 'REASON_TASK_CHECK_STATUS_UPDATED' });
    });
    task.check.start();
  }

  /**
   * SIGTERM to the process group, SIGKILL after the grace period; TASK_KILLING
   * first when the framework can take it. Killing a task that is already
   * ending is a no-op; a task still launching is SIGKILLed by the launch path.
   */
  beginKill(task: LiveTask, gracePeriodMs: number, why: KillReason): void {
    const { record } = task;
    if (task.ended || record.kill || record.limitation) return;
    record.kill = { requestedAtMs: this.now(), gracePeriodMs, reason: why };
    this.#options.store.saveTask(record);
    this.logger.info({ taskId: record.taskId, frameworkId: record.frameworkId, gracePeriodMs, why }, 'killing task');
    if (!task.released) return; // Still launching: the launch SIGKILLs it once the wrapper is released or the command started.
    task.health?.stop();
    if (record.taskKillingState) this.emit(task, record, 'TASK_KILLING', why === 'health_check' ? { healthy: false } : {});
    if (gracePeriodMs <= 0) {
      task.process?.signal('SIGKILL');
      return;
    }
    task.process?.signal('SIGTERM');
    task.killTimer = setTimeout(() => task.process?.signal('SIGKILL'), gracePeriodMs);
  }

  /** Waits for the wrapper to end (and for the launch to have reported TASK_RUNNING), cleans up, and reports the terminal state. */
  async watch(task: LiveTask): Promise<void> {
    const status = await task.process!.exited;
    await task.launched;
    if (this.#options.isClosed() || task.ended) return;
    this.stopWatching(task);
    const { record } = task;
    let limitation = record.limitation;
    if (!limitation && !record.kill) {
      limitation = await this.#options.isolator.detectLimitation(record.containerId).catch((error) => {
        this.logger.error({ taskId: record.taskId, err: error }, 'could not read container limitation');
        return null;
      });
    }
    await this.cleanupContainer(record);
    // Processes of the group that outlived the wrapper (posix isolation, or a failed cgroup cleanup).
    task.process!.signal('SIGKILL');
    const [state, details] = taskOutcome(record.kill, task.released, status, limitation);
    this.logger.info({ taskId: record.taskId, frameworkId: record.frameworkId, state, exit: status, ...details }, 'task ended');
    this.finish(task, state, details);
  }

  finish(task: LiveTask, state: TaskState, details: UpdateDetails): void {
    task.ended = true;
    this.stopWatching(task);
    this.emit(task, task.record, state, details);
    task.resolveTerminal(state);
  }

  stopWatching(task: LiveTask): void {
    if (task.monitor) clearInterval(task.monitor);
    if (task.killTimer) clearTimeout(task.killTimer);
    task.health?.stop();
    task.check?.stop();
    task.monitor = null;
    task.killTimer = null;
  }

  async cleanupContainer(record: TaskRecord): Promise<void> {
    try {
      await this.#options.isolator.cleanup(record.containerId);
    } catch (error) {
      this.logger.error({ taskId: record.taskId, containerId: record.containerId, err: error }, 'container cleanup failed');
    }
  }

  /** True when an update with this uuid is queued for the task (an executor resending it). */
  hasPendingUuid(frameworkId: string, taskId: string, uuid: string): boolean {
    return this.#options.updates.pending(frameworkId, taskId).some((update) => update.uuid === uuid);
  }

  /**
   * Records the state, checkpoints, queues the update, and sends it if nothing
   * else of the task is in flight. `uuid`: an executor's own (its updates keep it).
   */
  emit(task: LiveTask | null, ids: TaskKey, state: TaskState, details: UpdateDetails, uuid: string = randomUUID()): void {
    if (task) {
      task.record.state = state;
      this.#options.store.saveTask(task.record);
    }
    const update: StatusUpdate = {
      uuid,
      taskId: ids.taskId,
      frameworkId: ids.frameworkId,
      agentId: this.#options.agentId,
      state,
      ...(details.reason ? { reason: details.reason } : {}),
      ...(details.message ? { message: details.message } : {}),
      ...(details.healthy !== undefined ? { healthy: details.healthy } : {}),
      ...(task?.record.check ? { checkStatus: task.checkStatus ?? emptyCheckStatus(task.record.check) } : {}),
      timestampMs: this.now(),
    };
    this.logger.info(
      {
        taskId: ids.taskId,
        frameworkId: ids.frameworkId,
        state,
        uuid: update.uuid,
        reason: details.reason,
        message: details.message,
        healthy: details.healthy,
      },
      'status update',
    );
    this.#options.updates.add(update);
  }

  forget(frameworkId: string, taskId: string): void {
    const task = this.tasks.delete(frameworkId, taskId);
    if (task) this.#options.store.removeTask(frameworkId, taskId);
  }

  /** One monitoring round: an OOM kill, or a sandbox over its disk limit, ends the whole container. */
  async #checkLimits(task: LiveTask): Promise<void> {
    if (task.monitorBusy || task.ended || task.record.limitation) return;
    task.monitorBusy = true;
    try {
      const { record } = task;
      let limitation = await this.#options.isolator.detectLimitation(record.containerId);
      const nowMs = this.now();
      if (!limitation && record.diskMb !== null && nowMs - task.lastDiskCheckMs >= this.#options.diskCheckIntervalMs) {
        task.lastDiskCheckMs = nowMs;
        const usedBytes = directoryUsageBytes(record.sandboxDir);
        if (usedBytes > record.diskMb * 2 ** 20) limitation = diskLimitation(record.diskMb, usedBytes);
      }
      if (!limitation && (record.volumes?.length ?? 0) > 0 && nowMs - task.lastVolumeCheckMs >= this.#options.diskCheckIntervalMs) {
        task.lastVolumeCheckMs = nowMs;
        limitation = volumeLimitation(record.volumes!);
      }
      if (!limitation || task.ended) return;
      this.logger.warn({ taskId: record.taskId, containerId: record.containerId, limitation }, 'container limitation; killing the task');
      record.limitation = limitation;
      this.#options.store.saveTask(record);
      task.process?.signal('SIGKILL');
    } catch (error) {
      this.logger.error({ taskId: task.record.taskId, err: error }, 'limit check failed');
    } finally {
      task.monitorBusy = false;
    }
  }
}
