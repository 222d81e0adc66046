/**
 * Events: what happened inside the master, past tense, in order. Hosts log
 * them, the simulator traces them, the playground animates them. Events may
 * reference kernel objects (offers, tasks) that are never mutated afterwards.
 */
import type { Offer } from '../offers/offer.js';
import type { QuotaSpec } from '../roles/quota.js';
import type { TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';

export type RescindReason =
  | 'offer_timeout'
  | 'agent_removed'
  | 'agent_disconnected'
  | 'agent_draining'
  | 'framework_removed'
  | 'framework_disconnected'
  | 'operator';

export type KernelEvent =
  | { type: 'agent.added'; atMs: number; agentId: string }
  | { type: 'agent.reregistered'; atMs: number; agentId: string; tasks: number }
  | { type: 'agent.disconnected'; atMs: number; agentId: string }
  | { type: 'agent.unreachable'; atMs: number; agentId: string }
  | { type: 'agent.removed'; atMs: number; agentId: string }
  | { type: 'agent.gone'; atMs: number; agentId: string }
  | { type: 'agent.draining'; atMs: number; agentId: string }
  | { type: 'agent.drained'; atMs: number; agentId: string }
  | { type: 'agent.attributesUpdated'; atMs: number; agentId: string }
  | {
      type: 'resources.converted';
      atMs: number;
      agentId: string;
      operation: 'RESERVE' | 'UNRESERVE' | 'CREATE' | 'DESTROY';
      role: string;
      by: 'framework' | 'operator';
    }
  | { type: 'framework.subscribed'; atMs: number; frameworkId: string; roles: readonly string[]; resubscribed: boolean }
  | { type: 'framework.disconnected'; atMs: number; frameworkId: string }
  | { type: 'framework.removed'; atMs: number; frameworkId: string }
  | { type: 'framework.suppressed'; atMs: number; frameworkId: string; roles: readonly string[] }
  | { type: 'framework.revived'; atMs: number; frameworkId: string; roles: readonly string[] }
  | {
      type: 'allocation.completed';
      atMs: number;
      cycle: number;
      trigger: 'interval' | 'event';
      agentsConsidered: number;
      agentsSkipped: number;
      offers: number;
    }
  | { type: 'offer.made'; atMs: number; offer: Offer }
  | { type: 'offer.declined'; atMs: number; offerId: string; frameworkId: string; agentId: string; filterMs: number }
  | {
      type: 'offer.accepted';
      atMs: number;
      offerIds: readonly string[];
      frameworkId: string;
      agentId: string;
      tasks: number;
      filterMs: number;
    }
  | { type: 'offer.rescinded'; atMs: number; offerId: string; frameworkId: string; agentId: string; reason: RescindReason }
  | { type: 'task.launched'; atMs: number; taskId: string; frameworkId: string; agentId: string; role: string }
  | { type: 'task.updated'; atMs: number; status: TaskStatus; previous: TaskState | null }
  | { type: 'task.reconciled'; atMs: number; status: TaskStatus }
  | { type: 'executor.started'; atMs: number; frameworkId: string; agentId: string; executorId: string }
  | { type: 'executor.exited'; atMs: number; frameworkId: string; agentId: string; executorId: string; status?: number }
  | { type: 'task.acknowledged'; atMs: number; frameworkId: string; taskId: string; uuid: string }
  | { type: 'role.updated'; atMs: number; role: string; weight: number; quota: QuotaSpec | null }
  | { type: 'maintenance.scheduled'; atMs: number; windows: number; machines: number }
  | { type: 'machine.down' | 'machine.up'; atMs: number; machine: string }
  | {
      type: 'inverseOffer.made' | 'inverseOffer.accepted' | 'inverseOffer.declined' | 'inverseOffer.rescinded';
      atMs: number;
      inverseOfferId: string;
      frameworkId: string;
      agentId: string;
    };

export type KernelEventType = KernelEvent['type'];
