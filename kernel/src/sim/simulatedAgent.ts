/**
 * A simulated agent: it runs the tasks the master launches on it and reports
 * their states through a StatusUpdateManager, so updates carry uuids and are
 * resent until acknowledged, exactly as a real agent's are. A task reports
 * TASK_RUNNING at once and TASK_FINISHED after its `durationMs` (or runs until
 * killed); a task with a readiness check (SDK task data) reports the check
 * passing `delaySeconds` after it runs. It checkpoints its total resources
 * (dynamic reservations and volumes) so they survive restarts; a crash kills
 * every task.
 */
import type { ReportedTask } from '../master/commands.js';
import type { Prng } from '../prng.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import type { CheckStatus, Task } from '../tasks/task.js';
import type { StatusUpdate } from '../tasks/statusUpdateManager.js';
import { STATUS_UPDATE_RETRY_INITIAL_MS, StatusUpdateManager, taskStreamKey, uuidFromPrng } from '../tasks/statusUpdateManager.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';
import type { TaskRunData } from '../schedulers/taskRunData.js';

export interface AgentHost {
  /** Schedules `run` at `atMs` of simulated time. */
  schedule(atMs: number, run: () => void): void;
  /** Sends an agent-originated status update to the master (the network may drop it). */
  send(update: StatusUpdate): void;
  readonly prng: Prng;
}

interface RunningTask {
  readonly task: Task;
  readonly epoch: number;
  state: TaskState;
}

export class SimulatedAgent {
  /** By `taskStreamKey(frameworkId, taskId)`: a task id is unique only within its framework. */
  readonly #running = new Map<string, RunningTask>();
  #updates = new StatusUpdateManager();
  #epoch = 0;
  #retryAtMs = Infinity;
  /** The total the master last told this agent to checkpoint, when it changed from the spec. */
  checkpointedTotal: ResourceSet | null = null;
  up = true;

  constructor(
    readonly id: string,
    readonly host: AgentHost,
  ) {}

  get runningTasks(): ReadonlyMap<string, RunningTask> {
    return this.#running;
  }

  get pendingUpdates(): number {
    return this.#updates.pendingCount;
  }

  /** In-flight updates older than `ageMs`: the "no lost updates" law looks at these. */
  staleUpdates(nowMs: number, ageMs: number): StatusUpdate[] {
    return this.#updates.inFlight().filter((update) => nowMs - update.timestampMs > ageMs);
  }

  launch(task: Task, nowMs: number): void {
    if (!this.up) return;
    const epoch = this.#epoch;
    const key = taskStreamKey(task.frameworkId, task.id);
    this.#running.set(key, { task, epoch, state: 'TASK_RUNNING' });
    this.#report(task.frameworkId, task.id, 'TASK_RUNNING', nowMs);
    const check = (task.data as { readinessCheck?: { delaySeconds: number } } | undefined)?.readinessCheck;
    if (check) {
      // A simulated readiness check passes the first time it runs.
      const checkMs = nowMs + check.delaySeconds * 1000;
      this.host.schedule(checkMs, () => this.#checkPassed(task, epoch, checkMs));
    }
    const durationMs = (task.data as TaskRunData | undefined)?.durationMs ?? null;
    if (durationMs === null) return;
    this.host.schedule(nowMs + durationMs, () => this.#end(key, epoch, 'TASK_FINISHED', nowMs + durationMs));
  }

  kill(frameworkId: string, taskId: string, gracePeriodMs: number, killingState: boolean, nowMs: number): void {
    const key = taskStreamKey(frameworkId, taskId);
    const running = this.#running.get(key);
    if (!this.up || !running || running.state === 'TASK_KILLING') return;
    if (killingState) {
      running.state = 'TASK_KILLING';
      this.#report(running.task.frameworkId, taskId, 'TASK_KILLING', nowMs);
    }
    // Simulated tasks honour SIGTERM within a second, or are killed when the grace period ends.
    const stopMs = nowMs + Math.min(gracePeriodMs, 1000);
    this.host.schedule(stopMs, () => this.#end(key, running.epoch, 'TASK_KILLED', stopMs));
  }

  /** A task fault: the process dies with a non-zero exit. */
  fail(frameworkId: string, taskId: string, message: string, nowMs: number): boolean {
    const key = taskStreamKey(frameworkId, taskId);
    const running = this.#running.get(key);
    if (!this.up || !running) return false;
    this.#end(key, running.epoch, 'TASK_FAILED', nowMs, message, 'REASON_COMMAND_EXECUTOR_FAILED');
    return true;
  }

  acknowledge(frameworkId: string, taskId: string, uuid: string, nowMs: number): void {
    if (!this.up) return;
    const result = this.#updates.acknowledge(frameworkId, taskId, uuid, nowMs);
    if (result.ok && result.next) this.host.send(result.next);
    this.#scheduleRetry(nowMs);
  }

  /** Resends everything in flight, e.g. after re-registering with a new master. */
  resendPending(nowMs: number): void {
    for (const update of this.#updates.inFlight()) this.host.send(update);
    this.#scheduleRetry(nowMs);
  }

  /** Tasks that were running before the simulation started (a fork): reported at registration, run as launched ones. */
  adopt(tasks: readonly Task[], nowMs: number): void {
    for (const task of tasks) {
      const epoch = this.#epoch;
      const key = taskStreamKey(task.frameworkId, task.id);
      this.#running.set(key, { task, epoch, state: 'TASK_RUNNING' });
      const durationMs = (task.data as TaskRunData | undefined)?.durationMs ?? null;
      if (durationMs !== null) this.host.schedule(nowMs + durationMs, () => this.#end(key, epoch, 'TASK_FINISHED', nowMs + durationMs));
    }
  }

  /** What the agent tells the master when it (re-)registers. */
  report(): ReportedTask[] {
    return [...this.#running.values()].map(({ task, state }) => ({
      taskId: task.id,
      frameworkId: task.frameworkId,
      role: task.role,
      resources: task.resources,
      state: state === 'TASK_KILLING' ? 'TASK_KILLING' : 'TASK_RUNNING',
      executorId: task.executorId,
      ...(task.data !== undefined ? { data: task.data } : {}),
    }));
  }

  /** The host dies: every task with it, and the updates not yet acknowledged. */
  crash(): void {
    this.up = false;
    this.#running.clear();
    this.#updates = new StatusUpdateManager();
    this.#epoch++;
    this.#retryAtMs = Infinity;
  }

  restart(): void {
    this.up = true;
  }

  #checkPassed(task: Task, epoch: number, nowMs: number): void {
    const running = this.#running.get(taskStreamKey(task.frameworkId, task.id));
    if (!this.up || running?.epoch !== epoch || running.state !== 'TASK_RUNNING') return;
    this.#report(task.frameworkId, task.id, 'TASK_RUNNING', nowMs, undefined, 'REASON_TASK_CHECK_STATUS_UPDATED', { exitCode: 0 });
  }

  #end(key: string, epoch: number, state: TaskState, nowMs: number, message?: string, reason?: TaskReason): void {
    const running = this.#running.get(key);
    if (!this.up || !running || running.epoch !== epoch) return;
    this.#running.delete(key);
    this.#report(running.task.frameworkId, running.task.id, state, nowMs, message, reason);
  }

  #report(
    frameworkId: string,
    taskId: string,
    state: TaskState,
    nowMs: number,
    message?: string,
    reason?: TaskReason,
    checkStatus?: CheckStatus,
  ): void {
    const update: StatusUpdate = {
      uuid: uuidFromPrng(this.host.prng),
      taskId,
      frameworkId,
      agentId: this.id,
      state,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
      ...(checkStatus ? { checkStatus } : {}),
      timestampMs: nowMs,
    };
    if (isTerminal(state) && this.#updates.pending(frameworkId, taskId).some((u) => isTerminal(u.state))) return;
    const now = this.#updates.add(update, nowMs);
    if (now) this.host.send(now);
    this.#scheduleRetry(nowMs);
  }

  /**
   * Keeps one resend timer per agent. A new or next update is due 10 s from
   * now, never before a timer already set, so only an idle agent needs a new
   * timer; when the timer fires it finds the earliest retry itself.
   */
  #scheduleRetry(nowMs: number): void {
    if (this.#retryAtMs !== Infinity || this.#updates.pendingCount === 0) return;
    this.#armRetry(nowMs + STATUS_UPDATE_RETRY_INITIAL_MS);
  }

  #armRetry(next: number): void {
    if (next === Infinity) return;
    this.#retryAtMs = next;
    const epoch = this.#epoch;
    this.host.schedule(next, () => {
      if (epoch !== this.#epoch || !this.up) return;
      this.#retryAtMs = Infinity;
      for (const update of this.#updates.due(next)) this.host.send(update);
      this.#armRetry(this.#updates.nextRetryAtMs());
    });
  }
}
