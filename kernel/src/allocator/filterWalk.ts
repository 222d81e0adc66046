/**
 * Offer filters as one agent's walk sees them: a bit test first, then the
 * superset test once per (agent, refused set) for what is offerable now,
 * memoized for the rest of the walk (clients that declined the same
 * resources share one refused set). `begin` starts a new memo for each
 * (agent, role) because what is offerable differs by role. When the caller
 * knows that every refused set on the agent covers what is offerable (the
 * filters checked it against the agent's free resources at install, and
 * nothing changed since), a filter holds wherever its bit is set, and the
 * walk reads no per-agent table at all.
 */
import type { Offerable } from './offerable.js';
import type { OfferFilters } from './offerFilters.js';
import { refusedCovers } from './agentFilterTable.js';

const UNKNOWN = 0;
const COVERS = 1;
const DOES_NOT_COVER = 2;

export class FilterWalk {
  readonly #filters: OfferFilters;
  readonly #offerable: Offerable;
  #agentIndex = -1;
  /** Every refused set on the agent covers what is offerable: the bit alone decides. */
  #everyRefusedSetCovers = false;
  /** Verdict per refused-set id, valid where `#memoWalk` equals the current walk number. */
  #memo = new Uint8Array(64);
  #memoWalk = new Int32Array(64);
  #walk = 0;

  /** `offerable` is the walk's scratch: `begin` is called each time it holds a new agent's or role's resources. */
  constructor(filters: OfferFilters, offerable: Offerable) {
    this.#filters = filters;
    this.#offerable = offerable;
  }

  /** `everyRefusedSetCovers`: the caller knows every refused set on the agent covers what is offerable. */
  begin(agentIndex: number, everyRefusedSetCovers: boolean): void {
    this.#agentIndex = agentIndex;
    this.#everyRefusedSetCovers = everyRefusedSetCovers;
    this.#walk = (this.#walk + 1) | 0;
    if (this.#walk === 0) {
      // After 2^32 walks the numbers come round again: forget every old verdict.
      this.#memoWalk.fill(0);
      this.#walk = 1;
    }
  }

  /** The expiry of the client's filter when it holds against the offerable resources, else 0. */
  heldUntil(clientIndex: number): number {
    return this.holds(clientIndex) ? this.#filters.expiresAtMs(this.#agentIndex, clientIndex) : 0;
  }

  /** Whether the client's filter holds against the offerable resources (its expiry is not read). */
  holds(clientIndex: number): boolean {
    const filters = this.#filters;
    const agentIndex = this.#agentIndex;
    if (!filters.mayBeFiltered(agentIndex, clientIndex)) return false;
    return this.#everyRefusedSetCovers || this.#covers(filters.snapshotId(agentIndex, clientIndex));
  }

  /** The expiry of a filter that `holds`. */
  expiresAtMs(agentIndex: number, clientIndex: number): number {
    return this.#filters.expiresAtMs(agentIndex, clientIndex);
  }

  /** Whether the agent's filter row is exactly `mask` (a row of client bits). */
  rowIsActiveMask(agentIndex: number, mask: Int32Array): boolean {
    const filters = this.#filters;
    const words = filters.words;
    const bits = filters.bits;
    if (bits.length < (agentIndex + 1) * words) {
      for (let word = 0; word < words; word++) if (mask[word] !== 0) return false;
      return true;
    }
    const row = agentIndex * words;
    for (let word = 0; word < words; word++) if (bits[row + word] !== mask[word]) return false;
    return true;
  }

  /** Whether every refused set interned on the agent covers what `offerable` holds. */
  everyRefusedSetCovers(agentIndex: number, offerable: Offerable): boolean {
    for (const refused of this.#filters.snapshots(agentIndex)) {
      if (!refusedCovers(refused, offerable.scalars, offerable.ports, offerable.reserved)) return false;
    }
    return true;
  }

  #covers(id: number): boolean {
    if (id >= this.#memo.length) {
      let size = this.#memo.length;
      while (size <= id) size *= 2;
      const memo = new Uint8Array(size);
      memo.set(this.#memo);
      const walks = new Int32Array(size);
      walks.set(this.#memoWalk);
      this.#memo = memo;
      this.#memoWalk = walks;
    }
    if (this.#memoWalk[id] !== this.#walk) {
      this.#memoWalk[id] = this.#walk;
      this.#memo[id] = UNKNOWN;
    }
    if (this.#memo[id] === UNKNOWN) {
      const offerable = this.#offerable;
      const refused = this.#filters.snapshots(this.#agentIndex)[id - 1];
      this.#memo[id] = refusedCovers(refused, offerable.scalars, offerable.ports, offerable.reserved) ? COVERS : DOES_NOT_COVER;
    }
    return this.#memo[id] === COVERS;
  }
}
