/**
 * Garbage collection of reservations (SDK `ResourceCleaner`): offered reserved
 * resources whose resource_id no pod instance owns any more (a pod replaced
 * elsewhere, a pod decommissioned) are given back — volumes DESTROYed first,
 * then everything UNRESERVEd — so that a permanent replacement leaks nothing.
 */
import type { OfferOperation } from '../master/commands.js';
import type { Offer } from '../offers/offer.js';
import type { ResourceLayout } from '../resources/layout.js';
import type { ReservedPart } from '../resources/resourceSet.js';
import { reservedPart } from '../resources/resourceSet.js';
import { add } from '../resources/vector.js';
import type { SchedulerContext } from '../schedulers/frameworkModel.js';
import type { ServiceState } from './serviceState.js';

export function resourceIdOf(part: ReservedPart): string | undefined {
  return part.reservations[part.reservations.length - 1].labels?.resource_id;
}

export function garbageOperations(offer: Offer, garbage: ReadonlySet<string>, layout: ResourceLayout): OfferOperation[] {
  const parts = offer.resources.reserved.filter((part) => {
    const id = resourceIdOf(part);
    return id !== undefined && garbage.has(id);
  });
  if (parts.length === 0) return [];
  const only = (list: ReservedPart[]) => ({ scalars: layout.zero(), ports: [], reserved: list });
  const destroy = parts.filter((part) => part.volume);
  // After DESTROY a volume's disk is plain reserved disk again, under the same stack.
  const byStack = new Map<string, ReservedPart>();
  for (const part of parts) {
    const plain = reservedPart(part.reservations, part.scalars, part.ports);
    const existing = byStack.get(plain.key);
    byStack.set(
      plain.key,
      existing ? reservedPart(plain.reservations, add(existing.scalars, plain.scalars), [...existing.ports, ...plain.ports]) : plain,
    );
  }
  return [
    ...(destroy.length > 0 ? [{ type: 'DESTROY' as const, volumes: only(destroy) }] : []),
    { type: 'UNRESERVE' as const, resources: only([...byStack.values()]) },
  ];
}

/** Accepts the offer with the operations that give its garbage back; `used` collects it when it did. */
export function giveBackGarbage(state: ServiceState, offer: Offer, used: Set<string>, context: SchedulerContext): void {
  const cleanup = garbageOperations(offer, state.garbage, context.layout);
  if (cleanup.length === 0) return;
  for (const part of offer.resources.reserved) {
    const id = resourceIdOf(part);
    if (id !== undefined) state.garbage.delete(id);
  }
  used.add(offer.id);
  context.send({ type: 'offer.accept', frameworkId: state.frameworkId, offerIds: [offer.id], operations: cleanup, refuseSeconds: 0 });
  state.note(`gave back unowned reservations on ${offer.agentId}`);
}
