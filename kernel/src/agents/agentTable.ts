/**
 * The agents' hot state, by agent index, in typed arrays: what an allocation
 * cycle reads for every agent sits in one Float64Array record per agent (free
 * unreserved scalars, version, the fast-skip keys), so that a cycle touches
 * one or two cache lines per agent, never an Agent object unless the agent
 * has reserved parts to offer; flags and free ports are arrays by index
 * beside it. `Agent` objects keep the rest (ids, attributes, resource sets
 * with reservations and ranges) for the edges; an Agent's `freeScalars` is a
 * view of the first slots of its record.
 * Invariant: the record of an index belongs to the one registered agent that
 * holds it; a released index is reset before it is handed out again.
 */
import type { Ranges } from '../resources/ranges.js';
import { containsRanges, NO_RANGES, subtractRanges } from '../resources/ranges.js';
import { SCALAR_EPSILON } from '../resources/vector.js';
import { AgentLedgers } from './agentLedgers.js';

/** The agent's total holds GPUs (unreserved or reserved): only GPU_RESOURCES frameworks may be offered it. */
export const AGENT_HAS_GPUS = 1;
/** Some reserved part of the agent's free resources holds scalars. */
export const AGENT_HAS_FREE_RESERVED = 2;
/** Registered, connected and not draining: its resources may be offered. */
export const AGENT_OFFERABLE = 4;
/** Tasks are being killed for an operator's drain; no offers. */
export const AGENT_DRAINING = 8;
/** Reserved for maintenance (Mesos machine DRAINING/DOWN, unavailability windows); set by the maintenance code. */
export const AGENT_MAINTENANCE = 16;

/** Fields of a hot record after the free scalars (offsets from the record's start are `size + field`). */
export const HOT_VERSION = 0;
export const HOT_SKIP_VERSION = 1;
export const HOT_SKIP_CLIENTS_EPOCH = 2;
export const HOT_SKIP_QUOTA_EPOCH = 3;
export const HOT_SKIP_UNTIL_MS = 4;
/** 1 when an offer took every free port: the free ports are then none, whatever `freePorts` holds. */
export const HOT_PORTS_TAKEN = 5;
/** Kept by the offer filters: how many live filters the agent has, and a 2 x 32-bit signature of their clients. */
export const HOT_FILTER_COUNT = 6;
export const HOT_FILTER_SIGNATURE = 7;
/** Kept by the offer filters: the earliest expiry of the agent's live filters (Infinity: none), 1 when it may be stale. */
export const HOT_FILTER_MIN_EXPIRY = 9;
export const HOT_FILTER_MIN_DIRTY = 10;
/**
 * Kept by the offer filters: the agent's version at which every refused set on it was found to
 * cover its free unreserved resources (checked when a filter is installed; -1: not known).
 */
export const HOT_FILTER_COVER_VERSION = 11;
const HOT_FIELDS = 12;

export class AgentTable {
  /** Scalar slots per agent (the layout's size). */
  readonly size: number;
  /** Doubles per agent record: `size` free scalars, then the HOT_* fields. */
  readonly stride: number;
  /** The records, agent i at [i * stride, (i + 1) * stride). Replaced when the table grows. */
  hot: Float64Array;
  /**
   * Unreserved free ports, by index (immutable range lists, replaced on change), unless
   * HOT_PORTS_TAKEN is set: taking every port is a number store, not a pointer store.
   */
  readonly freePorts: Ranges[] = [];
  /** Agents' port ranges interned, so that equal ranges are one array and comparing them is one compare. */
  readonly #ranges = new Map<string, Ranges>();
  flags: Uint8Array;
  /** With checks: offered and used per agent, kept by the offer book and the task registry (see AgentLedgers). */
  readonly ledgers: AgentLedgers | null;
  #capacity: number;

  constructor(size: number, capacity = 64, checks = false) {
    this.size = size;
    this.stride = size + HOT_FIELDS;
    this.#capacity = capacity;
    this.hot = new Float64Array(capacity * this.stride);
    this.flags = new Uint8Array(capacity);
    this.ledgers = checks ? new AgentLedgers(size) : null;
    this.ledgers?.ensureCapacity(capacity);
    for (let index = 0; index < capacity; index++) this.#clearRecord(index);
  }

  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Makes room for index `capacity - 1`. Returns true when the records moved to a new
   * buffer: free-scalar views handed out earlier are stale and must be re-fetched.
   */
  ensureCapacity(capacity: number): boolean {
    if (capacity <= this.#capacity) return false;
    let next = this.#capacity;
    while (next < capacity) next *= 2;
    const hot = new Float64Array(next * this.stride);
    hot.set(this.hot);
    this.hot = hot;
    const flags = new Uint8Array(next);
    flags.set(this.flags);
    this.flags = flags;
    this.ledgers?.ensureCapacity(next);
    const before = this.#capacity;
    this.#capacity = next;
    for (let index = before; index < next; index++) this.#clearRecord(index);
    return true;
  }

  /** The agent's free unreserved scalars: a view of its record (valid until the table grows). */
  freeView(index: number): Float64Array {
    return this.hot.subarray(index * this.stride, index * this.stride + this.size);
  }

  version(index: number): number {
    return this.hot[index * this.stride + this.size + HOT_VERSION];
  }

  bumpVersion(index: number): void {
    this.hot[index * this.stride + this.size + HOT_VERSION]++;
  }

  /** The agent's free unreserved ports. */
  portsOf(index: number): Ranges {
    return this.hot[index * this.stride + this.size + HOT_PORTS_TAKEN] === 1 ? NO_RANGES : this.freePorts[index];
  }

  setPorts(index: number, ports: Ranges): void {
    if (this.freePorts[index] !== ports) this.freePorts[index] = ports;
    this.hot[index * this.stride + this.size + HOT_PORTS_TAKEN] = 0;
  }

  /** One array per distinct list of ranges (for agents' totals: thousands of agents share a few). */
  internRanges(ranges: Ranges): Ranges {
    if (ranges.length === 0) return NO_RANGES;
    const key = ranges.map(([begin, end]) => `${begin}-${end}`).join(',');
    let interned = this.#ranges.get(key);
    if (!interned) this.#ranges.set(key, (interned = Object.freeze(ranges.map(([begin, end]) => Object.freeze([begin, end] as const)))));
    return interned;
  }

  /** Clears an index for its next agent: no skip keys, no flags, no free resources. */
  reset(index: number): void {
    const version = this.version(index);
    this.#clearRecord(index);
    // The version keeps counting, so that no skip key of the previous agent can match the next one.
    this.hot[index * this.stride + this.size + HOT_VERSION] = version + 1;
    this.flags[index] = 0;
    this.freePorts[index] = NO_RANGES;
    this.ledgers?.reset(index);
  }

  #clearRecord(index: number): void {
    const at = index * this.stride;
    this.hot.fill(0, at, at + this.stride);
    const fields = at + this.size;
    this.hot[fields + HOT_SKIP_VERSION] = -1;
    this.hot[fields + HOT_SKIP_CLIENTS_EPOCH] = -1;
    this.hot[fields + HOT_SKIP_QUOTA_EPOCH] = -1;
    this.hot[fields + HOT_SKIP_UNTIL_MS] = -Infinity;
    this.hot[fields + HOT_FILTER_MIN_EXPIRY] = Infinity;
    this.hot[fields + HOT_FILTER_COVER_VERSION] = -1;
    this.freePorts[index] = NO_RANGES;
  }

  /**
   * Moves unreserved scalars and ports out of an agent's free resources (into an offer), without
   * touching the Agent object: the allocation cycle's common case. Reserved parts go through Agent.
   */
  takeUnreserved(index: number, scalars: Float64Array, ports: Ranges): void {
    const hot = this.hot;
    const size = this.size;
    const at = index * this.stride;
    for (let slot = 0; slot < size; slot++) {
      if (hot[at + slot] + SCALAR_EPSILON < scalars[slot]) throw new Error(`agent at index ${index}: taking more than is free`);
    }
    for (let slot = 0; slot < size; slot++) {
      const value = hot[at + slot] - scalars[slot];
      hot[at + slot] = value > SCALAR_EPSILON ? value : 0;
    }
    const free = this.portsOf(index);
    // An offer of all the free ports (the common case) leaves none: a number store, no range walk.
    if (ports === free) hot[at + size + HOT_PORTS_TAKEN] = 1;
    else if (ports.length > 0) {
      if (!containsRanges(free, ports)) throw new Error(`agent at index ${index}: taking ports that are not free`);
      this.setPorts(index, subtractRanges(free, ports));
    }
    hot[at + size + HOT_VERSION]++;
    this.ledgers?.touch(index);
  }

  setFlag(index: number, flag: number, on: boolean): void {
    if (on) this.flags[index] |= flag;
    else this.flags[index] &= ~flag;
  }

  hasFlag(index: number, flag: number): boolean {
    return (this.flags[index] & flag) !== 0;
  }
}
