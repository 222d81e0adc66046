/**
 * What an allocation cycle works on and hands out, as narrow interfaces: the
 * agents (hot state by index, objects on demand) and where offers go.
 */
import type { Agent } from '../agents/agent.js';
import type { AgentTable } from '../agents/agentTable.js';
import type { Ranges } from '../resources/ranges.js';
import type { ReservedPart } from '../resources/resourceSet.js';
import type { Client } from './client.js';

/** Where a cycle's offers go: the resources have already left the agent's free pool and are charged to quota. */
export interface OfferSink {
  offer(agentIndex: number, client: Client, scalars: Float64Array, ports: Ranges, reserved: readonly ReservedPart[]): void;
}

/** The agents a cycle walks: hot state by index, objects on demand. */
export interface CycleAgents {
  readonly table: AgentTable;
  byIndex(index: number): Agent;
}
