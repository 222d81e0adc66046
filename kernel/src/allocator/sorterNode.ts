/**
 * A node of a Sorter's tree: a client leaf, an inner node of a role path, or
 * the virtual leaf "path/." of a client whose path also has children. Its DRF
 * keys (share, count, rank, weight) live in the sorter's SorterKeys by `id`,
 * where order lists read them; the properties here read and write them there.
 */
import type { OrderList } from './orderList.js';
import type { SorterKeys } from './sorterKeys.js';

export class SorterNode<T> {
  active = false;
  #view: Float64Array | null = null;
  #viewGeneration = -1;
  /** Inner nodes: the listed children (inner nodes and active leaves) in DRF order. */
  children: OrderList | null = null;
  /** Inner nodes: every child, listed or not, in name order (the source of their ranks). */
  byName: SorterNode<T>[] | null = null;
  /** A client whose path also has child clients lives in a virtual leaf child "path/.". */
  virtualLeaf: SorterNode<T> | null = null;

  constructor(
    readonly id: number,
    readonly keys: SorterKeys,
    /** Changes once at most: when a leaf becomes the virtual leaf "path/." of a new inner node. */
    public name: string,
    public parent: SorterNode<T> | null,
    public payload: T | undefined,
    readonly isLeaf: boolean,
  ) {}

  /** The node's allocation: a view of its slots in the sorter's allocation array (writes go there). */
  get allocation(): Float64Array {
    const keys = this.keys;
    if (this.#viewGeneration !== keys.generation) {
      this.#view = keys.allocation.subarray(this.id * keys.size, (this.id + 1) * keys.size);
      this.#viewGeneration = keys.generation;
    }
    return this.#view!;
  }

  /** Weighted dominant share. */
  get share(): number {
    return this.keys.share[this.id];
  }

  set share(share: number) {
    this.keys.share[this.id] = share;
  }

  /** Allocations so far in this subtree: the first tie-breaker after share. */
  get count(): number {
    return this.keys.count[this.id];
  }

  set count(count: number) {
    this.keys.count[this.id] = count;
  }

  /** Position among the siblings in name order: the last tie-breaker, as a number. */
  get rank(): number {
    return this.keys.rank[this.id];
  }

  set rank(rank: number) {
    this.keys.rank[this.id] = rank;
  }

  /** The weight of the node's path, cached so that an update does no string work. */
  get weight(): number {
    return this.keys.weight[this.id];
  }

  set weight(weight: number) {
    this.keys.weight[this.id] = weight;
  }
}

/** DRF order of two nodes: share, then allocation count, then name (rank). */
export function compareNodes<T>(a: SorterNode<T>, b: SorterNode<T>): number {
  if (a.share !== b.share) return a.share < b.share ? -1 : 1;
  if (a.count !== b.count) return a.count - b.count;
  return a.rank - b.rank;
}

/** Puts a node among its parent's children in name order and renumbers the ranks after it. */
export function enterByName<T>(parent: SorterNode<T>, node: SorterNode<T>): void {
  const byName = parent.byName!;
  let low = 0;
  let high = byName.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (byName[middle].name < node.name) low = middle + 1;
    else high = middle;
  }
  byName.splice(low, 0, node);
  // Renumbering keeps the relative order of the siblings already listed, so no order list needs re-sorting.
  for (let i = low; i < byName.length; i++) byName[i].rank = i;
}

export function leaveByName<T>(parent: SorterNode<T>, node: SorterNode<T>): void {
  const byName = parent.byName!;
  const index = byName.indexOf(node);
  if (index >= 0) byName.splice(index, 1);
}

/** Replaces a sibling by another of the same name, in the same place (a leaf becoming an inner node). */
export function replaceByName<T>(parent: SorterNode<T>, before: SorterNode<T>, after: SorterNode<T>): void {
  const byName = parent.byName!;
  const index = byName.indexOf(before);
  if (index < 0) throw new Error(`sorter: ${before.name} is not a child of ${parent.name}`);
  byName[index] = after;
  after.rank = before.rank;
}
