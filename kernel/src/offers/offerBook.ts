/**
 * Outstanding offers, kept compactly: per offer a slot holding (agent index,
 * client index, creation time, sequence number) in typed arrays, its scalars
 * in a vector pool and its ports and reserved parts by reference. Offer
 * objects, ids and events are made only when a host reads them, and the id
 * index (sequence number -> slot) is filled when ids are first needed. The
 * indexes by agent and by client are chains of slots in typed arrays, built
 * when first asked for after a change (listing one agent's offers is rare;
 * making ten thousand offers a second is not); the creation order, which
 * every listing follows, is a linked list of slots.
 * The book owns the offers' lifecycle and gives resources back itself
 * (decline, rescind, invalid accept) through one door, `OfferOwners.giveBack`.
 * Invariant: a resource is in at most one outstanding offer, and the agent's
 * free resources exclude every outstanding offer.
 */
import type { Agent } from '../agents/agent.js';
import type { AgentLedgers } from '../agents/agentLedgers.js';
import type { Client } from '../allocator/client.js';
import type { Effect } from '../master/effects.js';
import type { KernelEvent, RescindReason } from '../master/events.js';
import type { Ranges } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { VectorPool } from '../resources/vector.js';
import type { Offer } from './offer.js';
import { SeqIndex } from './seqIndex.js';
import { SlotList } from './slotList.js';

/** What the book needs from the rest of the master: lookups by index and the one way resources go back. */
export interface OfferOwners {
  readonly nowMs: number;
  agent(index: number): Agent;
  client(index: number): Client;
  /** Agent index of a registered agent, or -1. */
  agentIndexOf(agentId: string): number;
  /** Client indices of a framework (one per role), or none. */
  clientIndicesOf(frameworkId: string): Iterable<number>;
  /** Puts resources back in the agent's free pool and off the client's allocation; a filter when filterMs > 0. */
  giveBack(client: Client, agent: Agent, resources: ResourceSet, filterMs: number): void;
}

/** Where the book reports what it did. */
export interface OfferOutput {
  readonly events: KernelEvent[];
  readonly effects: Effect[];
}

export interface OfferCounters {
  offersMade: number;
  offersDeclined: number;
  offersAccepted: number;
  offersRescinded: number;
}

const NONE = -1;

export class OfferBook {
  readonly counters: OfferCounters = { offersMade: 0, offersDeclined: 0, offersAccepted: 0, offersRescinded: 0 };
  readonly #owners: OfferOwners;
  readonly #prefix: string;
  #nextSeq = 1;
  #capacity = 0;
  #seq = new Float64Array(0);
  #agentIndex = new Int32Array(0);
  #clientIndex = new Int32Array(0);
  #createdAtMs = new Float64Array(0);
  /** Insertion order of every slot ever filled (offers and forged ones): listings sort by it. */
  #insertion = new Float64Array(0);
  #inserted = 0;
  readonly #scalars: VectorPool;
  readonly #ports: Ranges[] = [];
  readonly #reserved: (readonly ReservedPart[])[] = [];
  /** Offers already made into objects (or forged through `add`), by slot. */
  readonly #objects: (Offer | undefined)[] = [];
  readonly #freeSlots: number[] = [];
  readonly #bySeq = new SeqIndex();
  /** Per agent index, the scalars of its latest offer made into an object: equal offers share one immutable vector. */
  readonly #lastScalars: (Float64Array | undefined)[] = [];
  /** Ids that are not `${prefix}${seq}` (offers added through `add`). */
  readonly #byCustomId = new Map<string, number>();
  readonly #order = new SlotList();
  readonly #byAgent = new SlotChains();
  readonly #byClient = new SlotChains();
  /** The chains miss offers made or removed since they were built. */
  #chainsStale = false;
  /** Offers recorded since the id index was last filled: pending[seq - pendingFromSeq] = slot (-1 once removed). */
  #pending = new Int32Array(1024);
  #pendingCount = 0;
  #pendingFromSeq = 1;
  readonly #ledgers: AgentLedgers | null;

  /**
   * Ids are `${prefix}${n}`: a failed-over master uses a new prefix so no id is ever reused.
   * With `ledgers` (a checked master), the book keeps what each agent has on offer there.
   */
  constructor(owners: OfferOwners, stride: number, prefix = 'O', ledgers: AgentLedgers | null = null) {
    this.#owners = owners;
    this.#prefix = prefix;
    this.#scalars = new VectorPool(stride, 64);
    this.#ledgers = ledgers;
  }

  get size(): number {
    return this.#order.size;
  }

  /** Records an offer of resources the allocator has already taken out of the agent. */
  record(
    agentIndex: number,
    client: Client,
    scalars: Float64Array,
    ports: Ranges,
    reserved: readonly ReservedPart[],
    nowMs: number,
  ): number {
    const slot = this.#newSlot();
    const seq = this.#nextSeq++;
    this.#seq[slot] = seq;
    this.#agentIndex[slot] = agentIndex;
    this.#clientIndex[slot] = client.index;
    this.#createdAtMs[slot] = nowMs;
    const stride = this.#scalars.stride;
    const buffer = this.#scalars.buffer;
    for (let i = 0; i < stride; i++) buffer[slot * stride + i] = scalars[i];
    // Pointer stores only when the value changes: most offers reuse a slot's interned ports and no parts.
    if (this.#ports[slot] !== ports) this.#ports[slot] = ports;
    if (this.#reserved[slot] !== reserved) this.#reserved[slot] = reserved;
    if (this.#pendingCount === 0) this.#pendingFromSeq = seq;
    if (this.#pendingCount === this.#pending.length) {
      const pending = new Int32Array(this.#pending.length * 2);
      pending.set(this.#pending);
      this.#pending = pending;
    }
    this.#pending[this.#pendingCount++] = slot;
    this.#link(slot);
    this.counters.offersMade++;
    return slot;
  }

  /** Adds a ready-made offer with any id (tests forge offers this way to check the invariant checkers). */
  add(offer: Offer): void {
    const slot = this.#newSlot();
    this.#seq[slot] = 0;
    this.#agentIndex[slot] = offer.agentIndex;
    this.#clientIndex[slot] = offer.clientIndex;
    this.#createdAtMs[slot] = offer.createdAtMs;
    this.#scalars.buffer.set(offer.resources.scalars, slot * this.#scalars.stride);
    this.#ports[slot] = offer.resources.ports;
    this.#reserved[slot] = offer.resources.reserved;
    this.#objects[slot] = offer;
    this.#byCustomId.set(offer.id, slot);
    this.#link(slot);
  }

  /** The slot of an outstanding offer, or -1. */
  slotOf(offerId: string): number {
    const custom = this.#byCustomId.get(offerId);
    if (custom !== undefined) return custom;
    if (!offerId.startsWith(this.#prefix)) return NONE;
    const digits = offerId.slice(this.#prefix.length);
    const seq = Number(digits);
    if (!Number.isSafeInteger(seq) || seq < 1 || String(seq) !== digits) return NONE;
    this.#indexPending();
    return this.#bySeq.get(seq);
  }

  /** Puts the offers recorded since the last call into the id index. */
  #indexPending(): void {
    for (let i = 0; i < this.#pendingCount; i++) {
      const slot = this.#pending[i];
      if (slot !== NONE) this.#bySeq.set(this.#pendingFromSeq + i, slot);
    }
    this.#pendingCount = 0;
  }

  get(offerId: string): Offer | undefined {
    const slot = this.slotOf(offerId);
    return slot === NONE ? undefined : this.offerAt(slot);
  }

  /** The offer in a slot, made into an object on first read (and kept, so that every reader sees the same one). */
  offerAt(slot: number): Offer {
    const made = this.#objects[slot];
    if (made) return made;
    const owners = this.#owners;
    const agentIndex = this.#agentIndex[slot];
    const client = owners.client(this.#clientIndex[slot]);
    const agent = owners.agent(agentIndex);
    const offer: Offer = {
      id: `${this.#prefix}${this.#seq[slot]}`,
      frameworkId: client.frameworkId,
      role: client.role.name,
      agentId: agent.id,
      hostname: agent.hostname,
      attributes: agent.attributes,
      agentIndex: this.#agentIndex[slot],
      clientIndex: this.#clientIndex[slot],
      resources: { scalars: this.#sharedScalars(slot, agentIndex), ports: this.#ports[slot], reserved: this.#reserved[slot] },
      createdAtMs: this.#createdAtMs[slot],
    };
    this.#objects[slot] = offer;
    return offer;
  }

  /**
   * The slot's scalars as an immutable vector: the one made for the agent's previous offer when
   * equal (an agent offered again and again offers the same free resources), else a new copy.
   */
  #sharedScalars(slot: number, agentIndex: number): Float64Array {
    const buffer = this.#scalars.buffer;
    const stride = this.#scalars.stride;
    const last = this.#lastScalars[agentIndex];
    if (last) {
      let same = true;
      for (let i = 0; i < stride; i++) if (last[i] !== buffer[slot * stride + i]) same = false;
      if (same) return last;
    }
    const copy = buffer.slice(slot * stride, (slot + 1) * stride);
    this.#lastScalars[agentIndex] = copy;
    return copy;
  }

  /** Every outstanding offer, oldest first. */
  *all(): IterableIterator<Offer> {
    for (let slot = this.#order.first; slot !== NONE; ) {
      const next = this.#order.next(slot);
      yield this.offerAt(slot);
      slot = next;
    }
  }

  /** Outstanding offers of one agent, oldest first. */
  ofAgent(agentId: string): Offer[] {
    const index = this.#owners.agentIndexOf(agentId);
    return index < 0 ? [] : this.#sorted(this.#chains().byAgent.slots(index)).map((slot) => this.offerAt(slot));
  }

  /** Outstanding offers of one framework (all its roles), oldest first. */
  ofFramework(frameworkId: string): Offer[] {
    const slots: number[] = [];
    const { byClient } = this.#chains();
    for (const index of this.#owners.clientIndicesOf(frameworkId)) slots.push(...byClient.slots(index));
    return this.#sorted(slots).map((slot) => this.offerAt(slot));
  }

  /** Makes objects of an agent's offers now, e.g. before its attributes change (an offer shows them as they were). */
  materializeAgent(agentIndex: number): void {
    for (const slot of this.#chains().byAgent.slots(agentIndex)) this.offerAt(slot);
  }

  /** When the earliest outstanding offer was made (Infinity when there is none). */
  earliestCreatedAtMs(): number {
    let earliest = Infinity;
    for (let slot = this.#order.first; slot !== NONE; slot = this.#order.next(slot)) earliest = Math.min(earliest, this.#createdAtMs[slot]);
    return earliest;
  }

  /** Rescinds the offers older than `timeoutMs` (Mesos's --offer_timeout), oldest first. */
  rescindExpired(timeoutMs: number, out: OfferOutput): void {
    const nowMs = this.#owners.nowMs;
    const due: Offer[] = [];
    for (let slot = this.#order.first; slot !== NONE; slot = this.#order.next(slot)) {
      if (this.#createdAtMs[slot] + timeoutMs <= nowMs) due.push(this.offerAt(slot));
    }
    for (const offer of due) this.rescind(offer, 'offer_timeout', out);
  }

  // Lifecycle: the book gives resources back itself -----------------------------------

  /** Removes an offer and gives its resources back (a filter when filterMs > 0). */
  release(offer: Offer, filterMs: number): void {
    const slot = this.#slotOfOffer(offer);
    const owners = this.#owners;
    const resources = this.offerAt(slot).resources;
    const client = owners.client(this.#clientIndex[slot]);
    const agent = owners.agent(this.#agentIndex[slot]);
    this.#remove(slot);
    owners.giveBack(client, agent, resources, filterMs);
  }

  /** Takes an offer back with no filter (timeout, agent or framework gone, operator). */
  rescind(offer: Offer, reason: RescindReason, out: OfferOutput): void {
    this.release(offer, 0);
    this.counters.offersRescinded++;
    const atMs = this.#owners.nowMs;
    out.events.push({ type: 'offer.rescinded', atMs, offerId: offer.id, frameworkId: offer.frameworkId, agentId: offer.agentId, reason });
    out.effects.push({ type: 'framework.rescind', frameworkId: offer.frameworkId, offerId: offer.id });
  }

  /** Declines the framework's offers behind a filter; returns the ids that were not its outstanding offers. */
  decline(frameworkId: string, offerIds: readonly string[], filterMs: number, out: OfferOutput): string[] {
    const unknown: string[] = [];
    for (const offerId of offerIds) {
      const offer = this.get(offerId);
      if (!offer || offer.frameworkId !== frameworkId) {
        unknown.push(offerId);
        continue;
      }
      this.release(offer, filterMs);
      this.counters.offersDeclined++;
      out.events.push({ type: 'offer.declined', atMs: this.#owners.nowMs, offerId, frameworkId, agentId: offer.agentId, filterMs });
    }
    return unknown;
  }

  /** Removes accepted offers: their resources now belong to the accept, which gives back what it does not use. */
  accept(offers: readonly Offer[]): void {
    for (const offer of offers) this.#remove(this.#slotOfOffer(offer));
    this.counters.offersAccepted += offers.length;
  }

  /** What an accept left unused goes back to the agent, behind the accept's filter. */
  returnUnused(client: Client, agent: Agent, resources: ResourceSet, filterMs: number): void {
    this.#owners.giveBack(client, agent, resources, filterMs);
  }

  // Slots -----------------------------------------------------------------------------

  #chargeLedger(slot: number, sign: 1 | -1): void {
    const ledgers = this.#ledgers!;
    const stride = this.#scalars.stride;
    ledgers.chargeParts(ledgers.offered, this.#agentIndex[slot], this.#scalars.buffer, slot * stride, this.#reserved[slot], sign);
  }

  #slotOfOffer(offer: Offer): number {
    const slot = this.slotOf(offer.id);
    if (slot === NONE) throw new Error(`offer ${offer.id} is not outstanding`);
    return slot;
  }

  #newSlot(): number {
    const free = this.#freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.#capacity;
    if (slot === this.#seq.length) this.#grow(Math.max(64, slot * 2));
    this.#capacity++;
    return slot;
  }

  #grow(capacity: number): void {
    const seq = new Float64Array(capacity);
    seq.set(this.#seq);
    this.#seq = seq;
    const agentIndex = new Int32Array(capacity);
    agentIndex.set(this.#agentIndex);
    this.#agentIndex = agentIndex;
    const clientIndex = new Int32Array(capacity);
    clientIndex.set(this.#clientIndex);
    this.#clientIndex = clientIndex;
    const createdAtMs = new Float64Array(capacity);
    createdAtMs.set(this.#createdAtMs);
    this.#createdAtMs = createdAtMs;
    const insertion = new Float64Array(capacity);
    insertion.set(this.#insertion);
    this.#insertion = insertion;
    this.#scalars.ensureCapacity(capacity);
    this.#order.ensureCapacity(capacity);
    this.#byAgent.ensureSlots(capacity);
    this.#byClient.ensureSlots(capacity);
  }

  #link(slot: number): void {
    if (this.#ledgers) this.#chargeLedger(slot, 1);
    this.#insertion[slot] = this.#inserted++;
    this.#order.append(slot);
    this.#chainsStale = true;
  }

  /** The agent and client chains, rebuilt from the creation order if offers came or went since. */
  #chains(): { byAgent: SlotChains; byClient: SlotChains } {
    if (this.#chainsStale) {
      this.#byAgent.clear();
      this.#byClient.clear();
      for (let slot = this.#order.first; slot !== NONE; slot = this.#order.next(slot)) {
        this.#byAgent.add(this.#agentIndex[slot], slot);
        this.#byClient.add(this.#clientIndex[slot], slot);
      }
      this.#chainsStale = false;
    }
    return { byAgent: this.#byAgent, byClient: this.#byClient };
  }

  #remove(slot: number): void {
    if (this.#ledgers) this.#chargeLedger(slot, -1);
    this.#indexPending();
    const seq = this.#seq[slot];
    if (seq > 0) this.#bySeq.delete(seq);
    else this.#byCustomId.delete(this.#objects[slot]!.id);
    this.#order.remove(slot);
    if (!this.#chainsStale) {
      this.#byAgent.remove(this.#agentIndex[slot], slot);
      this.#byClient.remove(this.#clientIndex[slot], slot);
    }
    this.#objects[slot] = undefined;
    // Ports and parts stay in the slot until it is reused: they are immutable and mostly shared.
    this.#freeSlots.push(slot);
  }

  /** Slots in the order their offers were made (the index arrays are not, after swap-removes). */
  #sorted(slots: number[]): number[] {
    const insertion = this.#insertion;
    return slots.sort((a, b) => insertion[a] - insertion[b]);
  }
}

/**
 * Per key (an agent or client index), a chain of slots: the newest slot is the key's head, and
 * each slot links to its neighbours, so adding and removing touch a few array entries.
 */
class SlotChains {
  #head = new Int32Array(0);
  #next = new Int32Array(0);
  #previous = new Int32Array(0);

  ensureSlots(capacity: number): void {
    if (capacity <= this.#next.length) return;
    const next = new Int32Array(capacity);
    next.set(this.#next);
    const previous = new Int32Array(capacity);
    previous.set(this.#previous);
    this.#next = next;
    this.#previous = previous;
  }

  clear(): void {
    this.#head.fill(NONE);
  }

  add(key: number, slot: number): void {
    if (key >= this.#head.length) {
      const head = new Int32Array(Math.max(64, (key + 1) * 2)).fill(NONE);
      head.set(this.#head);
      this.#head = head;
    }
    const first = this.#head[key];
    this.#next[slot] = first;
    this.#previous[slot] = NONE;
    if (first !== NONE) this.#previous[first] = slot;
    this.#head[key] = slot;
  }

  remove(key: number, slot: number): void {
    const previous = this.#previous[slot];
    const next = this.#next[slot];
    if (previous === NONE) this.#head[key] = next;
    else this.#next[previous] = next;
    if (next !== NONE) this.#previous[next] = previous;
  }

  slots(key: number): number[] {
    const out: number[] = [];
    if (key >= this.#head.length) return out;
    for (let slot = this.#head[key]; slot !== NONE; slot = this.#next[slot]) out.push(slot);
    return out;
  }
}
