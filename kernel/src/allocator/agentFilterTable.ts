/**
 * One agent's offer filters by client: when each expires and which refused
 * set it holds (interned: most clients that declined an agent refused the
 * same resources), and the superset test a filter passes to hold.
 */
import type { Ranges } from '../resources/ranges.js';
import { containsRanges, rangesEqual } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { contains, equals } from '../resources/vector.js';

const SNAPSHOTS_MAX = 32;
/** Refused-set ids are stored in 16 bits; an agent never has more distinct live sets than clients. */
const SNAPSHOT_IDS_MAX = 0xffff;

export class AgentFilterTable {
  expiresAtMs: Float64Array;
  /** Index + 1 into snapshots; 0 = no filter. */
  snapshot: Uint16Array;
  snapshots: ResourceSet[] = [];

  constructor(capacity: number) {
    this.expiresAtMs = new Float64Array(capacity);
    this.snapshot = new Uint16Array(capacity);
  }

  grow(capacity: number): void {
    if (capacity <= this.snapshot.length) return;
    const expires = new Float64Array(capacity);
    expires.set(this.expiresAtMs);
    const snapshot = new Uint16Array(capacity);
    snapshot.set(this.snapshot);
    this.expiresAtMs = expires;
    this.snapshot = snapshot;
  }

  /** The id of an equal refused set among the latest few, or of a copy of this one. */
  intern(refused: ResourceSet): number {
    for (let i = this.snapshots.length - 1; i >= 0 && i >= this.snapshots.length - 4; i--) {
      if (sameResourceSet(this.snapshots[i], refused)) return i + 1;
    }
    if (this.snapshots.length >= SNAPSHOTS_MAX) this.compact();
    if (this.snapshots.length >= SNAPSHOT_IDS_MAX) throw new Error('offer filters: more distinct refused sets on one agent than ids');
    // A copy: callers may pass vectors they reuse (an offer's pooled slot).
    this.snapshots.push({
      scalars: refused.scalars.slice(),
      ports: refused.ports,
      reserved: refused.reserved.map((part) => ({ ...part, scalars: part.scalars.slice() })),
    });
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

/** The superset test: the refused resources contain what would be offered now. */
export function refusedCovers(refused: ResourceSet, scalars: Float64Array, ports: Ranges, reserved: readonly ReservedPart[]): boolean {
  if (!contains(refused.scalars, scalars) || !containsRanges(refused.ports, ports)) return false;
  for (const part of reserved) {
    const match = refused.reserved.find((candidate) => candidate.key === part.key);
    if (!match || !contains(match.scalars, part.scalars) || !containsRanges(match.ports, part.ports)) return false;
  }
  return true;
}
