/**
 * Outstanding offers: resources of one agent set aside for one framework in one
 * role. Invariant: a resource is in at most one outstanding offer, and the
 * agent's free resources exclude every outstanding offer.
 */
import type { ResourceSet } from '../resources/resourceSet.js';

export interface Offer {
  readonly id: string;
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  /** What a scheduler needs for placement, as Mesos offers carry them. */
  readonly hostname: string;
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly agentIndex: number;
  readonly clientIndex: number;
  readonly resources: ResourceSet;
  readonly createdAtMs: number;
}

export class OfferBook {
  readonly #offers = new Map<string, Offer>();
  readonly #byFramework = new Map<string, Set<string>>();
  readonly #byAgent = new Map<string, Set<string>>();
  #nextId = 1;
  readonly #prefix: string;

  /** Ids are `${prefix}${n}`: a failed-over master uses a new prefix so no id is ever reused. */
  constructor(prefix = 'O') {
    this.#prefix = prefix;
  }

  get size(): number {
    return this.#offers.size;
  }

  nextId(): string {
    return `${this.#prefix}${this.#nextId++}`;
  }

  add(offer: Offer): void {
    this.#offers.set(offer.id, offer);
    indexAdd(this.#byFramework, offer.frameworkId, offer.id);
    indexAdd(this.#byAgent, offer.agentId, offer.id);
  }

  get(offerId: string): Offer | undefined {
    return this.#offers.get(offerId);
  }

  remove(offerId: string): Offer | undefined {
    const offer = this.#offers.get(offerId);
    if (!offer) return undefined;
    this.#offers.delete(offerId);
    this.#byFramework.get(offer.frameworkId)?.delete(offerId);
    this.#byAgent.get(offer.agentId)?.delete(offerId);
    return offer;
  }

  ofFramework(frameworkId: string): Offer[] {
    return [...(this.#byFramework.get(frameworkId) ?? [])].map((id) => this.#offers.get(id)!);
  }

  ofAgent(agentId: string): Offer[] {
    return [...(this.#byAgent.get(agentId) ?? [])].map((id) => this.#offers.get(id)!);
  }

  all(): IterableIterator<Offer> {
    return this.#offers.values();
  }
}

function indexAdd(index: Map<string, Set<string>>, key: string, offerId: string): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(offerId);
}
