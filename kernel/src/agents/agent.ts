/**
 * An agent as the master sees it: total and free resources and attributes.
 * Its hot state (unreserved free scalars, version, fast-skip keys, flags)
 * lives at its index in the shared AgentTable, where allocation cycles read
 * it without touching this object; the rarer reserved parts and port ranges
 * are small objects here. Invariant: free ⊆ total, `version` changes whenever
 * free changes, and the table's flags follow total and free.
 */
import type { ResourceLayout, ResourceQuantities } from '../resources/layout.js';
import type { Ranges } from '../resources/ranges.js';
import { containsRanges, mergeRanges, normalizeRanges, NO_RANGES, subtractRanges } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { reservedPart, resourceSetContains } from '../resources/resourceSet.js';
import { addInto, contains, isEmpty, subtract, subtractInto } from '../resources/vector.js';
import type { Conversion } from '../reservations/resourceConversion.js';
import { applyConversion } from '../reservations/resourceConversion.js';
import type { AgentTable } from './agentTable.js';
import { AGENT_HAS_FREE_RESERVED, AGENT_HAS_GPUS } from './agentTable.js';

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
  /** The address the agent announced (maintenance machines match agents on hostname and ip). */
  ip?: string;
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
  /** '' when the agent announced none. */
  readonly ip: string;
  attributes: AgentAttributes;
  total: ResourceSet;
  connection: AgentConnection = 'active';
  /** When the agent was disconnected (or the drain started): the unreachable timeout counts from here. */
  sinceMs = 0;
  markGoneWhenDrained = false;
  drained = false;
  /** Unreserved free scalars: a view into the agent table's free pool (re-bound when the pool grows). */
  freeScalars: Float64Array;
  freeReserved: ReservedPart[];
  readonly #table: AgentTable;
  readonly #gpuSlot: number;

  constructor(
    readonly index: number,
    readonly id: string,
    spec: AgentSpec,
    layout: ResourceLayout,
    table: AgentTable,
  ) {
    this.hostname = spec.hostname ?? spec.id;
    this.ip = spec.ip ?? '';
    this.attributes = Object.freeze({ ...(spec.attributes ?? {}) });
    const total = spec.checkpointedTotal ?? agentTotal(spec, layout);
    this.total = { ...total, ports: table.internRanges(total.ports) };
    this.#table = table;
    this.#gpuSlot = layout.slotOf('gpus');
    this.freeScalars = table.freeView(index);
    this.freeScalars.set(this.total.scalars);
    table.setPorts(index, this.total.ports);
    this.freeReserved = this.total.reserved.map((part) => ({ ...part, scalars: part.scalars.slice() }));
    this.#totalChanged();
    this.#freeReservedChanged();
  }

  /** Unreserved free ports (kept in the agent table, where allocation cycles read them). */
  get freePorts(): Ranges {
    return this.#table.portsOf(this.index);
  }

  set freePorts(ports: Ranges) {
    this.#table.setPorts(this.index, ports);
  }

  /** Bumped on every change of free resources: "nothing changed since" is one compare. */
  get version(): number {
    return this.#table.version(this.index);
  }

  /** Marks a change the allocator must notice (e.g. new attributes) without a change of resources. */
  bumpVersion(): void {
    this.#table.bumpVersion(this.index);
  }

  get free(): ResourceSet {
    return { scalars: this.freeScalars, ports: this.freePorts, reserved: this.freeReserved };
  }

  /** Moves resources out of free (into an offer or a task). */
  take(resources: ResourceSet): void {
    this.takeParts(resources.scalars, resources.ports, resources.reserved);
  }

  /** `take` without a ResourceSet object: the allocation cycle's form. */
  takeParts(scalars: Float64Array, ports: Ranges, reserved: readonly ReservedPart[]): void {
    if (!contains(this.freeScalars, scalars) || (ports !== this.freePorts && !containsRanges(this.freePorts, ports)))
      throw new Error(`agent ${this.id}: taking more than is free`);
    subtractInto(this.freeScalars, this.freeScalars, scalars);
    // An offer of all the free ports (the common case) leaves none, without walking the ranges.
    this.freePorts = ports === this.freePorts ? NO_RANGES : subtractRanges(this.freePorts, ports);
    if (reserved.length > 0) {
      if (!resourceSetContains({ scalars, ports, reserved: this.freeReserved }, { scalars, ports, reserved }))
        throw new Error(`agent ${this.id}: taking more reserved resources than are free`);
      for (const part of reserved) {
        const index = this.freeReserved.findIndex((candidate) => candidate.key === part.key);
        const free = this.freeReserved[index];
        this.freeReserved[index] = {
          ...free,
          scalars: subtract(free.scalars, part.scalars),
          ports: subtractRanges(free.ports, part.ports),
        };
      }
      this.#freeReservedChanged();
    }
    this.#table.bumpVersion(this.index);
    this.#table.ledgers?.touch(this.index);
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
    if (resources.reserved.length > 0) this.#freeReservedChanged();
    this.#table.bumpVersion(this.index);
    this.#table.ledgers?.touch(this.index);
  }

  /** Reshapes total (a reservation or volume operation on resources not in free). */
  convertTotal(conversion: Conversion): void {
    const total = applyConversion(this.total, conversion);
    if (!total) throw new Error(`agent ${this.id}: conversion does not fit the total`);
    this.total = total;
    this.#totalChanged();
    this.#table.ledgers?.touch(this.index);
  }

  /** Reshapes free resources (an operator's reservation or volume operation). */
  convertFree(conversion: Conversion): boolean {
    const free = applyConversion(this.free, conversion);
    if (!free) return false;
    this.convertTotal(conversion);
    this.freeScalars.set(free.scalars);
    this.freePorts = free.ports;
    this.freeReserved = free.reserved.map((part) => ({ ...part, scalars: part.scalars.slice() }));
    this.#freeReservedChanged();
    this.#table.bumpVersion(this.index);
    return true;
  }

  /** After the pool grew, the agent's free vector lives in the new buffer (its values were copied with it). */
  rebindFreeView(): void {
    this.freeScalars = this.#table.freeView(this.index);
  }

  #totalChanged(): void {
    this.#table.ledgers?.setTotal(this.index, this.total);
    const slot = this.#gpuSlot;
    let gpus = slot >= 0 && this.total.scalars[slot] > 0;
    for (const part of this.total.reserved) if (slot >= 0 && part.scalars[slot] > 0) gpus = true;
    this.#table.setFlag(this.index, AGENT_HAS_GPUS, gpus);
  }

  #freeReservedChanged(): void {
    let any = false;
    for (const part of this.freeReserved) if (!isEmpty(part.scalars)) any = true;
    this.#table.setFlag(this.index, AGENT_HAS_FREE_RESERVED, any);
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
