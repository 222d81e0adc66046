/**
 * Object-shaped resources at the edges of the hot path: unreserved scalars and
 * ports, plus reserved parts, each carrying its reservation stack (the last
 * entry owns it), labels and an optional persistent volume. Parts with the same
 * key are interchangeable. Sets are values: functions here never mutate inputs.
 */
import type { ResourceLayout, ResourceQuantities } from './layout.js';
import type { Ranges } from './ranges.js';
import { containsRanges, mergeRanges, NO_RANGES, rangesEmpty, subtractRanges } from './ranges.js';
import { add, addInto, contains, isEmpty, subtract } from './vector.js';

export interface ReservationInfo {
  readonly role: string;
  readonly type: 'STATIC' | 'DYNAMIC';
  readonly principal?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface VolumeInfo {
  readonly persistenceId: string;
  readonly containerPath: string;
  readonly mode: 'RW' | 'RO';
}

export interface ReservedPart {
  /** Canonical identity of the reservation stack and volume: equal keys merge. */
  readonly key: string;
  /** The role that owns the reservation (the top of the stack). */
  readonly role: string;
  readonly reservations: readonly ReservationInfo[];
  readonly scalars: Float64Array;
  readonly ports: Ranges;
  readonly volume?: VolumeInfo;
}

export interface ResourceSet {
  /** Unreserved, non-revocable scalars. */
  readonly scalars: Float64Array;
  /** Unreserved ports. */
  readonly ports: Ranges;
  readonly reserved: readonly ReservedPart[];
}

export function reservationKey(reservations: readonly ReservationInfo[], volume?: VolumeInfo): string {
  const stack = reservations
    .map((r) => {
      const labels = r.labels ? Object.entries(r.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
      return `${r.type}:${r.role}:${r.principal ?? ''}:${JSON.stringify(labels)}`;
    })
    .join('/');
  return volume ? `${stack}#${volume.persistenceId}` : stack;
}

export function reservedPart(
  reservations: readonly ReservationInfo[],
  scalars: Float64Array,
  ports: Ranges = NO_RANGES,
  volume?: VolumeInfo,
): ReservedPart {
  if (reservations.length === 0) throw new Error('a reserved part needs at least one reservation');
  const role = reservations[reservations.length - 1].role;
  return { key: reservationKey(reservations, volume), role, reservations, scalars, ports, ...(volume ? { volume } : {}) };
}

export function emptyResourceSet(size: number): ResourceSet {
  return { scalars: new Float64Array(size), ports: NO_RANGES, reserved: [] };
}

export function isEmptyResourceSet(set: ResourceSet): boolean {
  if (!isEmpty(set.scalars) || !rangesEmpty(set.ports)) return false;
  return set.reserved.every(isEmptyPart);
}

function isEmptyPart(part: ReservedPart): boolean {
  return isEmpty(part.scalars) && rangesEmpty(part.ports) && part.volume === undefined;
}

/** a ⊇ b: the filter superset test, and "does the offer still hold this?". */
export function resourceSetContains(a: ResourceSet, b: ResourceSet): boolean {
  if (!contains(a.scalars, b.scalars) || !containsRanges(a.ports, b.ports)) return false;
  for (const part of b.reserved) {
    if (isEmptyPart(part)) continue;
    const match = a.reserved.find((candidate) => candidate.key === part.key);
    if (!match || !contains(match.scalars, part.scalars) || !containsRanges(match.ports, part.ports)) return false;
  }
  return true;
}

export function addResourceSets(a: ResourceSet, b: ResourceSet): ResourceSet {
  const reserved = [...a.reserved];
  for (const part of b.reserved) {
    const index = reserved.findIndex((candidate) => candidate.key === part.key);
    if (index < 0) reserved.push(part);
    else {
      const existing = reserved[index];
      reserved[index] = { ...existing, scalars: add(existing.scalars, part.scalars), ports: mergeRanges(existing.ports, part.ports) };
    }
  }
  return { scalars: add(a.scalars, b.scalars), ports: mergeRanges(a.ports, b.ports), reserved };
}

/** a - b; b must be contained in a (an assertion: callers check with resourceSetContains first). */
export function subtractResourceSets(a: ResourceSet, b: ResourceSet): ResourceSet {
  if (!resourceSetContains(a, b)) throw new Error('subtractResourceSets: b is not contained in a');
  const reserved: ReservedPart[] = [];
  for (const part of a.reserved) {
    const taken = b.reserved.find((candidate) => candidate.key === part.key);
    if (!taken) {
      reserved.push(part);
      continue;
    }
    const rest: ReservedPart = { ...part, scalars: subtract(part.scalars, taken.scalars), ports: subtractRanges(part.ports, taken.ports) };
    // A part is kept while it still holds something; a volume goes with the last of its disk.
    if (!isEmpty(rest.scalars) || rest.ports.length > 0) reserved.push(rest);
  }
  return { scalars: subtract(a.scalars, b.scalars), ports: subtractRanges(a.ports, b.ports), reserved };
}

/** Unreserved plus reserved scalars, written into `out`: what DRF shares count. */
export function allScalarsInto(out: Float64Array, set: ResourceSet): Float64Array {
  out.set(set.scalars);
  for (const part of set.reserved) addInto(out, out, part.scalars);
  return out;
}

export function reservedScalarsInto(out: Float64Array, set: ResourceSet): Float64Array {
  out.fill(0);
  for (const part of set.reserved) addInto(out, out, part.scalars);
  return out;
}

export interface ResourceSetDescription {
  scalars: ResourceQuantities;
  ports?: Array<[number, number]>;
  reserved?: Array<{
    role: string;
    resources: ResourceQuantities;
    ports?: Array<[number, number]>;
    labels?: Record<string, string>;
    persistenceId?: string;
  }>;
}

/** A JSON-friendly description for reports, traces and the playground. */
export function describeResourceSet(set: ResourceSet, layout: ResourceLayout): ResourceSetDescription {
  const out: ResourceSetDescription = { scalars: layout.quantities(set.scalars) };
  if (set.ports.length > 0) out.ports = set.ports.map(([b, e]) => [b, e]);
  const reserved = set.reserved.filter((part) => !isEmptyPart(part) || part.volume);
  if (reserved.length > 0) {
    out.reserved = reserved.map((part) => {
      const labels = part.reservations[part.reservations.length - 1].labels;
      return {
        role: part.role,
        resources: layout.quantities(part.scalars),
        ...(part.ports.length > 0 ? { ports: part.ports.map(([b, e]): [number, number] => [b, e]) } : {}),
        ...(labels ? { labels: { ...labels } } : {}),
        ...(part.volume ? { persistenceId: part.volume.persistenceId } : {}),
      };
    });
  }
  return out;
}
