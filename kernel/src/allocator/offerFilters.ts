/**
 * Offer filters (refused resources): per (client, agent), what was refused and
 * until when. A filter holds while it has not expired and the refused
 * resources contain what would be offered now (the superset test), so an agent
 * that gained free resources is offered again. Storage is one dense table per
 * agent that has filters, indexed by client; refused sets are interned per
 * agent because most of them are equal. Clearing a client's filters everywhere
 * is O(1): it bumps the client's epoch, and older entries stop counting.
 */
import type { Ranges } from '../resources/ranges.js';
import { containsRanges, rangesEqual } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { contains, equals } from '../resources/vector.js';

const SNAPSHOTS_MAX = 32;

class AgentFilterTable {
  expiresAtMs: Float64Array;
  epoch: Int32Array;
  /** Index + 1 into snapshots; 0 = no filter. */
  snapshot: Int32Array;
  snapshots: ResourceSet[] = [];

  constructor(capacity: number) {
    this.expiresAtMs = new Float64Array(capacity);
    this.epoch = new Int32Array(capacity);
    this.snapshot = new Int32Array(capacity);
  }

  grow(capacity: number): void {
    if (capacity <= this.snapshot.length) return;
    const expires = new Float64Array(capacity);
    expires.set(this.expiresAtMs);
    const epoch = new Int32Array(capacity);
    epoch.set(this.epoch);
    const snapshot = new Int32Array(capacity);
    snapshot.set(this.snapshot);
    this.expiresAtMs = expires;
    this.epoch = epoch;
    this.snapshot = snapshot;
  }

  intern(refused: ResourceSet): number {
    for (let i = this.snapshots.length - 1; i >= 0 && i >= this.snapshots.length - 4; i--) {
      if (sameResourceSet(this.snapshots[i], refused)) return i + 1;
    }
    if (this.snapshots.length >= SNAPSHOTS_MAX) this.compact();
    this.snapshots.push(refused);
    return this.snapshots.length;
  }

  /** Drops snapshots no entry points to, renumbering the rest. */
  compact(): void {
    const remap = new Int32Array(this.snapshots.length + 1);
    const kept: ResourceSet[] = [];
    for (let i = 0; i < this.snapshot.length; i++) {
      const id = this.snapshot[i];
      if (id === 0) continue;
      if (remap[id] === 0) {
        kept.push(this.snapshots[id - 1]);
        remap[id] = kept.length;
      }
      this.snapshot[i] = remap[id];
    }
    this.snapshots = kept;
  }
}

function sameResourceSet(a: ResourceSet, b: ResourceSet): boolean {
  if (!equals(a.scalars, b.scalars) || !rangesEqual(a.ports, b.ports) || a.reserved.length !== b.reserved.length) return false;
  for (let i = 0; i < a.reserved.length; i++) {
    const x = a.reserved[i];
    const y = b.reserved[i];
    if (x.key !== y.key || !equals(x.scalars, y.scalars) || !rangesEqual(x.ports, y.ports)) return false;
  }
  return true;
}

export class OfferFilters {
  readonly #tables: (AgentFilterTable | undefined)[] = [];
  #clientEpochs = new Int32Array(16);
  #capacity = 16;

  /** Makes room for client indices below `capacity`. */
  ensureClients(capacity: number): void {
    if (capacity <= this.#capacity) return;
    let next = this.#capacity;
    while (next < capacity) next *= 2;
    const epochs = new Int32Array(next);
    epochs.set(this.#clientEpochs);
    this.#clientEpochs = epochs;
    this.#capacity = next;
    for (const table of this.#tables) table?.grow(next);
  }

  install(agentIndex: number, clientIndex: number, expiresAtMs: number, refused: ResourceSet): void {
    let table = this.#tables[agentIndex];
    if (!table) {
      table = new AgentFilterTable(this.#capacity);
      this.#tables[agentIndex] = table;
    }
    table.expiresAtMs[clientIndex] = expiresAtMs;
    table.epoch[clientIndex] = this.#clientEpochs[clientIndex];
    table.snapshot[clientIndex] = table.intern(refused);
  }

  /**
   * The expiry time of the filter that holds against what would be offered now
   * (`scalars`, `ports`, `reserved`), or 0 when no filter holds.
   */
  heldUntil(
    agentIndex: number,
    clientIndex: number,
    nowMs: number,
    scalars: Float64Array,
    ports: Ranges,
    reserved: readonly ReservedPart[],
  ): number {
    const table = this.#tables[agentIndex];
    if (!table) return 0;
    const id = table.snapshot[clientIndex];
    if (id === 0) return 0;
    const expiresAtMs = table.expiresAtMs[clientIndex];
    if (expiresAtMs <= nowMs || table.epoch[clientIndex] !== this.#clientEpochs[clientIndex]) {
      table.snapshot[clientIndex] = 0;
      return 0;
    }
    const refused = table.snapshots[id - 1];
    if (!contains(refused.scalars, scalars) || !containsRanges(refused.ports, ports)) return 0;
    for (const part of reserved) {
      const match = refused.reserved.find((candidate) => candidate.key === part.key);
      if (!match || !contains(match.scalars, part.scalars) || !containsRanges(match.ports, part.ports)) return 0;
    }
    return expiresAtMs;
  }

  /** Whether any unexpired filter is stored for the pair (inspection only). */
  expiryOf(agentIndex: number, clientIndex: number, nowMs: number): number | null {
    const table = this.#tables[agentIndex];
    if (!table || table.snapshot[clientIndex] === 0) return null;
    if (table.epoch[clientIndex] !== this.#clientEpochs[clientIndex] || table.expiresAtMs[clientIndex] <= nowMs) return null;
    return table.expiresAtMs[clientIndex];
  }

  clearClient(clientIndex: number): void {
    this.#clientEpochs[clientIndex]++;
  }

  clearAgent(agentIndex: number): void {
    this.#tables[agentIndex] = undefined;
  }
}
