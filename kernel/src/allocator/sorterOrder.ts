/**
 * The orders of a sorter that is not a single flat DRF list: the pre-order of
 * a role tree's DRF lists, and the random sorter's weighted random order.
 * Both give node ids.
 */
import type { Prng } from '../prng.js';
import type { SorterNode } from './sorterNode.js';

/** Active leaves in pre-order over every level's DRF order. */
export function preOrder<T>(node: SorterNode<T>, nodeOf: (id: number) => SorterNode<T>, out: number[] = []): number[] {
  for (const id of node.children!.toArray()) {
    const child = nodeOf(id);
    if (child.isLeaf) out.push(id);
    else preOrder(child, nodeOf, out);
  }
  return out;
}

/** Weighted random order per level (Efraimidis–Spirakis keys u^(1/w)): one draw per listed child, in DRF order. */
export function randomOrder<T>(
  node: SorterNode<T>,
  nodeOf: (id: number) => SorterNode<T>,
  prng: Prng,
  weightOf: (node: SorterNode<T>) => number,
  out: number[] = [],
): number[] {
  const children = node.children!.toArray().map(nodeOf);
  const keyed = children.map((child) => ({ child, key: prng.next() ** (1 / weightOf(child)) }));
  keyed.sort((a, b) => b.key - a.key || (a.child.name < b.child.name ? -1 : 1));
  for (const { child } of keyed) {
    if (child.isLeaf) out.push(child.id);
    else randomOrder(child, nodeOf, prng, weightOf, out);
  }
  return out;
}
