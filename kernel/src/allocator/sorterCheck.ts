/**
 * The sorter's structural assertion (Sorter.check): every listed node (inner
 * nodes, active leaves) is in its parent's order list exactly once and no
 * other node is, DRF lists are sorted, ranks follow names, and no allocation
 * is negative. Throws on the first violation, naming the node.
 */
import type { SorterNode } from './sorterNode.js';
import { compareNodes } from './sorterNode.js';

export function checkSorterTree<T>(root: SorterNode<T>, nodeOf: (id: number) => SorterNode<T>, sorted: boolean): void {
  const listedNode = (node: SorterNode<T>): boolean => !node.isLeaf || node.active;
  const visit = (node: SorterNode<T>): void => {
    const listed = node.children!.toArray().map(nodeOf);
    const seen = new Set<SorterNode<T>>();
    for (let i = 0; i < listed.length; i++) {
      const child = listed[i];
      if (seen.has(child)) throw new Error(`sorter: ${child.name} is listed twice under "${node.name}"`);
      seen.add(child);
      if (child.parent !== node) throw new Error(`sorter: ${child.name} is listed under "${node.name}", not its parent`);
      if (!listedNode(child)) throw new Error(`sorter: inactive client ${child.name} is listed`);
      if (sorted && i > 0 && compareNodes(listed[i - 1], child) > 0)
        throw new Error(`sorter: ${listed[i - 1].name} is listed before ${child.name} out of order`);
    }
    const byName = node.byName!;
    for (let i = 0; i < byName.length; i++) {
      const child = byName[i];
      if (i > 0 && !(byName[i - 1].name < child.name)) throw new Error(`sorter: children of "${node.name}" are not in name order`);
      if (i > 0 && !(byName[i - 1].rank < child.rank)) throw new Error(`sorter: ranks under "${node.name}" do not follow names`);
      if (listedNode(child) !== seen.has(child))
        throw new Error(`sorter: ${child.name} is listed ${seen.has(child) ? 'but inactive' : 'nowhere'}`);
      const allocation = child.allocation;
      for (let slot = 0; slot < allocation.length; slot++) {
        if (!(allocation[slot] >= 0)) throw new Error(`sorter: ${child.name} holds ${allocation[slot]} in slot ${slot}`);
      }
      if (child.children) visit(child);
    }
  };
  visit(root);
}
