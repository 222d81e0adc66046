/**
 * An agent as the master sees it: total and free resources, attributes, and
 * the bookkeeping the allocator uses to skip it cheaply. Unreserved free
 * scalars live in the shared agent VectorPool (a view handed out once); the
 * rarer reserved parts are small objects. Invariant: free ⊆ total, and
 * `version` changes whenever free changes.
 */
import type { ResourceLayout, ResourceQuantities } from '../resources/layout.js';
import type { Ranges } from '../resources/ranges.js';
import { containsRanges, mergeRanges, normalizeRanges, NO_RANGES, subtractRanges } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { reservedPart, resourceSetContains } from '../resources/resourceSet.js';
import { addInto, contains, subtract, subtractInto } from '../resources/vector.js';
import type { Conversion } from '../reservations/resourceConversion.js';
import { applyConversion } from '../reservations/resourceConversion.js';

export type AgentAttributes = Readonly<Record<string, string | number>>;

export interface StaticReservationSpec {
  role: string;
  resources: ResourceQuantities;
  ports?: ReadonlyArray<readonly [number, number]>;
  labels?: Record<string, string>;
}

export interface AgentSpec {
  id: string;
  hostname?: string;
  /** Everything the agent has, reserved parts included. */
  resources: ResourceQuantities;
  ports?: ReadonlyArray<readonly [number, number]>;
  attributes?: AgentAttributes;
  /** Static reservations: carved out of `resources`, owned by a role for good. */
  reservations?: readonly StaticReservationSpec[];
  /**
   * The agent's checkpointed total, dynamic reservations and volumes included,
   * as it reports it when re-registering; overrides `resources` and `reservations`.
   */
  checkpointedTotal?: ResourceSet;
}

/** active: offered; draining: tasks being killed, no offers; disconnected: no offers until it re-registers or turns unreachable. */
export type AgentConnection = 'active' | 'draining' | 'disconnected';

export class Agent {
  readonly hostname: string;
  attributes: AgentAttributes;
  total: ResourceSet;
  connection: AgentConnection = 'active';
  /** When the agent was disconnected (or the drain started): the unreachable timeout counts from here. */
  sinceMs = 0;
  markGoneWhenDrained = false;
  drained = false;
  /** Unreserved free scalars: a view into the agents' shared VectorPool. */
  freeScalars: Float64Array;
  freePorts: Ranges;
  freeReserved: ReservedPart[];
  /** Bumped on every change of free resources: "nothing changed since" is one compare. */
  version = 0;
  /** Stage-2 fast skip: the keys under which a full walk last found nobody to offer to. */
  skipVersion = -1;
  skipClientsEpoch = -1;
  skipQuotaEpoch = -1;
  skipUntilMs = -Infinity;

  constructor(
    readonly index: number,
    readonly id: string,
    spec: AgentSpec,
    layout: ResourceLayout,
    freeView: Float64Array,
  ) {
    this.hostname = spec.hostname ?? spec.id;
    this.attributes = Object.freeze({ ...(spec.attributes ?? {}) });
    this.total = spec.checkpointedTotal ?? agentTotal(spec, layout);
    this.freeScalars = freeView;
    this.freeScalars.set(this.total.scalars);
    this.freePorts = this.total.ports;
    this.freeReserved = this.total.reserved.map((part) => ({ ...part, scalars: part.scalars.slice() }));
  }

  get free(): ResourceSet {
    return { scalars: this.freeScalars, ports: this.freePorts, reserved: this.freeReserved };
  }

  /** Moves resources out of free (into an offer or a task). */
  take(resources: ResourceSet): void {
    if (!resourceSetContains(this.free, resources)) throw new Error(`agent ${this.id}: taking more than is free`);
    subtractInto(this.freeScalars, this.freeScalars, resources.scalars);
    this.freePorts = subtractRanges(this.freePorts, resources.ports);
    for (const part of resources.reserved) {
      const index = this.freeReserved.findIndex((candidate) => candidate.key === part.key);
      const free = this.freeReserved[index];
      this.freeReserved[index] = { ...free, scalars: subtract(free.scalars, part.scalars), ports: subtractRanges(free.ports, part.ports) };
    }
    this.version++;
  }

  /** Moves resources back into free (declined, unused or released by a task). */
  give(resources: ResourceSet): void {
    addInto(this.freeScalars, this.freeScalars, resources.scalars);
    this.freePorts = mergeRanges(this.freePorts, resources.ports);
    for (const part of resources.reserved) {
      const index = this.freeReserved.findIndex((candidate) => candidate.key === part.key);
      if (index < 0) {
        this.freeReserved.push({ ...part, scalars: part.scalars.slice() });
        continue;
      }
      const free = this.freeReserved[index];
      const scalars = free.scalars.slice();
      addInto(scalars, scalars, part.scalars);
      this.freeReserved[index] = { ...free, scalars, ports: mergeRanges(free.ports, part.ports) };
    }
    if (!contains(this.total.scalars, this.freeScalars) || !containsRanges(this.total.ports, this.freePorts)) {
      throw new Error(`agent ${this.id}: free exceeds total after a recovery (double release?)`);
    }
    this.version++;
  }

  /** Reshapes total (a reservation or volume operation on resources not in free). */
  convertTotal(conversion: Conversion): void {
    const total = applyConversion(this.total, conversion);
    if (!total) throw new Error(`agent ${this.id}: conversion does not fit the total`);
    this.total = total;
  }

  /** Reshapes free resources (an operator's reservation or volume operation). */
  convertFree(conversion: Conversion): boolean {
    const free = applyConversion(this.free, conversion);
    if (!free) return false;
    this.convertTotal(conversion);
    this.freeScalars.set(free.scalars);
    this.freePorts = free.ports;
    this.freeReserved = free.reserved.map((part) => ({ ...part, scalars: part.scalars.slice() }));
    this.version++;
    return true;
  }

  /** After the pool grew, the agent's free vector lives in the new buffer. */
  rebindFreeView(view: Float64Array): void {
    view.set(this.freeScalars);
    this.freeScalars = view;
  }
}

/** Total resources of an agent: static reservations are carved out of the unreserved part. */
export function agentTotal(spec: AgentSpec, layout: ResourceLayout): ResourceSet {
  const scalars = layout.vector(spec.resources);
  let ports: Ranges = normalizeRanges((spec.ports ?? []).map(([b, e]) => [b, e] as const));
  const reserved: ReservedPart[] = [];
  for (const reservation of spec.reservations ?? []) {
    const reservedScalars = layout.vector(reservation.resources);
    if (!contains(scalars, reservedScalars))
      throw new Error(`agent ${spec.id}: reservation for ${reservation.role} exceeds the agent's resources`);
    subtractInto(scalars, scalars, reservedScalars);
    const reservedPorts = normalizeRanges((reservation.ports ?? []).map(([b, e]) => [b, e] as const));
    ports = subtractRanges(ports, reservedPorts);
    const info = { role: reservation.role, type: 'STATIC' as const, ...(reservation.labels ? { labels: { ...reservation.labels } } : {}) };
    const part = reservedPart([info], reservedScalars, reservedPorts.length ? reservedPorts : NO_RANGES);
    const same = reserved.findIndex((existing) => existing.key === part.key);
    if (same >= 0) {
      const merged = reserved[same].scalars.slice();
      addInto(merged, merged, part.scalars);
      reserved[same] = { ...reserved[same], scalars: merged, ports: mergeRanges(reserved[same].ports, part.ports) };
    } else reserved.push(part);
  }
  return { scalars, ports, reserved };
}
