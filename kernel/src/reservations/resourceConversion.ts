/**
 * Reservation and volume operations as resource conversions (Mesos
 * `ResourceConversion`): RESERVE pushes a dynamic reservation onto a stack
 * (unreserved, or a parent role's reservation when refining), UNRESERVE pops
 * it back to the previous owner, CREATE turns reserved disk into a persistent
 * volume and DESTROY turns it back. A conversion never changes amounts, only
 * their shape, so it applies the same way to an offer, an agent's free
 * resources and its total.
 */
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { addResourceSets, reservedPart, resourceSetContains, subtractResourceSets } from '../resources/resourceSet.js';
import { isEmpty } from '../resources/vector.js';
import { isSelfOrAncestor } from '../roles/roleName.js';

export type ResourceOperation =
  /** `resources`: reserved parts as they should be afterwards (the new reservation on top). */
  | { type: 'RESERVE'; resources: ResourceSet }
  /** `resources`: reserved parts to release by one level. */
  | { type: 'UNRESERVE'; resources: ResourceSet }
  /** `volumes`: reserved disk parts carrying the volume to create. */
  | { type: 'CREATE'; volumes: ResourceSet }
  | { type: 'DESTROY'; volumes: ResourceSet };

export interface Conversion {
  readonly consumed: ResourceSet;
  readonly converted: ResourceSet;
}

export type ConversionResult = { ok: true; conversion: Conversion } | { ok: false; code: string; message: string };

function fail(code: string, message: string): ConversionResult {
  return { ok: false, code, message };
}

/** A part's resources moved to another stack (or to unreserved when the stack is empty). */
function asSet(size: number, part: ReservedPart, stack: ReservedPart['reservations'], withVolume: boolean): ResourceSet {
  if (stack.length === 0) return { scalars: part.scalars, ports: part.ports, reserved: [] };
  const moved = reservedPart(stack, part.scalars, part.ports, withVolume ? part.volume : undefined);
  return { scalars: new Float64Array(size), ports: [], reserved: [moved] };
}

function merge(size: number, sets: ResourceSet[]): ResourceSet {
  return sets.reduce((sum, set) => addResourceSets(sum, set), { scalars: new Float64Array(size), ports: [], reserved: [] } as ResourceSet);
}

/** Validates an operation done on behalf of `role` and returns its conversion. */
export function conversionFor(operation: ResourceOperation, role: string, diskSlot: number): ConversionResult {
  const set = operation.type === 'RESERVE' || operation.type === 'UNRESERVE' ? operation.resources : operation.volumes;
  const size = set.scalars.length;
  if (!isEmpty(set.scalars) || set.ports.length > 0)
    return fail('invalid_operation', `${operation.type} takes reserved resources only; unreserved ones were given`);
  if (set.reserved.length === 0) return fail('invalid_operation', `${operation.type} names no resources`);
  const consumed: ResourceSet[] = [];
  const converted: ResourceSet[] = [];
  for (const part of set.reserved) {
    const top = part.reservations[part.reservations.length - 1];
    const below = part.reservations.slice(0, -1);
    switch (operation.type) {
      case 'RESERVE': {
        if (part.volume) return fail('invalid_operation', 'RESERVE cannot create a volume; use CREATE');
        if (top.type !== 'DYNAMIC') return fail('invalid_reservation', `RESERVE makes dynamic reservations, not ${top.type}`);
        if (top.role !== role) return fail('invalid_reservation', `RESERVE for role ${top.role} from an offer for role ${role}`);
        const parent = below[below.length - 1];
        if (parent && (parent.role === top.role || !isSelfOrAncestor(parent.role, top.role))) {
          return fail('invalid_reservation', `refining a reservation of ${parent.role} needs a child role of it, not ${top.role}`);
        }
        consumed.push(asSet(size, part, below, false));
        converted.push(asSet(size, part, part.reservations, false));
        break;
      }
      case 'UNRESERVE': {
        if (part.volume)
          return fail('volume_in_use', `cannot UNRESERVE disk that holds volume ${part.volume.persistenceId}; DESTROY it first`);
        if (top.type !== 'DYNAMIC') return fail('invalid_reservation', 'static reservations cannot be unreserved');
        if (top.role !== role) return fail('invalid_reservation', `role ${role} cannot unreserve resources reserved for ${top.role}`);
        consumed.push(asSet(size, part, part.reservations, false));
        converted.push(asSet(size, part, below, false));
        break;
      }
      case 'CREATE':
      case 'DESTROY': {
        if (!part.volume) return fail('invalid_volume', `${operation.type} needs a volume with a persistence id`);
        for (let slot = 0; slot < part.scalars.length; slot++) {
          if (slot !== diskSlot && part.scalars[slot] > 0) return fail('invalid_volume', 'a volume consists of disk only');
        }
        if (!(part.scalars[diskSlot] > 0)) return fail('invalid_volume', `volume ${part.volume.persistenceId} has no disk`);
        if (!isSelfOrAncestor(top.role, role)) return fail('invalid_volume', `role ${role} may not use disk reserved for ${top.role}`);
        const plain = asSet(size, part, part.reservations, false);
        const volume = asSet(size, part, part.reservations, true);
        consumed.push(operation.type === 'CREATE' ? plain : volume);
        converted.push(operation.type === 'CREATE' ? volume : plain);
        break;
      }
      default: {
        const unknown: never = operation;
        throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
      }
    }
  }
  return { ok: true, conversion: { consumed: merge(size, consumed), converted: merge(size, converted) } };
}

/** set - consumed + converted, or null when the set does not hold what is consumed. */
export function applyConversion(set: ResourceSet, conversion: Conversion): ResourceSet | null {
  if (!resourceSetContains(set, conversion.consumed)) return null;
  return addResourceSets(subtractResourceSets(set, conversion.consumed), conversion.converted);
}
