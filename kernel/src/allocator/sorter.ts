/**
 * The client sorter of hierarchical DRF (Mesos `sorter/drf/sorter.cpp`), with the
 * seeded random sorter Mesos also ships as the alternative policy.
 * Clients are paths ("eng/web"); an inner node's allocation is its subtree's sum;
 * children are ordered per level by (share, allocation count, name) and the
 * sorter yields active leaves in pre-order. Sorting is incremental: a change
 * re-positions only the nodes on one path, and allocates nothing. Name ties are
 * broken by `rank`, each node's position among its siblings in name order, so
 * that the hot comparator compares numbers, never strings. Inactive leaves are
 * in no order list. Invariant (`check`): every active leaf and every inner
 * node is in its parent's order list exactly once, and every list is sorted.
 */
import type { Prng } from '../prng.js';
import { SCALAR_EPSILON } from '../resources/vector.js';
import { OrderList } from './orderList.js';
import { SorterKeys } from './sorterKeys.js';
import { checkSorterTree } from './sorterCheck.js';
import { preOrder, randomOrder } from './sorterOrder.js';
import { enterByName, leaveByName, replaceByName, SorterNode } from './sorterNode.js';

export type SorterKind = 'drf' | 'random';

/** Active leaves in order, as node ids in blocks: two nested loops, valid until the sorter changes. */
export interface SorterOrder {
  readonly blocks: readonly Int32Array[];
  readonly sizes: Int32Array;
  readonly blockCount: number;
}

export { SorterNode } from './sorterNode.js';

export class Sorter<T> {
  readonly kind: SorterKind;
  readonly #size: number;
  readonly #root: SorterNode<T>;
  readonly #nodes = new Map<string, SorterNode<T>>();
  readonly #leaves = new Map<string, SorterNode<T>>();
  readonly #weights = new Map<string, number>();
  readonly #total: Float64Array;
  readonly #excluded: Uint8Array;
  readonly #prng: Prng | null;
  /** Assertions where state changes (see `check`); the cheap ones run on every update when set. */
  readonly #checks: boolean;
  readonly #keys: SorterKeys;
  readonly #byId: SorterNode<T>[] = [];
  /** The order of a non-flat or random sorter, flattened into one block. */
  #flatOrder = new Int32Array(16);
  readonly #flatView: { blocks: Int32Array[]; sizes: Int32Array; blockCount: number } = {
    blocks: [this.#flatOrder],
    sizes: new Int32Array(1),
    blockCount: 1,
  };
  #flatDirty = true;
  /** True while every client is a direct child of the root, so the root's blocks are the order. */
  #flat = true;

  constructor(kind: SorterKind, size: number, excluded: Uint8Array, prng: Prng | null, checks = true) {
    if (kind === 'random' && !prng) throw new Error('the random sorter needs a prng');
    this.kind = kind;
    this.#checks = checks;
    this.#size = size;
    this.#excluded = excluded;
    this.#prng = prng;
    this.#total = new Float64Array(size);
    this.#keys = new SorterKeys(size);
    this.#root = this.#newNode('', null, undefined, false);
    this.#root.children = new OrderList(this.#keys);
    this.#root.byName = [];
  }

  get size(): number {
    return this.#leaves.size;
  }

  has(client: string): boolean {
    return this.#leaves.has(client);
  }

  client(name: string): SorterNode<T> | undefined {
    return this.#leaves.get(name);
  }

  /** Adds an inactive client. */
  add(client: string, payload: T): SorterNode<T> {
    if (this.#leaves.has(client)) throw new Error(`sorter: client "${client}" already added`);
    const parts = client.split('/');
    let parent = this.#root;
    for (let i = 0; i < parts.length - 1; i++) parent = this.#innerNode(parent, parts.slice(0, i + 1).join('/'));
    const existing = this.#nodes.get(client);
    let leaf: SorterNode<T>;
    if (existing?.children) {
      leaf = this.#newNode(`${client}/.`, existing, payload, true);
      existing.virtualLeaf = leaf;
    } else {
      leaf = this.#newNode(client, parent, payload, true);
      this.#nodes.set(client, leaf);
    }
    enterByName(leaf.parent!, leaf);
    leaf.weight = this.weight(client);
    leaf.share = this.#shareOf(leaf);
    this.#leaves.set(client, leaf);
    this.#flatDirty = true;
    return leaf;
  }

  remove(client: string): void {
    const leaf = this.#leaf(client);
    if (leaf.active) this.deactivate(client);
    this.unallocate(client, leaf.allocation.slice());
    this.#leaves.delete(client);
    leaveByName(leaf.parent!, leaf);
    if (leaf.parent && leaf.parent.virtualLeaf === leaf) leaf.parent.virtualLeaf = null;
    else this.#nodes.delete(client);
    this.#flatDirty = true;
  }

  activate(client: string): void {
    const leaf = this.#leaf(client);
    if (leaf.active) return;
    // An inactive leaf is in no order list, so a new total or weight has not reached its share yet.
    leaf.weight = this.weight(this.#pathOf(leaf));
    leaf.share = this.#shareOf(leaf);
    leaf.active = true;
    leaf.parent!.children!.insert(leaf.id);
    this.#flatDirty = true;
  }

  deactivate(client: string): void {
    const leaf = this.#leaf(client);
    if (!leaf.active) return;
    leaf.parent!.children!.remove(leaf.id);
    leaf.active = false;
    this.#flatDirty = true;
  }

  isActive(client: string): boolean {
    return this.#leaves.get(client)?.active ?? false;
  }

  /** Weight of a path (a role, inner or leaf); default 1. */
  setWeight(path: string, weight: number): void {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new Error(`sorter: weight must be > 0, got ${weight}`);
    this.#weights.set(path, weight);
    this.#recomputeAll();
  }

  weight(path: string): number {
    return this.#weights.get(path) ?? 1;
  }

  setTotal(total: Float64Array): void {
    this.#total.set(total);
    this.#recomputeAll();
  }

  get total(): Float64Array {
    return this.#total;
  }

  /**
   * Adds to a client's allocation and re-positions it. `blockHint` and `positionHint`: where
   * the caller read the client in `order()` since the last change (spares a search), or -1.
   */
  allocate(node: SorterNode<T>, scalars: Float64Array, blockHint = -1, positionHint = -1): void {
    this.#update(node, scalars, +1, blockHint, positionHint);
  }

  unallocate(client: string | SorterNode<T>, scalars: Float64Array): void {
    this.#update(typeof client === 'string' ? this.#leaf(client) : client, scalars, -1);
  }

  /**
   * The active leaves in order, as blocks of node ids (see `node`). The result is live: it is
   * valid until the next change to this sorter. A random sorter draws a new order on every call.
   */
  order(): SorterOrder {
    if (this.kind === 'random')
      return this.#flatten(
        randomOrder(
          this.#root,
          (id) => this.#byId[id],
          this.#prng!,
          (node) => this.weight(this.#pathOf(node)),
        ),
      );
    if (this.#flat) return this.#root.children!;
    if (this.#flatDirty) {
      this.#flatten(preOrder(this.#root, (id) => this.#byId[id]));
      this.#flatDirty = false;
    }
    return this.#flatView;
  }

  /** The node of an id from `order`. */
  node(id: number): SorterNode<T> {
    return this.#byId[id];
  }

  /** The active leaves in order, as node arrays: for inspection, not for hot loops. */
  orderedBlocks(): SorterNode<T>[][] {
    const order = this.order();
    const out: SorterNode<T>[][] = [];
    for (let b = 0; b < order.blockCount; b++) out.push(Array.from(order.blocks[b].subarray(0, order.sizes[b]), (id) => this.#byId[id]));
    return out;
  }

  /** The active leaves in order, copied: for inspection, not for hot loops. */
  sort(): SorterNode<T>[] {
    return this.orderedBlocks().flat();
  }

  #flatten(ids: number[]): SorterOrder {
    if (this.#flatOrder.length < ids.length) {
      this.#flatOrder = new Int32Array(ids.length * 2);
      this.#flatView.blocks[0] = this.#flatOrder;
    }
    this.#flatOrder.set(ids);
    this.#flatView.sizes[0] = ids.length;
    return this.#flatView;
  }

  #newNode(name: string, parent: SorterNode<T> | null, payload: T | undefined, isLeaf: boolean): SorterNode<T> {
    const node = new SorterNode<T>(this.#keys.allocate(), this.#keys, name, parent, payload, isLeaf);
    this.#byId[node.id] = node;
    return node;
  }

  #leaf(client: string): SorterNode<T> {
    const leaf = this.#leaves.get(client);
    if (!leaf) throw new Error(`sorter: unknown client "${client}"`);
    return leaf;
  }

  #innerNode(parent: SorterNode<T>, path: string): SorterNode<T> {
    const node = this.#nodes.get(path);
    if (node?.children) return node;
    this.#flat = false;
    const inner = this.#newNode(path, parent, undefined, false);
    inner.children = new OrderList(this.#keys);
    inner.byName = [];
    inner.weight = this.weight(path);
    if (node) {
      // An existing leaf client at this path becomes the virtual leaf child "path/.". It stays the
      // same object: callers hold on to the node `add` returned (the allocator's roles do).
      const wasActive = node.active;
      if (wasActive) parent.children!.remove(node.id);
      replaceByName(parent, node, inner);
      node.name = `${path}/.`;
      node.parent = inner;
      enterByName(inner, node);
      inner.virtualLeaf = node;
      inner.allocation.set(node.allocation);
      inner.count = node.count;
      if (wasActive) inner.children.insert(node.id);
    } else enterByName(parent, inner);
    inner.share = this.#shareOf(inner);
    parent.children!.insert(inner.id);
    this.#nodes.set(path, inner);
    return inner;
  }

  #shareOf(node: SorterNode<T>): number {
    return this.#dominantShareAt(this.#keys.allocation, node.id * this.#size, node.weight);
  }

  /** `dominantShare` of the vector at `allocation[at..]`, the same arithmetic in the same order. */
  #dominantShareAt(allocation: Float64Array, at: number, weight: number): number {
    const total = this.#total;
    const excluded = this.#excluded;
    let share = 0;
    for (let i = 0; i < this.#size; i++) {
      if (excluded[i] !== 0 || total[i] <= 0) continue;
      const fraction = allocation[at + i] / total[i];
      if (fraction > share) share = fraction;
    }
    return share / weight;
  }

  #pathOf(node: SorterNode<T>): string {
    return node.name.endsWith('/.') ? node.name.slice(0, -2) : node.name;
  }

  /**
   * Walks the path from the leaf up: each listed node leaves its parent's order, changes, and
   * goes back in. A node alone in its list stays where it is (a sorter of one role does no work).
   */
  #update(leaf: SorterNode<T>, scalars: Float64Array, sign: 1 | -1, blockHint = -1, positionHint = -1): void {
    const ordered = this.kind === 'drf';
    const keys = this.#keys;
    // The hint is the leaf's place in the order the caller read: its own list's only when the sorter is flat.
    const hinted = this.#flat && leaf.parent === this.#root;
    for (let node: SorterNode<T> = leaf; node !== this.#root; node = node.parent!) {
      const list = node.parent!.children!;
      const id = node.id;
      const moves = ordered && (!node.isLeaf || node.active) && list.size > 1;
      if (moves) {
        if (hinted && node === leaf) list.remove(id, blockHint, positionHint);
        else list.remove(id);
      }
      const allocation = keys.allocation;
      const at = id * this.#size;
      if (sign > 0) {
        for (let i = 0; i < this.#size; i++) allocation[at + i] = allocation[at + i] + scalars[i];
        keys.count[id]++;
      } else subtractAllocation(node, allocation, at, scalars, this.#checks);
      keys.share[id] = this.#dominantShareAt(allocation, at, keys.weight[id]);
      if (moves) list.insert(id);
    }
    this.#flatDirty = true;
  }

  /**
   * Asserts the sorter's structure: every listed node (inner nodes, active leaves) is in its
   * parent's order list exactly once and no other node is, every list is sorted, ranks follow
   * names, and no allocation is negative. O(nodes): for tests, the simulator and checked masters.
   */
  check(): void {
    checkSorterTree(this.#root, (id) => this.#byId[id], this.kind === 'drf');
  }

  #recomputeAll(): void {
    const visit = (node: SorterNode<T>): void => {
      if (!node.children) return;
      for (const id of node.children.toArray()) {
        const child = this.#byId[id];
        child.weight = this.weight(this.#pathOf(child));
        child.share = this.#shareOf(child);
        visit(child);
      }
      node.children.rebuild();
    };
    visit(this.#root);
    this.#flatDirty = true;
  }
}

/** allocation -= scalars, clamping float noise at zero; with checks, a real negative is a bug. */
function subtractAllocation<T>(node: SorterNode<T>, allocation: Float64Array, at: number, scalars: Float64Array, checks: boolean): void {
  for (let i = 0; i < scalars.length; i++) {
    const value = allocation[at + i] - scalars[i];
    if (checks && value < -SCALAR_EPSILON)
      throw new Error(`sorter: ${node.name} would hold ${value} in slot ${i} (unallocating more than allocated)`);
    allocation[at + i] = value > SCALAR_EPSILON ? value : 0;
  }
}
