/**
 * Offer filters (refused resources): per (agent, client), what was refused and
 * until when. A filter holds while it has not expired and the refused
 * resources contain what would be offered now (the superset test), so an agent
 * that gained free resources is offered again.
 *
 * Layout, for walks that visit every client of every agent:
 * - a dense "may be filtered" bitset, one row of client bits per agent: a set
 *   bit is a live filter (installed, not cleared, not yet expired);
 * - per agent that has filters, a table by client of expiry and refused-set
 *   id; refused sets are interned per agent because most of them are equal,
 *   so the superset test runs once per (agent, refused set) in a walk;
 * - expiry in time order: a min-heap of (earliest expiry, agent). `expire`
 *   pops the agents that are due and sweeps only their rows, so a set bit
 *   never needs an expiry check;
 * - per agent, the exact earliest expiry of its live filters;
 * - in the agent's hot record (the AgentTable, which a walk has in cache
 *   anyway): the count of its live filters, and a 64-bit signature of the
 *   clients it filters (bit c & 63), which answers "surely not filtered" for
 *   most pairs without reading the agent's row (a signature bit may stay set
 *   after its filter went; it is rebuilt when the agent's row is swept).
 * Invariant: bit(a, c) set <=> table(a).snapshot[c] != 0 and table(a).expiresAtMs[c] > the last `expire` time;
 * the agent's earliest expiry = min over set bits of expiresAtMs (Infinity when none), unless marked dirty.
 */
import type { AgentTable } from '../agents/agentTable.js';
import {
  HOT_FILTER_COUNT,
  HOT_FILTER_COVER_VERSION,
  HOT_FILTER_MIN_DIRTY,
  HOT_FILTER_MIN_EXPIRY,
  HOT_FILTER_SIGNATURE,
  HOT_PORTS_TAKEN,
  HOT_VERSION,
} from '../agents/agentTable.js';
import type { Ranges } from '../resources/ranges.js';
import { NO_RANGES } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { AgentFilterTable, refusedCovers } from './agentFilterTable.js';
import { ExpiryHeap } from './expiryHeap.js';

const NO_RESERVED: readonly ReservedPart[] = [];

export class OfferFilters {
  readonly #tables: (AgentFilterTable | undefined)[] = [];
  /** Client capacity: a multiple of 32, so that a row is whole 32-bit words. */
  #clientCapacity = 32;
  #words = 1;
  #agentCapacity = 0;
  #bits = new Int32Array(0);
  readonly #due = new ExpiryHeap();
  /** Where each agent's filter count and signature live (its hot record). */
  readonly #agents: AgentTable;
  /** An agent's free scalars, copied out of its hot record for a cover check (no view per install). */
  readonly #free: Float64Array;

  constructor(agents: AgentTable) {
    this.#agents = agents;
    this.#free = new Float64Array(agents.size);
  }

  /** Offset of the agent's filter fields in `this.#agents.hot`. */
  #fields(agentIndex: number): number {
    return agentIndex * this.#agents.stride + this.#agents.size;
  }

  get words(): number {
    return this.#words;
  }

  /** The bitset: agent a's row is words [a * words, (a + 1) * words); client c is bit c & 31 of word c >> 5. */
  get bits(): Int32Array {
    return this.#bits;
  }

  /** Makes room for client indices below `capacity`. */
  ensureClients(capacity: number): void {
    if (capacity <= this.#clientCapacity) return;
    let next = this.#clientCapacity;
    while (next < capacity) next *= 2;
    const words = next >> 5;
    const bits = new Int32Array(this.#agentCapacity * words);
    for (let agent = 0; agent < this.#agentCapacity; agent++) {
      for (let word = 0; word < this.#words; word++) bits[agent * words + word] = this.#bits[agent * this.#words + word];
    }
    this.#bits = bits;
    this.#words = words;
    this.#clientCapacity = next;
    for (const table of this.#tables) table?.grow(next);
  }

  /** Makes room for agent indices below `capacity`. */
  ensureAgents(capacity: number): void {
    if (capacity <= this.#agentCapacity) return;
    let next = Math.max(64, this.#agentCapacity);
    while (next < capacity) next *= 2;
    const bits = new Int32Array(next * this.#words);
    bits.set(this.#bits);
    this.#bits = bits;
    this.#agentCapacity = next;
  }

  install(agentIndex: number, clientIndex: number, expiresAtMs: number, refused: ResourceSet): void {
    this.ensureAgents(agentIndex + 1);
    let table = this.#tables[agentIndex];
    if (!table) {
      table = new AgentFilterTable(this.#clientCapacity);
      this.#tables[agentIndex] = table;
    }
    const word = agentIndex * this.#words + (clientIndex >> 5);
    const bit = 1 << (clientIndex & 31);
    const hot = this.#agents.hot;
    const fields = this.#fields(agentIndex);
    const min = hot[fields + HOT_FILTER_MIN_EXPIRY];
    // Replacing the filter that held the minimum may raise it: recompute on demand.
    if ((this.#bits[word] & bit) !== 0) {
      if (table.expiresAtMs[clientIndex] <= min && expiresAtMs > min) hot[fields + HOT_FILTER_MIN_DIRTY] = 1;
    } else hot[fields + HOT_FILTER_COUNT]++;
    this.#bits[word] |= bit;
    const signature = fields + HOT_FILTER_SIGNATURE + ((clientIndex >> 5) & 1);
    hot[signature] = hot[signature] | bit | 0;
    table.expiresAtMs[clientIndex] = expiresAtMs;
    table.snapshot[clientIndex] = table.intern(refused);
    if (expiresAtMs < min) {
      hot[fields + HOT_FILTER_MIN_EXPIRY] = expiresAtMs;
      this.#due.push(expiresAtMs, agentIndex);
    }
    // The table is in cache now: note whether every refused set covers the agent's free resources,
    // so that a walk of an agent filtered for every client need not read the table again.
    hot[fields + HOT_FILTER_COVER_VERSION] = this.#everyRefusedSetCoversFree(agentIndex, table) ? hot[fields + HOT_VERSION] : -1;
  }

  /** Whether every refused set on the agent contains its free unreserved scalars and free ports. */
  #everyRefusedSetCoversFree(agentIndex: number, table: AgentFilterTable): boolean {
    const agents = this.#agents;
    const at = agentIndex * agents.stride;
    const free = this.#free;
    for (let i = 0; i < free.length; i++) free[i] = agents.hot[at + i];
    const ports = agents.hot[at + agents.size + HOT_PORTS_TAKEN] === 1 ? NO_RANGES : agents.freePorts[agentIndex];
    for (const refused of table.snapshots) if (!refusedCovers(refused, free, ports, NO_RESERVED)) return false;
    return true;
  }

  /**
   * Whether every refused set on the agent was found to cover its free unreserved resources, and
   * nothing changed since (same version). Callers that offer exactly that need not look again.
   */
  coverKnown(agentIndex: number): boolean {
    const hot = this.#agents.hot;
    const fields = this.#fields(agentIndex);
    return hot[fields + HOT_FILTER_COVER_VERSION] === hot[fields + HOT_VERSION];
  }

  /** Removes every filter that has expired at `nowMs` (call before consulting the bits). */
  expire(nowMs: number): void {
    const due = this.#due;
    while (due.size > 0 && due.peekMs() <= nowMs) {
      const agentIndex = due.pop();
      const fields = this.#fields(agentIndex);
      const hot = this.#agents.hot;
      if (hot[fields + HOT_FILTER_MIN_EXPIRY] <= nowMs || hot[fields + HOT_FILTER_MIN_DIRTY] === 1) this.#sweep(agentIndex, nowMs);
    }
  }

  /** Clears the agent's expired filters and recomputes its earliest expiry exactly. */
  #sweep(agentIndex: number, nowMs: number): void {
    const table = this.#tables[agentIndex];
    const row = agentIndex * this.#words;
    const fields = this.#fields(agentIndex);
    let min = Infinity;
    let low = 0;
    let high = 0;
    if (table) {
      for (let word = 0; word < this.#words; word++) {
        let bits = this.#bits[row + word];
        while (bits !== 0) {
          const lowest = bits & -bits;
          const client = (word << 5) + (31 - Math.clz32(lowest));
          bits ^= lowest;
          const expiresAtMs = table.expiresAtMs[client];
          if (expiresAtMs <= nowMs) {
            this.#bits[row + word] &= ~lowest;
            table.snapshot[client] = 0;
            this.#agents.hot[fields + HOT_FILTER_COUNT]--;
            continue;
          }
          if (expiresAtMs < min) min = expiresAtMs;
          if ((word & 1) === 0) low |= lowest;
          else high |= lowest;
        }
      }
    }
    this.#agents.hot[fields + HOT_FILTER_SIGNATURE] = low;
    this.#agents.hot[fields + HOT_FILTER_SIGNATURE + 1] = high;
    this.#agents.hot[fields + HOT_FILTER_MIN_EXPIRY] = min;
    this.#agents.hot[fields + HOT_FILTER_MIN_DIRTY] = 0;
    if (min !== Infinity) this.#due.push(min, agentIndex);
  }

  /** How many live filters the agent has. */
  count(agentIndex: number): number {
    return this.#agents.hot[this.#fields(agentIndex) + HOT_FILTER_COUNT];
  }

  /** The earliest expiry among the agent's live filters (Infinity when it has none). */
  minExpiryMs(agentIndex: number, nowMs: number): number {
    const fields = this.#fields(agentIndex);
    if (this.#agents.hot[fields + HOT_FILTER_MIN_DIRTY] === 1) this.#sweep(agentIndex, nowMs);
    return this.#agents.hot[fields + HOT_FILTER_MIN_EXPIRY];
  }

  /** Whether a live filter exists for the pair: the bit test walks use before anything else. */
  mayBeFiltered(agentIndex: number, clientIndex: number): boolean {
    if (agentIndex >= this.#agentCapacity || clientIndex >= this.#clientCapacity) return false;
    const bit = 1 << (clientIndex & 31);
    // The signature, in the agent's hot record the walk has just read, rules out most pairs before the row is read.
    if ((this.#agents.hot[this.#fields(agentIndex) + HOT_FILTER_SIGNATURE + ((clientIndex >> 5) & 1)] & bit) === 0) return false;
    return (this.#bits[agentIndex * this.#words + (clientIndex >> 5)] & bit) !== 0;
  }

  /** The refused-set id (1-based) of a live filter; only meaningful where `mayBeFiltered`. */
  snapshotId(agentIndex: number, clientIndex: number): number {
    return this.#tables[agentIndex]!.snapshot[clientIndex];
  }

  /** The agent's interned refused sets, by id - 1. */
  snapshots(agentIndex: number): readonly ResourceSet[] {
    return this.#tables[agentIndex]?.snapshots ?? [];
  }

  /** The expiry of a live filter; only meaningful where `mayBeFiltered`. */
  expiresAtMs(agentIndex: number, clientIndex: number): number {
    return this.#tables[agentIndex]!.expiresAtMs[clientIndex];
  }

  /**
   * The plain reference check, pair by pair: the expiry time of the filter that
   * holds against what would be offered now, or 0 when no filter holds.
   */
  heldUntil(
    agentIndex: number,
    clientIndex: number,
    nowMs: number,
    scalars: Float64Array,
    ports: Ranges,
    reserved: readonly ReservedPart[],
  ): number {
    const expiresAtMs = this.expiryOf(agentIndex, clientIndex, nowMs);
    if (expiresAtMs === null) return 0;
    const table = this.#tables[agentIndex]!;
    return refusedCovers(table.snapshots[table.snapshot[clientIndex] - 1], scalars, ports, reserved) ? expiresAtMs : 0;
  }

  /** The expiry of an unexpired filter stored for the pair, or null (inspection only). */
  expiryOf(agentIndex: number, clientIndex: number, nowMs: number): number | null {
    if (!this.mayBeFiltered(agentIndex, clientIndex)) return null;
    const expiresAtMs = this.#tables[agentIndex]!.expiresAtMs[clientIndex];
    return expiresAtMs > nowMs ? expiresAtMs : null;
  }

  /** Drops the client's filters on every agent (O(agents), one word each). */
  clearClient(clientIndex: number): void {
    if (clientIndex >= this.#clientCapacity) return;
    const words = this.#words;
    const word = clientIndex >> 5;
    const bit = 1 << (clientIndex & 31);
    for (let agent = 0; agent < this.#agentCapacity; agent++) {
      const at = agent * words + word;
      if ((this.#bits[at] & bit) === 0) continue;
      this.#bits[at] &= ~bit;
      this.#agents.hot[this.#fields(agent) + HOT_FILTER_COUNT]--;
      const table = this.#tables[agent]!;
      table.snapshot[clientIndex] = 0;
      const fields = this.#fields(agent);
      if (table.expiresAtMs[clientIndex] <= this.#agents.hot[fields + HOT_FILTER_MIN_EXPIRY])
        this.#agents.hot[fields + HOT_FILTER_MIN_DIRTY] = 1;
    }
  }

  clearAgent(agentIndex: number): void {
    this.#tables[agentIndex] = undefined;
    if (agentIndex >= this.#agentCapacity) return;
    this.#bits.fill(0, agentIndex * this.#words, (agentIndex + 1) * this.#words);
    const fields = this.#fields(agentIndex);
    this.#agents.hot[fields + HOT_FILTER_MIN_EXPIRY] = Infinity;
    this.#agents.hot[fields + HOT_FILTER_MIN_DIRTY] = 0;
    this.#agents.hot[fields + HOT_FILTER_COUNT] = 0;
    this.#agents.hot[fields + HOT_FILTER_SIGNATURE] = 0;
    this.#agents.hot[fields + HOT_FILTER_SIGNATURE + 1] = 0;
  }
}
