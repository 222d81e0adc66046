/**
 * The master's parts as its command handlers see them: each part has one
 * owner and one interface (the allocator moves resources and keeps filters,
 * the offer book owns offers and gives their resources back itself, the agent
 * registry owns agents and their connections, the task registry owns tasks),
 * and handlers get these parts, never the Master. This file imports no
 * handler and no Master, so handlers and master.ts form no import loop.
 */
import type { Agent } from '../agents/agent.js';
import type { AgentRegistry } from '../agents/agentRegistry.js';
import type { Allocator } from '../allocator/allocator.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { Client } from '../allocator/client.js';
import type { OfferBook, OfferOutput } from '../offers/offerBook.js';
import type { ResourceLayout } from '../resources/layout.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import type { TaskRegistry } from '../tasks/taskRegistry.js';
import type { ExecutorTable } from './executorTable.js';
import type { FrameworkState } from './frameworkState.js';

/** The output channel of one step: handlers append events and effects to it. */
export type StepSink = OfferOutput;

export interface MasterTimeouts {
  readonly allocationIntervalMs: number;
  /** A disconnected agent becomes unreachable after this long. */
  readonly agentUnreachableTimeoutMs: number;
  /** After a failover, an agent that has not re-registered within this long becomes unreachable. */
  readonly agentReregisterTimeoutMs: number;
  /** Kill grace period when a KILL names none. */
  readonly killGracePeriodMs: number;
}

export interface MasterParts {
  readonly nowMs: number;
  readonly layout: ResourceLayout;
  readonly allocator: Allocator;
  readonly offers: OfferBook;
  readonly agents: AgentRegistry;
  readonly tasks: TaskRegistry;
  /** Custom executors and the resources they hold of their own (executorTable.ts). */
  readonly executors: ExecutorTable;
  readonly frameworks: ReadonlyMap<string, FrameworkState>;
  readonly timeouts: MasterTimeouts;
  /** The maintenance schedule, machine modes and inverse offers (maintenanceHandlers.ts). */
  readonly maintenance: Maintenance;
  /** Failover generation: ids the master makes (offers, inverse offers) carry it. */
  readonly epoch: number;
  /**
   * The one way resources go back from a client to an agent's free pool (declined, rescinded or
   * unused offers, tasks that stopped holding them), behind a filter when filterMs > 0.
   */
  giveBack(client: Client, agent: Agent, resources: ResourceSet, filterMs: number): void;
  /** Asks for a batched allocation cycle at the next tick, on one agent or on all. */
  triggerAllocation(agentId?: string): void;
  /** A task of the agent reached a terminal state: a draining agent may now be drained. */
  taskEndedOn(agentId: string, out: StepSink): void;
}
