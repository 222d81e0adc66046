/**
 * One simulated agent of a fleet: the real agent protocol (SUBSCRIBE with its
 * resources, checkpointed total and tasks; LAUNCH, KILL, ACKNOWLEDGE,
 * RESOURCES, SHUTDOWN, HEARTBEAT; UPDATE calls with reliable delivery through
 * the kernel's StatusUpdateManager; re-subscription with backoff, trying every
 * master, when the stream ends or falls silent), with tasks that are timers
 * instead of processes. It owns no timer of its own: the Fleet calls `tick`,
 * so that ten thousand agents cost one interval.
 */
import { randomUUID } from 'node:crypto';
import type { StatusUpdate, TaskState } from '@allot/kernel';
import { isTerminal, StatusUpdateManager, taskStreamKey } from '@allot/kernel';
import type { FleetTransport, OpenStream } from './fleetTransport.js';

type Json = Record<string, any>;

export interface FleetAgentConfig {
  id: string;
  hostname: string;
  port: number;
  /** Mesos Resource JSON, as the real agent registers with. */
  resources: Json[];
  attributes: Record<string, string | number>;
  /** How long a task runs before it reports TASK_FINISHED; null = until killed. */
  taskDurationMs: number | null;
}

export interface FleetCounters {
  subscriptions: number;
  resubscriptions: number;
  disconnects: number;
  refusals: number;
  launches: number;
  kills: number;
  updatesSent: number;
  updatesRefused: number;
  acknowledgements: number;
}

/** What the fleet lends each agent: HTTP, the masters, the clock and shared counters. */
export interface FleetContext {
  readonly transport: FleetTransport;
  readonly masterOrigins: readonly string[];
  readonly counters: FleetCounters;
  now(): number;
  /** A fatal refusal (400, 401, 403) or a SHUTDOWN: the agent stops for good. */
  stopped(agent: FleetAgent, reason: string): void;
}

interface FleetTask {
  readonly taskId: string;
  readonly frameworkId: string;
  readonly name: string;
  readonly role: string;
  readonly executorId: string;
  readonly resources: Json[];
  state: TaskState;
  timer: NodeJS.Timeout | null;
}

export type FleetAgentPhase = 'waiting' | 'connecting' | 'subscribed' | 'stopped';

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;

export class FleetAgent {
  phase: FleetAgentPhase = 'waiting';
  nextAttemptAtMs = 0;
  stopReason: string | null = null;
  readonly config: FleetAgentConfig;
  readonly #context: FleetContext;
  /** By (framework id, task id): taskStreamKey. */
  readonly #tasks = new Map<string, FleetTask>();
  readonly #updates = new StatusUpdateManager();
  #checkpointed: Json[] | null = null;
  #stream: OpenStream | null = null;
  #streamId = '';
  #servingOrigin = '';
  #lastHeardMs = 0;
  #silenceMaxMs = 15_000;
  #backoffMs = BACKOFF_MIN_MS;
  #originIndex = 0;
  #everSubscribed = false;
  #live = 0;
  #subscribedThisTime = false;

  constructor(config: FleetAgentConfig, context: FleetContext) {
    this.config = config;
    this.#context = context;
  }

  /** Tasks not in a terminal state (kept as a count: the fleet reports it several times a second). */
  get liveTasks(): number {
    return this.#live;
  }

  get pendingUpdates(): number {
    return this.#updates.pendingCount;
  }

  /** Opens a subscription at the current master (the fleet decides when, to spread the load). */
  connect(): void {
    if (this.phase !== 'waiting') return;
    this.phase = 'connecting';
    this.#subscribedThisTime = false;
    this.#stream = this.#context.transport.openStream(
      this.#context.masterOrigins[this.#originIndex],
      JSON.stringify(this.#subscribeCall()),
      {
        onOpen: (streamId, origin) => {
          this.#streamId = streamId;
          this.#servingOrigin = origin;
          this.#lastHeardMs = this.#context.now();
        },
        onRecord: (record) => this.#receive(JSON.parse(record) as Json),
        onRefused: (status, body) => this.#refused(status, body),
        onEnd: () => this.#ended(),
      },
    );
  }

  /** Called by the fleet every few hundred ms: the silence watchdog and status update resends. */
  tick(nowMs: number): void {
    if (this.phase !== 'subscribed') return;
    if (nowMs - this.#lastHeardMs > this.#silenceMaxMs) {
      // Three heartbeats missed: the master or the link is gone; subscribe again (maybe elsewhere).
      this.#stream?.abort();
      return;
    }
    if (this.#updates.pendingCount > 0) for (const update of this.#updates.due(nowMs)) this.#post(update);
  }

  stop(reason: string): void {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    this.stopReason = reason;
    for (const task of this.#tasks.values()) if (task.timer) clearTimeout(task.timer);
    this.#stream?.abort();
  }

  #subscribeCall(): Json {
    const tasks = [...this.#tasks.values()].map((task) => ({
      task_id: task.taskId,
      framework_id: task.frameworkId,
      state: task.state,
      role: task.role,
      resources: task.resources,
      executor_id: task.executorId,
      name: task.name,
    }));
    const { id, hostname, port, resources, attributes } = this.config;
    return {
      type: 'SUBSCRIBE',
      agent_id: id,
      subscribe: {
        agent: { id, hostname, port, resources, ...(this.#checkpointed ? { checkpointed_resources: this.#checkpointed } : {}), attributes },
        tasks,
      },
    };
  }

  #receive(event: Json): void {
    this.#lastHeardMs = this.#context.now();
    switch (event.type) {
      case 'SUBSCRIBED':
        return this.#subscribed(event.subscribed ?? {});
      case 'LAUNCH':
        return this.#launch(event.launch);
      case 'KILL':
        return this.#kill(event.kill);
      case 'ACKNOWLEDGE':
        return this.#acknowledge(event.acknowledge);
      case 'RESOURCES':
        this.#checkpointed = event.resources.resources;
        return;
      case 'SHUTDOWN':
        this.#context.stopped(this, `shut down by the master: ${event.shutdown?.reason ?? ''}`);
        return;
      default:
        // HEARTBEAT only keeps the watchdog quiet; ERROR precedes the end of the stream.
        return;
    }
  }

  #subscribed(subscribed: Json): void {
    this.phase = 'subscribed';
    this.#subscribedThisTime = true;
    this.#backoffMs = BACKOFF_MIN_MS;
    if (this.#everSubscribed) this.#context.counters.resubscriptions++;
    else this.#context.counters.subscriptions++;
    this.#everSubscribed = true;
    const heartbeatSeconds = Number(subscribed.heartbeat_interval_seconds);
    if (heartbeatSeconds > 0) this.#silenceMaxMs = Math.max(1000, heartbeatSeconds * 3000);
    if (Array.isArray(subscribed.resources)) this.#checkpointed = subscribed.resources;
    // Whatever was in flight when the last subscription ended goes again, now.
    for (const update of this.#updates.inFlight()) this.#post(update);
  }

  #launch(launch: Json): void {
    this.#context.counters.launches++;
    // A task id is unique only within its framework (as on the real agent).
    const key = taskStreamKey(launch.framework_id, launch.task_id);
    if (this.#tasks.has(key)) return;
    const task: FleetTask = {
      taskId: launch.task_id,
      frameworkId: launch.framework_id,
      name: launch.name ?? launch.task_id,
      role: launch.role,
      executorId: launch.executor_id ?? launch.task_id,
      resources: launch.resources,
      state: 'TASK_STAGING',
      timer: null,
    };
    this.#tasks.set(key, task);
    this.#emit(task, 'TASK_RUNNING');
    const durationMs = this.config.taskDurationMs;
    if (durationMs !== null) {
      task.timer = setTimeout(() => {
        task.timer = null;
        if (!isTerminal(task.state) && this.phase !== 'stopped') this.#emit(task, 'TASK_FINISHED');
      }, durationMs);
      task.timer.unref();
    }
  }

  #kill(kill: Json): void {
    const task = this.#tasks.get(taskStreamKey(kill.framework_id, kill.task_id));
    if (!task || isTerminal(task.state)) return;
    this.#context.counters.kills++;
    if (task.timer) clearTimeout(task.timer);
    task.timer = null;
    if (kill.killing_state === true) this.#emit(task, 'TASK_KILLING');
    this.#emit(task, 'TASK_KILLED', 'REASON_TASK_KILLED_DURING_LAUNCH');
  }

  #acknowledge(acknowledge: Json): void {
    const { framework_id: frameworkId, task_id: taskId } = acknowledge;
    const result = this.#updates.acknowledge(frameworkId, taskId, acknowledge.uuid, this.#context.now());
    if (!result.ok) return;
    this.#context.counters.acknowledgements++;
    if (result.next) this.#post(result.next);
    // The terminal update is acknowledged: the task is forgotten, as the real agent does.
    if (result.terminal && this.#updates.pending(frameworkId, taskId).length === 0) this.#tasks.delete(taskStreamKey(frameworkId, taskId));
  }

  #emit(task: FleetTask, state: TaskState, reason?: string): void {
    const wasLive = task.state !== 'TASK_STAGING' && !isTerminal(task.state);
    this.#live += (isTerminal(state) ? 0 : 1) - (wasLive ? 1 : 0);
    task.state = state;
    const update: StatusUpdate = {
      uuid: randomUUID(),
      taskId: task.taskId,
      frameworkId: task.frameworkId,
      agentId: this.config.id,
      state,
      ...(reason ? { reason: reason as StatusUpdate['reason'] } : {}),
      timestampMs: this.#context.now(),
    };
    const sendNow = this.#updates.add(update, this.#context.now());
    if (sendNow) this.#post(sendNow);
  }

  #post(update: StatusUpdate): void {
    if (this.phase !== 'subscribed') return;
    const body = JSON.stringify({
      type: 'UPDATE',
      agent_id: this.config.id,
      update: {
        task_id: update.taskId,
        framework_id: update.frameworkId,
        state: update.state,
        uuid: update.uuid,
        ...(update.reason ? { reason: update.reason } : {}),
        timestamp: update.timestampMs / 1000,
      },
    });
    const counters = this.#context.counters;
    void this.#context.transport.call(this.#servingOrigin, this.#streamId, body).then((result) => {
      // A refused or lost update stays in flight: it goes again on the next resend or subscription.
      if (result.status === 202) counters.updatesSent++;
      else counters.updatesRefused++;
    });
  }

  #refused(status: number, body: string): void {
    this.#context.counters.refusals++;
    // As the real agent: an invalid registration, a wrong secret or a gone agent cannot be retried into success.
    if (status === 400 || status === 401 || status === 403)
      this.#context.stopped(this, `the master refused this agent (${status}): ${body.slice(0, 300)}`);
  }

  #ended(): void {
    this.#stream = null;
    if (this.phase === 'stopped') return;
    if (this.#subscribedThisTime) this.#context.counters.disconnects++;
    this.phase = 'waiting';
    const now = this.#context.now();
    // With several masters try the next one at once; back off only after a whole round failed.
    const origins = this.#context.masterOrigins.length;
    this.#originIndex = (this.#originIndex + 1) % origins;
    if (!this.#subscribedThisTime && this.#originIndex !== 0) {
      this.nextAttemptAtMs = now + 50;
      return;
    }
    if (this.#subscribedThisTime) this.#backoffMs = BACKOFF_MIN_MS;
    this.nextAttemptAtMs = now + this.#backoffMs * (0.5 + Math.random() / 2);
    this.#backoffMs = Math.min(BACKOFF_MAX_MS, this.#backoffMs * 2);
  }
}
