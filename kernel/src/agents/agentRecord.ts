/**
 * What the master persists about an agent (its registry entry): identity,
 * attributes and total resources, dynamic reservations and volumes included.
 * Serialized by resource name so a record survives a change of layout.
 */
import type { Agent, AgentAttributes } from './agent.js';
import type { ResourceLayout, ResourceQuantities } from '../resources/layout.js';
import type { ReservationInfo, ResourceSet, VolumeInfo } from '../resources/resourceSet.js';
import { reservedPart } from '../resources/resourceSet.js';

export interface SerializedResourceSet {
  scalars: ResourceQuantities;
  ports: Array<[number, number]>;
  reserved: Array<{ reservations: ReservationInfo[]; scalars: ResourceQuantities; ports: Array<[number, number]>; volume?: VolumeInfo }>;
}

export interface AgentRecord {
  id: string;
  hostname: string;
  attributes: AgentAttributes;
  total: SerializedResourceSet;
}

export function serializeResourceSet(set: ResourceSet, layout: ResourceLayout): SerializedResourceSet {
  return {
    scalars: layout.quantities(set.scalars),
    ports: set.ports.map(([b, e]) => [b, e]),
    reserved: set.reserved.map((part) => ({
      reservations: part.reservations.map((r) => ({ ...r })),
      scalars: layout.quantities(part.scalars),
      ports: part.ports.map(([b, e]): [number, number] => [b, e]),
      ...(part.volume ? { volume: { ...part.volume } } : {}),
    })),
  };
}

export function deserializeResourceSet(serialized: SerializedResourceSet, layout: ResourceLayout): ResourceSet {
  return {
    scalars: layout.vector(serialized.scalars),
    ports: serialized.ports.map(([b, e]) => [b, e] as const),
    reserved: serialized.reserved.map((part) =>
      reservedPart(
        part.reservations,
        layout.vector(part.scalars),
        part.ports.map(([b, e]) => [b, e] as const),
        part.volume,
      ),
    ),
  };
}

/** The registry entry of a registered agent. */
export function agentRecord(agent: Agent, layout: ResourceLayout): AgentRecord {
  return {
    id: agent.id,
    hostname: agent.hostname,
    attributes: { ...agent.attributes },
    total: serializeResourceSet(agent.total, layout),
  };
}
