/**
 * A Mesos v1 HTTP scheduler for load tests: launches a budget of identical
 * tasks on the offers it gets (as many per offer as fit), acknowledges every
 * update, then declines and suppresses. After its stream ends (a master
 * failover) it subscribes again with its framework id, wherever the leader
 * now is, and reconciles every task it saw RUNNING until each one is
 * answered. It times each call, and each launch from ACCEPT sent to the
 * RUNNING acknowledgement answered.
 */
import type { JsonHttp } from './jsonHttp.js';

type Json = Record<string, any>;

export interface LoadSchedulerOptions {
  http: JsonHttp;
  origins: readonly string[];
  name: string;
  role: string;
  tasks: number;
  cpus: number;
  memMb: number;
}

interface TrackedTask {
  readonly agentId: string;
  readonly acceptedAtMs: number;
  runningAcked: boolean;
}

const RECONCILE_CHUNK = 2000;
const DECLINE_CHUNK = 1000;
/** Reconciliation is retried with exponential backoff, as Mesos advises (each retry asks only about the tasks not answered yet). */
const RECONCILE_RETRY_MS = { first: 2000, max: 16_000 };

export class LoadScheduler {
  frameworkId: string | null = null;
  readonly tasks = new Map<string, TrackedTask>();
  readonly acceptLatencyMs: number[] = [];
  readonly acknowledgeLatencyMs: number[] = [];
  readonly launchLatencyMs: number[] = [];
  runningAcked = 0;
  firstAcceptAtMs = Number.NaN;
  lastRunningAckAtMs = Number.NaN;
  subscriptions = 0;
  /** Of the latest subscription: when SUBSCRIBED and the first OFFERS arrived. */
  subscribedAtMs = Number.NaN;
  firstOffersAtMs = Number.NaN;
  /** After a re-subscription: tasks not answered yet by reconciliation, and answers that were not RUNNING. */
  readonly unreconciled = new Set<string>();
  readonly reconcileMismatches = new Map<string, string>();
  reconciledAtMs = Number.NaN;
  callFailures = 0;
  /** The last refused call, for the reader of a stalled run. */
  lastFailure: string | null = null;
  readonly #options: LoadSchedulerOptions;
  #remaining: number;
  #sequence = 0;
  #streamId = '';
  #origin = '';
  #originIndex = 0;
  #suppressed = false;
  #closeStream: (() => void) | null = null;
  #closing = false;
  #reconcileTimer: NodeJS.Timeout | null = null;
  #reconcileDelayMs = RECONCILE_RETRY_MS.first;

  constructor(options: LoadSchedulerOptions) {
    this.#options = options;
    this.#remaining = options.tasks;
  }

  get done(): boolean {
    return this.runningAcked >= this.#options.tasks;
  }

  start(): void {
    this.#subscribe();
  }

  close(): void {
    this.#closing = true;
    if (this.#reconcileTimer) clearTimeout(this.#reconcileTimer);
    this.#closeStream?.();
  }

  #subscribe(): void {
    if (this.#closing) return;
    const info: Json = {
      user: 'bench',
      name: this.#options.name,
      roles: [this.#options.role],
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
      failover_timeout: 3600,
      ...(this.frameworkId ? { id: { value: this.frameworkId } } : {}),
    };
    const body = {
      type: 'SUBSCRIBE',
      ...(this.frameworkId ? { framework_id: { value: this.frameworkId } } : {}),
      subscribe: { framework_info: info },
    };
    const origin = this.#options.origins[this.#originIndex];
    this.#closeStream = this.#options.http.stream(origin, '/api/v1/scheduler', body, {
      onOpen: (streamId, servingOrigin) => {
        this.#streamId = streamId;
        this.#origin = servingOrigin;
      },
      onEvent: (event) => this.#receive(event),
      onEnd: () => {
        this.#closeStream = null;
        if (this.#closing) return;
        // The leader went away, or this master does not lead: try the next one shortly.
        this.#originIndex = (this.#originIndex + 1) % this.#options.origins.length;
        setTimeout(() => this.#subscribe(), 100);
      },
    });
  }

  #receive(event: Json): void {
    switch (event.type) {
      case 'SUBSCRIBED':
        return this.#subscribed(event.subscribed.framework_id.value);
      case 'OFFERS':
        return this.#offers(event.offers.offers as Json[]);
      case 'UPDATE':
        return this.#update(event.update.status);
      default:
        return;
    }
  }

  #subscribed(frameworkId: string): void {
    const again = this.frameworkId !== null;
    this.frameworkId = frameworkId;
    this.subscriptions++;
    this.subscribedAtMs = Date.now();
    this.firstOffersAtMs = Number.NaN;
    this.#suppressed = false;
    if (again) this.#startReconciliation();
  }

  #call(type: string, payload: Json): Promise<{ status: number; latencyMs: number }> {
    const startedAt = performance.now();
    const body = { type, framework_id: { value: this.frameworkId }, ...payload };
    return this.#options.http.call(this.#origin, '/api/v1/scheduler', body, { 'Mesos-Stream-Id': this.#streamId }).then((answer) => {
      if (answer.status !== 202 && answer.status !== 200) {
        this.callFailures++;
        this.lastFailure = `${type} answered ${answer.status}: ${answer.body.slice(0, 200)}`;
      }
      return { status: answer.status, latencyMs: performance.now() - startedAt };
    });
  }

  #offers(offers: Json[]): void {
    if (Number.isNaN(this.firstOffersAtMs)) this.firstOffersAtMs = Date.now();
    const declined: Json[] = [];
    for (const offer of offers) {
      const count = Math.min(this.#remaining, this.#fit(offer));
      if (count === 0) declined.push(offer.id);
      else this.#launch(offer, count);
    }
    // A master takes at most 1,024 offer ids per call.
    for (let start = 0; start < declined.length; start += DECLINE_CHUNK)
      void this.#call('DECLINE', {
        decline: { offer_ids: declined.slice(start, start + DECLINE_CHUNK), filters: { refuse_seconds: 3600 } },
      });
    if (this.#remaining === 0 && !this.#suppressed) {
      this.#suppressed = true;
      void this.#call('SUPPRESS', { suppress: { roles: [this.#options.role] } });
    }
  }

  /** How many tasks fit in the offer's unreserved cpus and mem. */
  #fit(offer: Json): number {
    let cpus = 0;
    let mem = 0;
    for (const resource of offer.resources as Json[]) {
      if ((resource.reservations?.length ?? 0) > 0) continue;
      if (resource.name === 'cpus') cpus += resource.scalar.value;
      if (resource.name === 'mem') mem += resource.scalar.value;
    }
    return Math.max(0, Math.min(Math.floor(cpus / this.#options.cpus + 1e-9), Math.floor(mem / this.#options.memMb + 1e-9)));
  }

  #launch(offer: Json, count: number): void {
    const now = Date.now();
    if (Number.isNaN(this.firstAcceptAtMs)) this.firstAcceptAtMs = now;
    this.#remaining -= count;
    const taskInfos: Json[] = [];
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const taskId = `${this.#options.name}-${this.#sequence++}`;
      ids.push(taskId);
      this.tasks.set(taskId, { agentId: offer.agent_id.value, acceptedAtMs: now, runningAcked: false });
      taskInfos.push({
        name: taskId,
        task_id: { value: taskId },
        agent_id: offer.agent_id,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: this.#options.cpus }, allocation_info: offer.allocation_info },
          { name: 'mem', type: 'SCALAR', scalar: { value: this.#options.memMb }, allocation_info: offer.allocation_info },
        ],
        command: { value: 'sleep 3600' },
      });
    }
    const accept = {
      offer_ids: [offer.id],
      operations: [{ type: 'LAUNCH', launch: { task_infos: taskInfos } }],
      filters: { refuse_seconds: 0 },
    };
    void this.#call('ACCEPT', { accept }).then(({ status, latencyMs }) => {
      this.acceptLatencyMs.push(latencyMs);
      if (status === 202) return;
      // Refused outright: those tasks were never launched; launch them elsewhere.
      this.#remaining += count;
      for (const taskId of ids) this.tasks.delete(taskId);
    });
  }

  #update(status: Json): void {
    const taskId: string = status.task_id.value;
    const task = this.tasks.get(taskId);
    if (this.unreconciled.has(taskId)) {
      this.unreconciled.delete(taskId);
      if (status.state !== 'TASK_RUNNING') this.reconcileMismatches.set(taskId, status.state);
      if (this.unreconciled.size === 0) this.#finishReconciliation();
    }
    if (!status.uuid) return;
    const acknowledge = { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid };
    void this.#call('ACKNOWLEDGE', { acknowledge }).then(({ status: answer, latencyMs }) => {
      this.acknowledgeLatencyMs.push(latencyMs);
      if (answer !== 202 || status.state !== 'TASK_RUNNING' || !task || task.runningAcked) return;
      task.runningAcked = true;
      this.runningAcked++;
      const now = Date.now();
      this.lastRunningAckAtMs = now;
      this.launchLatencyMs.push(now - task.acceptedAtMs);
    });
  }

  #startReconciliation(): void {
    this.unreconciled.clear();
    this.reconcileMismatches.clear();
    this.reconciledAtMs = Number.NaN;
    for (const [taskId, task] of this.tasks) if (task.runningAcked) this.unreconciled.add(taskId);
    if (this.unreconciled.size === 0) {
      this.#finishReconciliation();
      return;
    }
    this.#sendReconcile();
    if (this.#reconcileTimer) clearTimeout(this.#reconcileTimer);
    // Tasks on agents that are not back yet get no answer (as in Mesos): ask again until all are answered.
    this.#reconcileDelayMs = RECONCILE_RETRY_MS.first;
    this.#scheduleReconcile();
  }

  #scheduleReconcile(): void {
    this.#reconcileTimer = setTimeout(() => {
      if (this.unreconciled.size === 0 || this.#closing) return;
      this.#sendReconcile();
      this.#reconcileDelayMs = Math.min(RECONCILE_RETRY_MS.max, this.#reconcileDelayMs * 2);
      this.#scheduleReconcile();
    }, this.#reconcileDelayMs);
  }

  #sendReconcile(): void {
    const ids = [...this.unreconciled];
    for (let start = 0; start < ids.length; start += RECONCILE_CHUNK) {
      const tasks = ids
        .slice(start, start + RECONCILE_CHUNK)
        .map((taskId) => ({ task_id: { value: taskId }, agent_id: { value: this.tasks.get(taskId)!.agentId } }));
      void this.#call('RECONCILE', { reconcile: { tasks } });
    }
  }

  #finishReconciliation(): void {
    this.reconciledAtMs = Date.now();
    if (this.#reconcileTimer) clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = null;
  }
}
