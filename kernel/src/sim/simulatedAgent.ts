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
import type { Effect } from '../master/effects.js';
import type { Prng } from '../prng.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import type { CheckStatus, Task } from '../tasks/task.js';
import type { StatusUpdate } from '../tasks/statusUpdateManager.js';
import { STATUS_UPDATE_RETRY_INITIAL_MS, StatusUpdateManager, uuidFromPrng } from '../tasks/statusUpdateManager.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';
import type { TaskRunData } from '../schedulers/taskRunData.js';
import { TaskKeys } from './taskKeys.js';

export interface AgentHost {
  /** Schedules `run` at `atMs` of simulated time. */
  schedule(atMs: number, run: () => void): void;
  /** Sends an agent-originated status update to the master (the network may drop it). */
  send(update: StatusUpdate): void;
  readonly prng: Prng;
}

/** What the master sends an agent. */
export type AgentEffect = Extract<Effect, { type: `agent.${string}` }>;

export class SimulatedAgent {
  /** A key per task (a task id is unique only within its framework) while it runs or has updates in flight. */
  #keys = new TaskKeys();
  /** Running tasks by key; a crash clears them, timers carry the epoch they were set in. */
  readonly #running = new Map<number, Task>();
  /** Keys of the tasks told to stop with TASK_KILLING_STATE, that reported TASK_KILLING. */
  readonly #killing = new Set<number>();
  #updates = new StatusUpdateManager(this.#keys);
  #epoch = 0;
  #retryAtMs = Infinity;
  /** The total the master last told this agent to checkpoint, when it changed from the spec. */
  checkpointedTotal: ResourceSet | null = null;
  up = true;

  constructor(
    readonly id: string,
    readonly host: AgentHost,
  ) {}

  /** Running tasks by the agent's own task key. */
  get runningTasks(): ReadonlyMap<number, Task> {
    return this.#running;
  }

  get pendingUpdates(): number {
    return this.#updates.pendingCount;
  }

  /** In-flight updates older than `ageMs`: the "no lost updates" law looks at these. */
  staleUpdates(nowMs: number, ageMs: number): StatusUpdate[] {
    return this.#updates.inFlight().filter((update) => nowMs - update.timestampMs > ageMs);
  }

  /** A message from the master, once it crossed the network (the host drops it when the agent is down or cut off). */
  receive(effect: AgentEffect, nowMs: number): void {
    switch (effect.type) {
      case 'agent.launch':
        this.launch(effect.task, nowMs);
        return;
      case 'agent.kill':
        this.kill(effect.frameworkId, effect.taskId, effect.gracePeriodMs, effect.killingState, nowMs);
        return;
      case 'agent.acknowledge':
        this.acknowledge(effect.frameworkId, effect.taskId, effect.uuid, nowMs);
        return;
      case 'agent.resources':
        this.checkpointedTotal = effect.total;
        return;
      case 'agent.shutdown':
        this.crash();
        return;
      default: {
        const unknown: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unknown)}`);
      }
    }
  }

  launch(task: Task, nowMs: number): void {
    if (!this.up) return;
    const epoch = this.#epoch;
    const key = this.#keys.keyFor(task.frameworkId, task.id);
    this.#running.set(key, task);
    this.#report(task.frameworkId, task.id, 'TASK_RUNNING', nowMs);
    const check = (task.data as { readinessCheck?: { delaySeconds: number } } | undefined)?.readinessCheck;
    if (check) {
      // A simulated readiness check passes the first time it runs.
      const checkMs = nowMs + check.delaySeconds * 1000;
      this.host.schedule(checkMs, () => this.#checkPassed(task, epoch, checkMs));
    }
    const durationMs = (task.data as TaskRunData | undefined)?.durationMs ?? null;
    if (durationMs === null) return;
    this.host.schedule(nowMs + durationMs, () => this.#end(task.frameworkId, task.id, epoch, 'TASK_FINISHED', nowMs + durationMs));
  }

  kill(frameworkId: string, taskId: string, gracePeriodMs: number, killingState: boolean, nowMs: number): void {
    const key = this.#keys.find(frameworkId, taskId);
    const running = key === undefined ? undefined : this.#running.get(key);
    if (!this.up || key === undefined || !running || this.#killing.has(key)) return;
    if (killingState) {
      this.#killing.add(key);
      this.#report(running.frameworkId, taskId, 'TASK_KILLING', nowMs);
    }
    // Simulated tasks honour SIGTERM within a second, or are killed when the grace period ends.
    const stopMs = nowMs + Math.min(gracePeriodMs, 1000);
    const epoch = this.#epoch;
    this.host.schedule(stopMs, () => this.#end(frameworkId, taskId, epoch, 'TASK_KILLED', stopMs));
  }

  /** A task fault: the process dies with a non-zero exit. */
  fail(frameworkId: string, taskId: string, message: string, nowMs: number): boolean {
    const key = this.#keys.find(frameworkId, taskId);
    const running = key === undefined ? undefined : this.#running.get(key);
    if (!this.up || !running) return false;
    this.#end(frameworkId, taskId, this.#epoch, 'TASK_FAILED', nowMs, message, 'REASON_COMMAND_EXECUTOR_FAILED');
    return true;
  }

  acknowledge(frameworkId: string, taskId: string, uuid: string, nowMs: number): void {
    if (!this.up) return;
    const result = this.#updates.acknowledge(frameworkId, taskId, uuid, nowMs);
    if (result.ok && result.next) this.host.send(result.next);
    else if (result.ok) this.#dropKeyIfDone(frameworkId, taskId);
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
      const key = this.#keys.keyFor(task.frameworkId, task.id);
      this.#running.set(key, task);
      const durationMs = (task.data as TaskRunData | undefined)?.durationMs ?? null;
      if (durationMs !== null)
        this.host.schedule(nowMs + durationMs, () => this.#end(task.frameworkId, task.id, epoch, 'TASK_FINISHED', nowMs + durationMs));
    }
  }

  /** What the agent tells the master when it (re-)registers. */
  report(): ReportedTask[] {
    return [...this.#running.values()].map((task) => ({
      taskId: task.id,
      frameworkId: task.frameworkId,
      role: task.role,
      resources: task.resources,
      state: this.#killing.has(this.#keys.find(task.frameworkId, task.id)!) ? 'TASK_KILLING' : 'TASK_RUNNING',
      executorId: task.executorId,
      ...(task.data !== undefined ? { data: task.data } : {}),
    }));
  }

  /** The host dies: every task with it, and the updates not yet acknowledged. */
  crash(): void {
    this.up = false;
    this.#running.clear();
    this.#killing.clear();
    this.#keys = new TaskKeys();
    this.#updates = new StatusUpdateManager(this.#keys);
    this.#epoch++;
    this.#retryAtMs = Infinity;
  }

  restart(): void {
    this.up = true;
  }

  /** A simulated readiness check passes the first time it runs, unless the task ended, is being killed or the agent crashed. */
  #checkPassed(task: Task, epoch: number, nowMs: number): void {
    const key = this.#keys.find(task.frameworkId, task.id);
    if (!this.up || epoch !== this.#epoch || key === undefined || !this.#running.has(key) || this.#killing.has(key)) return;
    this.#report(task.frameworkId, task.id, 'TASK_RUNNING', nowMs, undefined, 'REASON_TASK_CHECK_STATUS_UPDATED', { exitCode: 0 });
  }

  /**
   * A task ends, unless the agent crashed (a new epoch) since the timer that ends it was set.
   * Timers name the task by its ids and find its key when they fire, as a timer set for an
   * earlier task of the same ids would (keys are made again for a relaunch).
   */
  #end(frameworkId: string, taskId: string, epoch: number, state: TaskState, nowMs: number, message?: string, reason?: TaskReason): void {
    const key = this.#keys.find(frameworkId, taskId);
    const running = key === undefined ? undefined : this.#running.get(key);
    if (!this.up || key === undefined || !running || epoch !== this.#epoch) return;
    this.#running.delete(key);
    this.#killing.delete(key);
    this.#report(running.frameworkId, running.id, state, nowMs, message, reason);
    this.#dropKeyIfDone(running.frameworkId, running.id);
  }

  /** A task's key goes once it neither runs here nor has updates in flight. */
  #dropKeyIfDone(frameworkId: string, taskId: string): void {
    const key = this.#keys.find(frameworkId, taskId);
    if (key === undefined || this.#running.has(key) || this.#updates.has(frameworkId, taskId)) return;
    this.#keys.drop(frameworkId, taskId);
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
    const uuid = uuidFromPrng(this.host.prng);
    const agentId = this.id;
    // The usual update (no reason, message or check) as one literal: no temporary object per field.
    const update: StatusUpdate =
      !reason && !message && !checkStatus
        ? { uuid, taskId, frameworkId, agentId, state, timestampMs: nowMs }
        : {
            uuid,
            taskId,
            frameworkId,
            agentId,
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
