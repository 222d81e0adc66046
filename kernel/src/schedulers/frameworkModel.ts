/**
 * The scheduler contract: what a framework model is to whatever hosts it. A
 * model subscribes, hears offers, rescinds and status updates, and answers
 * with calls; time reaches it only through its context (`nowMs`, and timers
 * set with `schedule`). Models never read the master's state: they know only
 * what a real scheduler would be told. Two hosts run models: the simulator
 * (kernel/src/sim) and the Node scheduler host over the Mesos v1 HTTP API
 * (adapters/src/scheduler).
 */
import type { Command } from '../master/commands.js';
import type { Offer } from '../offers/offer.js';
import type { ResourceLayout } from '../resources/layout.js';
import type { TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';

type WithoutTime<T> = T extends unknown ? Omit<T, 'nowMs'> : never;
/** A call to the master: a kernel command without its time, which the host stamps. */
export type FrameworkCall = WithoutTime<Command>;

/** What a host gives a model: the clock, the resource layout of offers, a way out, and timers. */
export interface SchedulerContext {
  readonly nowMs: number;
  readonly layout: ResourceLayout;
  /** Sends a call to the master now; the host stamps the time. */
  send(call: FrameworkCall): void;
  /** Runs `run` at time `atMs` (>= now): the model's own timers (backoff, readiness, arrivals). */
  schedule(atMs: number, run: () => void): void;
}

export interface FrameworkModel {
  readonly id: string;
  readonly role: string;
  /** Tasks still to launch. */
  readonly pendingTasks: number;
  /** The latest state the framework was told of, per task it launched (survives master failovers). */
  readonly taskStates: ReadonlyMap<string, TaskState>;
  subscribe(context: SchedulerContext): void;
  onOffers(offers: readonly Offer[], context: SchedulerContext): void;
  onRescind(offerId: string, context: SchedulerContext): void;
  onUpdate(status: TaskStatus, context: SchedulerContext): void;
  /** The master failed over (or the connection to it was lost and found again): re-subscribe and reconcile. */
  onMasterFailover(context: SchedulerContext): void;
  /** Kind-specific figures for the report (job completion times, app status, ...). */
  details?(): Record<string, unknown>;
  /** Plans, for kinds that run them (the report's `plans`). */
  plans?(): unknown[];
  /** The scheduler process restarts: returns its successor, restored from its state store. */
  restart?(context: SchedulerContext): FrameworkModel;
  /** Operator controls (plan and pod commands), for kinds that take them. */
  control?(command: { type: string; [field: string]: unknown }): unknown;
}
