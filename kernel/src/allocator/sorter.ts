/**
 * The client sorter of hierarchical DRF (Mesos `sorter/drf/sorter.cpp`), with the
 * seeded random sorter Mesos also ships as the alternative policy.
 * Clients are paths ("eng/web"); an inner node's allocation is its subtree's sum;
 * children are ordered per level by (share, allocation count, name) and the
 * sorter yields active leaves in pre-order. Sorting is incremental: a change
 * re-positions only the nodes on one path. Inactive leaves are in no order list.
 */
import type { Prng } from '../prng.js';
import { addInto, dominantShare, subtractInto } from '../resources/vector.js';
import { BlockList } from './blockList.js';

export type SorterKind = 'drf' | 'random';

export class SorterNode<T> {
  share = 0;
  /** Allocations so far in this subtree: the first tie-breaker after share. */
  count = 0;
  active = false;
  readonly allocation: Float64Array;
  children: BlockList<SorterNode<T>> | null = null;
  /** A client whose path also has child clients lives in a virtual leaf child "path/.". */
  virtualLeaf: SorterNode<T> | null = null;

  constructor(
    /** Changes once at most: when a leaf becomes the virtual leaf "path/." of a new inner node. */
    public name: string,
    public parent: SorterNode<T> | null,
    size: number,
    public payload: T | undefined,
    readonly isLeaf: boolean,
  ) {
    this.allocation = new Float64Array(size);
  }
}

function compareNodes<T>(a: SorterNode<T>, b: SorterNode<T>): number {
  if (a.share !== b.share) return a.share < b.share ? -1 : 1;
  if (a.count !== b.count) return a.count - b.count;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

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
  #flatOrder: SorterNode<T>[] = [];
  #flatDirty = true;
  /** True while every client is a direct child of the root, so the root's blocks are the order. */
  #flat = true;

  constructor(kind: SorterKind, size: number, excluded: Uint8Array, prng: Prng | null) {
    if (kind === 'random' && !prng) throw new Error('the random sorter needs a prng');
    this.kind = kind;
    this.#size = size;
    this.#excluded = excluded;
    this.#prng = prng;
    this.#total = new Float64Array(size);
    this.#root = new SorterNode<T>('', null, size, undefined, false);
    this.#root.children = new BlockList(compareNodes);
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
      leaf = new SorterNode<T>(`${client}/.`, existing, this.#size, payload, true);
      existing.virtualLeaf = leaf;
    } else {
      leaf = new SorterNode<T>(client, parent, this.#size, payload, true);
      this.#nodes.set(client, leaf);
    }
    leaf.share = this.#shareOf(leaf, client);
    this.#leaves.set(client, leaf);
    this.#flatDirty = true;
    return leaf;
  }

  remove(client: string): void {
    const leaf = this.#leaf(client);
    if (leaf.active) this.deactivate(client);
    this.unallocate(client, leaf.allocation.slice());
    this.#leaves.delete(client);
    if (leaf.parent && leaf.parent.virtualLeaf === leaf) leaf.parent.virtualLeaf = null;
    else this.#nodes.delete(client);
    this.#flatDirty = true;
  }

  activate(client: string): void {
    const leaf = this.#leaf(client);
    if (leaf.active) return;
    // An inactive leaf is in no order list, so a new total or weight has not reached its share yet.
    leaf.share = this.#shareOf(leaf, this.#pathOf(leaf));
    leaf.active = true;
    leaf.parent!.children!.insert(leaf);
    this.#flatDirty = true;
  }

  deactivate(client: string): void {
    const leaf = this.#leaf(client);
    if (!leaf.active) return;
    leaf.parent!.children!.remove(leaf);
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

  allocate(node: SorterNode<T>, scalars: Float64Array): void {
    this.#update(node, scalars, +1);
  }

  unallocate(client: string | SorterNode<T>, scalars: Float64Array): void {
    this.#update(typeof client === 'string' ? this.#leaf(client) : client, scalars, -1);
  }

  /**
   * The active leaves in order, as blocks to walk with two nested loops. The
   * result is live: it is valid until the next change to this sorter.
   */
  orderedBlocks(): readonly (readonly SorterNode<T>[])[] {
    if (this.kind === 'random') return [this.#randomOrder(this.#root, [])];
    if (this.#flat) return this.#root.children!.blocks;
    if (this.#flatDirty) {
      this.#flatOrder = this.#preOrder(this.#root, []);
      this.#flatDirty = false;
    }
    return [this.#flatOrder];
  }

  /** The active leaves in order, copied: for inspection, not for hot loops. */
  sort(): SorterNode<T>[] {
    return this.orderedBlocks().flat();
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
    const inner = new SorterNode<T>(path, parent, this.#size, undefined, false);
    inner.children = new BlockList(compareNodes);
    if (node) {
      // An existing leaf client at this path becomes the virtual leaf child "path/.". It stays the
      // same object: callers hold on to the node `add` returned (the allocator's roles do).
      const wasActive = node.active;
      if (wasActive) parent.children!.remove(node);
      node.name = `${path}/.`;
      node.parent = inner;
      inner.virtualLeaf = node;
      inner.allocation.set(node.allocation);
      inner.count = node.count;
      if (wasActive) inner.children.insert(node);
    }
    inner.share = this.#shareOf(inner, path);
    parent.children!.insert(inner);
    this.#nodes.set(path, inner);
    return inner;
  }

  #shareOf(node: SorterNode<T>, path: string): number {
    return dominantShare(node.allocation, this.#total, this.#excluded, this.weight(path));
  }

  #pathOf(node: SorterNode<T>): string {
    return node.name.endsWith('/.') ? node.name.slice(0, -2) : node.name;
  }

  /** Removes each node on the path from its parent's order, changes it, then puts it back. */
  #update(leaf: SorterNode<T>, scalars: Float64Array, sign: 1 | -1): void {
    const chain: SorterNode<T>[] = [];
    for (let node: SorterNode<T> | null = leaf; node && node !== this.#root; node = node.parent) chain.push(node);
    const ordered = this.kind === 'drf';
    for (const node of chain) if (ordered && this.#isListed(node)) node.parent!.children!.remove(node);
    for (const node of chain) {
      if (sign > 0) {
        addInto(node.allocation, node.allocation, scalars);
        node.count++;
      } else subtractInto(node.allocation, node.allocation, scalars);
      node.share = this.#shareOf(node, this.#pathOf(node));
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const node = chain[i];
      if (ordered && this.#isListed(node)) node.parent!.children!.insert(node);
    }
    this.#flatDirty = true;
  }

  /** Inner nodes are always listed; leaves only while active. */
  #isListed(node: SorterNode<T>): boolean {
    return !node.isLeaf || node.active;
  }

  #recomputeAll(): void {
    const visit = (node: SorterNode<T>): void => {
      if (!node.children) return;
      for (const child of node.children.toArray()) {
        child.share = this.#shareOf(child, this.#pathOf(child));
        visit(child);
      }
      node.children.rebuild();
    };
    visit(this.#root);
    this.#flatDirty = true;
  }

  #preOrder(node: SorterNode<T>, out: SorterNode<T>[]): SorterNode<T>[] {
    for (const block of node.children!.blocks) {
      for (const child of block) {
        if (child.isLeaf) out.push(child);
        else this.#preOrder(child, out);
      }
    }
    return out;
  }

  /** Weighted random order per level (Efraimidis–Spirakis keys u^(1/w)). */
  #randomOrder(node: SorterNode<T>, out: SorterNode<T>[]): SorterNode<T>[] {
    const children = node.children!.toArray();
    const keyed = children.map((child) => ({ child, key: this.#prng!.next() ** (1 / this.weight(this.#pathOf(child))) }));
    keyed.sort((a, b) => b.key - a.key || (a.child.name < b.child.name ? -1 : 1));
    for (const { child } of keyed) {
      if (child.isLeaf) out.push(child);
      else this.#randomOrder(child, out);
    }
    return out;
  }
}
