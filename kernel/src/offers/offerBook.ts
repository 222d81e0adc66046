/**
 * Outstanding offers, kept compactly: per offer a slot (OfferSlots) holding
 * its sequence number, agent and client index, creation time and scalars in
 * one typed-array record, and its ports and reserved parts by reference. Offer
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
import type { Offer } from './offer.js';
import { OfferSlots, SLOT_AGENT, SLOT_CLIENT, SLOT_CREATED_AT_MS, SLOT_SCALARS, SLOT_SEQ } from './offerSlots.js';
import { OfferIds } from './offerIds.js';
import { SlotChains } from './slotChains.js';

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
  readonly #ids: OfferIds;
  #nextSeq = 1;
  readonly #slots: OfferSlots;

  /** Per agent index, the scalars of its latest offer made into an object: equal offers share one immutable vector. */
  readonly #lastScalars: (Float64Array | undefined)[] = [];

  readonly #byAgent = new SlotChains();
  readonly #byClient = new SlotChains();
  /** The chains miss offers made or removed since they were built. */
  #chainsStale = false;

  readonly #ledgers: AgentLedgers | null;

  /**
   * Ids are `${prefix}${n}`: a failed-over master uses a new prefix so no id is ever reused.
   * With `ledgers` (a checked master), the book keeps what each agent has on offer there.
   */
  constructor(owners: OfferOwners, stride: number, prefix = 'O', ledgers: AgentLedgers | null = null) {
    this.#owners = owners;
    this.#ids = new OfferIds(prefix);
    this.#slots = new OfferSlots(stride);
    this.#ledgers = ledgers;
  }

  get size(): number {
    return this.#slots.live;
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
    const slots = this.#slots;
    const slot = slots.open();
    const seq = this.#nextSeq++;
    const records = slots.records;
    const at = slot * slots.stride;
    records[at + SLOT_SEQ] = seq;
    records[at + SLOT_AGENT] = agentIndex;
    records[at + SLOT_CLIENT] = client.index;
    records[at + SLOT_CREATED_AT_MS] = nowMs;
    for (let i = 0; i < slots.size; i++) records[at + SLOT_SCALARS + i] = scalars[i];
    // Pointer stores only when the value changes: most offers reuse a slot's interned ports and no parts.
    if (slots.ports[slot] !== ports) slots.ports[slot] = ports;
    if (slots.reserved[slot] !== reserved) slots.reserved[slot] = reserved;
    this.#ids.recorded(seq, slot);
    this.#linked(slot);
    this.counters.offersMade++;
    return slot;
  }

  /** Adds a ready-made offer with any id (tests forge offers this way to check the invariant checkers). */
  add(offer: Offer): void {
    const slots = this.#slots;
    const slot = slots.open();
    const at = slot * slots.stride;
    slots.records[at + SLOT_SEQ] = 0;
    slots.records[at + SLOT_AGENT] = offer.agentIndex;
    slots.records[at + SLOT_CLIENT] = offer.clientIndex;
    slots.records[at + SLOT_CREATED_AT_MS] = offer.createdAtMs;
    slots.records.set(offer.resources.scalars, at + SLOT_SCALARS);
    slots.ports[slot] = offer.resources.ports;
    slots.reserved[slot] = offer.resources.reserved;
    slots.objects[slot] = offer;
    this.#ids.addCustom(offer.id, slot);
    this.#linked(slot);
  }

  /** The slot of an outstanding offer, or -1. */
  slotOf(offerId: string): number {
    return this.#ids.slotOf(offerId);
  }

  get(offerId: string): Offer | undefined {
    const slot = this.slotOf(offerId);
    return slot === NONE ? undefined : this.offerAt(slot);
  }

  /** The offer in a slot, made into an object on first read (and kept, so that every reader sees the same one). */
  offerAt(slot: number): Offer {
    const slots = this.#slots;
    const made = slots.objects[slot];
    if (made) return made;
    const owners = this.#owners;
    const agentIndex = slots.field(slot, SLOT_AGENT);
    const clientIndex = slots.field(slot, SLOT_CLIENT);
    const client = owners.client(clientIndex);
    const agent = owners.agent(agentIndex);
    const offer: Offer = {
      id: this.#ids.idOf(slots.field(slot, SLOT_SEQ)),
      frameworkId: client.frameworkId,
      role: client.role.name,
      agentId: agent.id,
      hostname: agent.hostname,
      attributes: agent.attributes,
      agentIndex,
      clientIndex,
      resources: { scalars: this.#sharedScalars(slot, agentIndex), ports: slots.ports[slot], reserved: slots.reserved[slot] },
      createdAtMs: slots.field(slot, SLOT_CREATED_AT_MS),
    };
    slots.objects[slot] = offer;
    return offer;
  }

  /**
   * The slot's scalars as an immutable vector: the one made for the agent's previous offer when
   * equal (an agent offered again and again offers the same free resources), else a new copy.
   */
  #sharedScalars(slot: number, agentIndex: number): Float64Array {
    const slots = this.#slots;
    const records = slots.records;
    const at = slot * slots.stride + SLOT_SCALARS;
    const last = this.#lastScalars[agentIndex];
    if (last) {
      let same = true;
      for (let i = 0; i < slots.size; i++) if (last[i] !== records[at + i]) same = false;
      if (same) return last;
    }
    const copy = records.slice(at, at + slots.size);
    this.#lastScalars[agentIndex] = copy;
    return copy;
  }

  /** Every outstanding offer, oldest first. */
  *all(): IterableIterator<Offer> {
    for (let slot = this.#slots.first; slot !== NONE; ) {
      const next = this.#slots.next(slot);
      yield this.offerAt(slot);
      slot = next;
    }
  }

  /** Outstanding offers of one agent, oldest first. */
  ofAgent(agentId: string): Offer[] {
    const index = this.#owners.agentIndexOf(agentId);
    return index < 0 ? [] : this.#slots.sorted(this.#chains().byAgent.slots(index)).map((slot) => this.offerAt(slot));
  }

  /** Outstanding offers of one framework (all its roles), oldest first. */
  ofFramework(frameworkId: string): Offer[] {
    const slots: number[] = [];
    const { byClient } = this.#chains();
    for (const index of this.#owners.clientIndicesOf(frameworkId)) slots.push(...byClient.slots(index));
    return this.#slots.sorted(slots).map((slot) => this.offerAt(slot));
  }

  /** Makes objects of an agent's offers now, e.g. before its attributes change (an offer shows them as they were). */
  materializeAgent(agentIndex: number): void {
    for (const slot of this.#chains().byAgent.slots(agentIndex)) this.offerAt(slot);
  }

  /** When the earliest outstanding offer was made (Infinity when there is none). */
  earliestCreatedAtMs(): number {
    let earliest = Infinity;
    const slots = this.#slots;
    for (let slot = slots.first; slot !== NONE; slot = slots.next(slot))
      earliest = Math.min(earliest, slots.field(slot, SLOT_CREATED_AT_MS));
    return earliest;
  }

  /** Rescinds the offers older than `timeoutMs` (Mesos's --offer_timeout), oldest first. */
  rescindExpired(timeoutMs: number, out: OfferOutput): void {
    const nowMs = this.#owners.nowMs;
    const due: Offer[] = [];
    const slots = this.#slots;
    for (let slot = slots.first; slot !== NONE; slot = slots.next(slot)) {
      if (slots.field(slot, SLOT_CREATED_AT_MS) + timeoutMs <= nowMs) due.push(this.offerAt(slot));
    }
    for (const offer of due) this.rescind(offer, 'offer_timeout', out);
  }

  // Lifecycle: the book gives resources back itself -----------------------------------

  /** Removes an offer and gives its resources back (a filter when filterMs > 0). */
  release(offer: Offer, filterMs: number): void {
    const slot = this.#slotOfOffer(offer);
    const owners = this.#owners;
    const resources = this.offerAt(slot).resources;
    const client = owners.client(this.#slots.field(slot, SLOT_CLIENT));
    const agent = owners.agent(this.#slots.field(slot, SLOT_AGENT));
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
    const slots = this.#slots;
    const at = slot * slots.stride;
    ledgers.chargeParts(ledgers.offered, slots.records[at + SLOT_AGENT], slots.records, at + SLOT_SCALARS, slots.reserved[slot], sign);
  }

  #slotOfOffer(offer: Offer): number {
    const slot = this.slotOf(offer.id);
    if (slot === NONE) throw new Error(`offer ${offer.id} is not outstanding`);
    return slot;
  }

  /** A slot was just opened and filled. */
  #linked(slot: number): void {
    if (this.#ledgers) this.#chargeLedger(slot, 1);
    this.#chainsStale = true;
  }

  /** The agent and client chains, rebuilt from the creation order if offers came or went since. */
  #chains(): { byAgent: SlotChains; byClient: SlotChains } {
    if (this.#chainsStale) {
      this.#byAgent.clear();
      this.#byClient.clear();
      const slots = this.#slots;
      this.#byAgent.ensureSlots(slots.records.length / slots.stride);
      this.#byClient.ensureSlots(slots.records.length / slots.stride);
      for (let slot = slots.first; slot !== NONE; slot = slots.next(slot)) {
        this.#byAgent.add(slots.field(slot, SLOT_AGENT), slot);
        this.#byClient.add(slots.field(slot, SLOT_CLIENT), slot);
      }
      this.#chainsStale = false;
    }
    return { byAgent: this.#byAgent, byClient: this.#byClient };
  }

  #remove(slot: number): void {
    if (this.#ledgers) this.#chargeLedger(slot, -1);
    const slots = this.#slots;
    const seq = slots.field(slot, SLOT_SEQ);
    this.#ids.removed(seq, seq > 0 ? undefined : slots.objects[slot]!.id);
    if (!this.#chainsStale) {
      this.#byAgent.remove(slots.field(slot, SLOT_AGENT), slot);
      this.#byClient.remove(slots.field(slot, SLOT_CLIENT), slot);
    }
    slots.close(slot);
  }
}
