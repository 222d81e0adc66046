/**
 * What the DRF sorters count, per role and per framework: the resources of
 * their tasks plus the offers they hold, reserved ones included once
 * allocated. This is the one definition of a dominant share the playground
 * shows (the chart, the labels, Explain, the report): the allocator offers
 * next to whoever has the lowest.
 */
import type { Master } from '@allot/kernel';

export interface Allocations {
  byRole: Map<string, Float64Array>;
  byFramework: Map<string, Float64Array>;
}

export function allocatorAllocations(master: Master, roleNames: readonly string[]): Allocations {
  const layout = master.layout;
  const leaves = master.allocator.roles;
  const byRole = new Map<string, Float64Array>();
  for (const name of roleNames) {
    const sum = layout.zero();
    // A role of the hierarchy holds what its own clients and every role below it hold.
    for (const [leafName, leaf] of leaves) if (leafName === name || leafName.startsWith(`${name}/`)) addInto(sum, leaf.node.allocation);
    byRole.set(name, sum);
  }
  const byFramework = new Map<string, Float64Array>();
  for (const framework of master.frameworks.values()) {
    const sum = layout.zero();
    for (const client of framework.clients.values()) addInto(sum, client.node.allocation);
    byFramework.set(framework.id, sum);
  }
  return { byRole, byFramework };
}

function addInto(sum: Float64Array, more: Float64Array): void {
  for (let i = 0; i < sum.length; i++) sum[i] += more[i];
}
