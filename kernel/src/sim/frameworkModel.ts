/**
 * What a simulated framework is to the simulator: it subscribes, receives the
 * master's effects addressed to it, and answers with commands. Models never
 * read the master's state; they know only what a real scheduler would be told.
 */
import type { Command } from '../master/commands.js';
import type { Offer } from '../offers/offer.js';
import type { ResourceLayout } from '../resources/layout.js';
import type { TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';

type WithoutTime<T> = T extends unknown ? Omit<T, 'nowMs'> : never;
export type FrameworkCall = WithoutTime<Command>;

export interface SimulationContext {
  readonly nowMs: number;
  readonly layout: ResourceLayout;
  /** Sends a call to the master now; the simulator stamps the time. */
  send(call: FrameworkCall): void;
  /** Runs `run` at simulated time `atMs` (>= now): the model's own timers (backoff, readiness, arrivals). */
  schedule(atMs: number, run: () => void): void;
}

export interface FrameworkModel {
  readonly id: string;
  readonly role: string;
  /** Tasks still to launch. */
  readonly pendingTasks: number;
  /** The latest state the framework was told of, per task it launched (survives master failovers). */
  readonly taskStates: ReadonlyMap<string, TaskState>;
  subscribe(context: SimulationContext): void;
  onOffers(offers: readonly Offer[], context: SimulationContext): void;
  onRescind(offerId: string, context: SimulationContext): void;
  onUpdate(status: TaskStatus, context: SimulationContext): void;
  /** The master failed over: re-subscribe and reconcile. */
  onMasterFailover(context: SimulationContext): void;
  /** Kind-specific figures for the report (job completion times, app status, ...). */
  details?(): Record<string, unknown>;
  /** Plans, for kinds that run them (the report's `plans`). */
  plans?(): unknown[];
  /** The scheduler process restarts: returns its successor, restored from its state store. */
  restart?(context: SimulationContext): FrameworkModel;
  /** Operator controls (plan and pod commands), for kinds that take them. */
  control?(command: { type: string; [field: string]: unknown }): unknown;
}
