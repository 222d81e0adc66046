/**
 * Effects: what the host must do for the master (the kernel performs no I/O).
 * The simulator delivers them to simulated frameworks and agents; the Node
 * daemons turn them into HTTP events and agent calls.
 */
import type { Offer } from '../offers/offer.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import type { Task, TaskStatus } from '../tasks/task.js';
import type { InverseOffer } from '../maintenance/maintenance.js';

export type Effect =
  | { type: 'framework.offers'; frameworkId: string; offers: readonly Offer[] }
  | { type: 'framework.rescind'; frameworkId: string; offerId: string }
  | { type: 'framework.update'; frameworkId: string; status: TaskStatus }
  /** A custom executor of the framework exited on the agent (Mesos's FAILURE event with executor_id). */
  | { type: 'framework.executorExited'; frameworkId: string; agentId: string; executorId: string; status?: number }
  | { type: 'agent.launch'; agentId: string; frameworkId: string; task: Task }
  | { type: 'agent.kill'; agentId: string; frameworkId: string; taskId: string; gracePeriodMs: number; killingState: boolean }
  | { type: 'agent.acknowledge'; agentId: string; frameworkId: string; taskId: string; uuid: string }
  /** The agent's new total after a reservation or volume operation: checkpoint it. */
  | { type: 'agent.resources'; agentId: string; total: ResourceSet }
  /** The agent is gone for good (marked gone, or refused): it should stop. */
  | { type: 'agent.shutdown'; agentId: string; reason: string }
  /** Please give these agents back: they are scheduled for maintenance. */
  | { type: 'framework.inverseOffers'; frameworkId: string; inverseOffers: readonly InverseOffer[] }
  | { type: 'framework.rescindInverseOffer'; frameworkId: string; inverseOfferId: string };

export type EffectType = Effect['type'];

/** Expected failures come back as values with a stable code, never as throws. */
export interface Rejection {
  readonly code: string;
  readonly message: string;
  readonly [field: string]: unknown;
}
