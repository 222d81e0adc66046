/**
 * Carving a task's resources out of an offer, as a simple framework does:
 * scalars from the role's reservations first, then unreserved; ports from the
 * lowest free numbers. Null when the offer cannot hold the task.
 */
import type { ResourceLayout, ResourceQuantities } from '../resources/layout.js';
import { takePorts } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { SCALAR_EPSILON } from '../resources/vector.js';

export function carveTask(
  available: ResourceSet,
  layout: ResourceLayout,
  quantities: ResourceQuantities,
  portCount: number,
): ResourceSet | null {
  const ports = takePorts(available.ports, portCount);
  if (ports === null) return null;
  const scalars = layout.zero();
  const reserved: ReservedPart[] = available.reserved.map((part) => ({ ...part, scalars: layout.zero(), ports: [] }));
  for (const [name, amount] of Object.entries(quantities)) {
    const slot = layout.slotOf(name);
    if (slot < 0) return null;
    let needed = amount;
    for (let i = 0; i < available.reserved.length && needed > SCALAR_EPSILON; i++) {
      const taken = Math.min(needed, available.reserved[i].scalars[slot]);
      reserved[i].scalars[slot] = taken;
      needed -= taken;
    }
    if (needed > SCALAR_EPSILON) {
      if (available.scalars[slot] + SCALAR_EPSILON < needed) return null;
      scalars[slot] = needed;
    }
  }
  return { scalars, ports, reserved: reserved.filter((part) => part.scalars.some((v) => v > 0)) };
}
