/**
 * Mesos JSON `Resource` lists <-> the kernel's ResourceSet. Accepts scalars
 * and port ranges, unreserved or reserved (the `reservations` stack, or the
 * pre-refinement `role` + `reservation` form), with an optional persistent
 * volume (`disk.persistence` + `disk.volume`). Problems come back as values
 * naming the JSON field at fault, e.g. `accept.operations[0].launch.task_infos[1].resources[2].scalar.value`.
 * Output carries both forms, so old and new framework libraries read it.
 */
import { mergeRanges, reservationKey, reservedPart, roleNameProblem, roundScalar } from '@allot/kernel';
import type { Range, Ranges, ReservationInfo, ReservedPart, ResourceLayout, ResourceSet, VolumeInfo } from '@allot/kernel';

export interface MesosLabels {
  labels: Array<{ key: string; value?: string }>;
}

export interface MesosReservation {
  type: 'STATIC' | 'DYNAMIC';
  role: string;
  principal?: string;
  labels?: MesosLabels;
}

export interface MesosResource {
  name: string;
  type: 'SCALAR' | 'RANGES';
  scalar?: { value: number };
  ranges?: { range: Array<{ begin: number; end: number }> };
  role?: string;
  reservation?: { principal?: string; labels?: MesosLabels };
  reservations?: MesosReservation[];
  allocation_info?: { role: string };
  disk?: { persistence: { id: string; principal?: string }; volume: { container_path: string; mode: 'RW' | 'RO' } };
}

export type Converted<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export const RESOURCES_PER_LIST_MAX = 1024;
/** The smallest non-zero scalar amount: the kernel keeps three decimal places (roundScalar), as Mesos does. */
export const SCALAR_UNIT = 0.001;
const PORT_MAX = 65535;

function fail<T>(field: string, message: string): Converted<T> {
  return { ok: false, field, message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a Resource list at JSON path `path`. */
export function toResourceSet(list: unknown, layout: ResourceLayout, path: string): Converted<ResourceSet> {
  if (!Array.isArray(list)) return fail(path, 'must be an array of resources');
  if (list.length > RESOURCES_PER_LIST_MAX) return fail(path, `has ${list.length} resources; at most ${RESOURCES_PER_LIST_MAX}`);
  const scalars = layout.zero();
  let ports: Ranges = [];
  const parts = new Map<string, { reservations: ReservationInfo[]; scalars: Float64Array; ports: Ranges; volume?: VolumeInfo }>();
  for (const [index, item] of list.entries()) {
    const at = `${path}[${index}]`;
    if (!isObject(item)) return fail(at, 'must be an object');
    const parsed = parseOne(item, layout, at);
    if (!parsed.ok) return parsed;
    const { slot, amount, ranges, stack, volume } = parsed.value;
    if (stack.length === 0) {
      if (slot >= 0) scalars[slot] += amount;
      else ports = mergeRanges(ports, ranges);
      continue;
    }
    const key = reservationKey(stack, volume);
    let part = parts.get(key);
    if (!part) parts.set(key, (part = { reservations: stack, scalars: layout.zero(), ports: [], ...(volume ? { volume } : {}) }));
    if (slot >= 0) part.scalars[slot] += amount;
    else part.ports = mergeRanges(part.ports, ranges);
  }
  const reserved: ReservedPart[] = [...parts.values()].map((part) =>
    reservedPart(part.reservations, part.scalars, part.ports, part.volume),
  );
  return { ok: true, value: { scalars, ports, reserved } };
}

interface OneResource {
  /** Scalar slot, or -1 for ports. */
  slot: number;
  amount: number;
  ranges: Ranges;
  stack: ReservationInfo[];
  volume?: VolumeInfo;
}

function parseOne(item: Record<string, unknown>, layout: ResourceLayout, at: string): Converted<OneResource> {
  const name = item.name;
  if (typeof name !== 'string' || name === '') return fail(`${at}.name`, 'must be a non-empty string');
  if (item.revocable !== undefined) return fail(`${at}.revocable`, 'revocable resources are not supported');
  if (item.shared !== undefined) return fail(`${at}.shared`, 'shared resources are not supported');
  const type = item.type ?? (item.ranges !== undefined ? 'RANGES' : 'SCALAR');
  let slot = -1;
  let amount = 0;
  let ranges: Ranges = [];
  if (type === 'SCALAR') {
    if (name === 'ports') return fail(`${at}.type`, 'ports must be of type RANGES');
    slot = layout.slotOf(name);
    if (slot < 0) return fail(`${at}.name`, `unknown resource "${name}"; this master knows ${layout.names.join(', ')} and ports`);
    const scalar = item.scalar;
    const value = isObject(scalar) ? scalar.value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return fail(`${at}.scalar.value`, 'must be a finite number >= 0');
    // Rounding to the kernel's unit would silently turn 5e-324 into nothing (a task "with cpus" that has none).
    if (value !== 0 && value < SCALAR_UNIT)
      return fail(`${at}.scalar.value`, `must be 0 or at least ${SCALAR_UNIT} (amounts have three decimal places), got ${value}`);
    amount = roundScalar(value);
  } else if (type === 'RANGES') {
    if (name !== 'ports') return fail(`${at}.name`, `only "ports" may be a RANGES resource, not "${name}"`);
    const parsed = parseRanges(item.ranges, `${at}.ranges`);
    if (!parsed.ok) return parsed;
    ranges = parsed.value;
  } else if (type === 'SET') {
    return fail(`${at}.type`, 'SET resources are not supported');
  } else return fail(`${at}.type`, 'must be SCALAR or RANGES');

  const stack = parseStack(item, at);
  if (!stack.ok) return stack;
  let volume: VolumeInfo | undefined;
  if (item.disk !== undefined) {
    const parsed = parseVolume(item.disk, `${at}.disk`);
    if (!parsed.ok) return parsed;
    volume = parsed.value ?? undefined;
    if (volume && name !== 'disk') return fail(`${at}.disk`, 'only disk resources can hold a persistent volume');
    if (volume && stack.value.length === 0) return fail(`${at}.disk`, 'a persistent volume needs reserved disk');
  }
  return { ok: true, value: { slot, amount, ranges, stack: stack.value, ...(volume ? { volume } : {}) } };
}

function parseRanges(value: unknown, at: string): Converted<Ranges> {
  const list = isObject(value) ? value.range : undefined;
  if (!Array.isArray(list)) return fail(`${at}.range`, 'must be an array of {begin, end}');
  if (list.length > RESOURCES_PER_LIST_MAX) return fail(`${at}.range`, `has more than ${RESOURCES_PER_LIST_MAX} ranges`);
  let out: Ranges = [];
  for (const [index, range] of list.entries()) {
    const where = `${at}.range[${index}]`;
    if (!isObject(range)) return fail(where, 'must be an object {begin, end}');
    const { begin, end } = range;
    if (!Number.isInteger(begin) || (begin as number) < 0 || (begin as number) > PORT_MAX)
      return fail(`${where}.begin`, `must be an integer 0..${PORT_MAX}`);
    if (!Number.isInteger(end) || (end as number) < (begin as number) || (end as number) > PORT_MAX)
      return fail(`${where}.end`, `must be an integer from begin to ${PORT_MAX}`);
    out = mergeRanges(out, [[begin as number, end as number]]);
  }
  return { ok: true, value: out };
}

function parseLabels(value: unknown, at: string): Converted<Record<string, string> | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  const list = isObject(value) ? value.labels : undefined;
  if (!Array.isArray(list)) return fail(`${at}.labels`, 'must be an array of {key, value}');
  const out: Record<string, string> = {};
  for (const [index, label] of list.entries()) {
    if (!isObject(label) || typeof label.key !== 'string') return fail(`${at}.labels[${index}].key`, 'must be a string');
    if (label.value !== undefined && typeof label.value !== 'string') return fail(`${at}.labels[${index}].value`, 'must be a string');
    out[label.key] = (label.value as string | undefined) ?? '';
  }
  return { ok: true, value: list.length > 0 ? out : undefined };
}

function parseStack(item: Record<string, unknown>, at: string): Converted<ReservationInfo[]> {
  const stack: ReservationInfo[] = [];
  if (item.reservations !== undefined && !Array.isArray(item.reservations)) return fail(`${at}.reservations`, 'must be an array');
  const list = (item.reservations as unknown[] | undefined) ?? [];
  if (list.length > 0) {
    for (const [index, entry] of list.entries()) {
      const where = `${at}.reservations[${index}]`;
      if (!isObject(entry)) return fail(where, 'must be an object');
      const type = entry.type ?? 'DYNAMIC';
      if (type !== 'STATIC' && type !== 'DYNAMIC') return fail(`${where}.type`, 'must be STATIC or DYNAMIC');
      const role = roleOf(entry.role, `${where}.role`);
      if (!role.ok) return role;
      if (entry.principal !== undefined && typeof entry.principal !== 'string') return fail(`${where}.principal`, 'must be a string');
      const labels = parseLabels(entry.labels, `${where}.labels`);
      if (!labels.ok) return labels;
      stack.push({
        role: role.value,
        type,
        ...(entry.principal !== undefined ? { principal: entry.principal as string } : {}),
        ...(labels.value ? { labels: labels.value } : {}),
      });
    }
    return { ok: true, value: stack };
  }
  if (item.role === undefined || item.role === '*') return { ok: true, value: stack };
  const role = roleOf(item.role, `${at}.role`);
  if (!role.ok) return role;
  // Pre-refinement form: `role` with a `reservation` is dynamic, without one static.
  const reservation = item.reservation;
  if (reservation === undefined) return { ok: true, value: [{ role: role.value, type: 'STATIC' }] };
  if (!isObject(reservation)) return fail(`${at}.reservation`, 'must be an object');
  if (reservation.principal !== undefined && typeof reservation.principal !== 'string')
    return fail(`${at}.reservation.principal`, 'must be a string');
  const labels = parseLabels(reservation.labels, `${at}.reservation.labels`);
  if (!labels.ok) return labels;
  return {
    ok: true,
    value: [
      {
        role: role.value,
        type: 'DYNAMIC',
        ...(reservation.principal !== undefined ? { principal: reservation.principal as string } : {}),
        ...(labels.value ? { labels: labels.value } : {}),
      },
    ],
  };
}

function roleOf(value: unknown, at: string): Converted<string> {
  if (typeof value !== 'string') return fail(at, 'must be a role name');
  const problem = roleNameProblem(value);
  if (problem) return fail(at, `role "${value}" ${problem}`);
  return { ok: true, value };
}

function parseVolume(value: unknown, at: string): Converted<VolumeInfo | null> {
  if (!isObject(value)) return fail(at, 'must be an object');
  if (value.persistence === undefined) return { ok: true, value: null };
  const persistence = value.persistence;
  if (!isObject(persistence) || typeof persistence.id !== 'string' || persistence.id === '')
    return fail(`${at}.persistence.id`, 'must be a non-empty string');
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(persistence.id))
    return fail(`${at}.persistence.id`, 'may only hold letters, digits, ".", "_" and "-" (at most 128)');
  const volume = value.volume;
  if (!isObject(volume) || typeof volume.container_path !== 'string' || volume.container_path === '')
    return fail(`${at}.volume.container_path`, 'must be a non-empty string');
  const mode = volume.mode ?? 'RW';
  if (mode !== 'RW' && mode !== 'RO') return fail(`${at}.volume.mode`, 'must be RW or RO');
  return { ok: true, value: { persistenceId: persistence.id, containerPath: volume.container_path, mode } };
}

// ---------------------------------------------------------------------------
// Kernel -> JSON

function labelsJson(labels: Readonly<Record<string, string>> | undefined): MesosLabels | undefined {
  return labels ? { labels: Object.entries(labels).map(([key, value]) => ({ key, value })) } : undefined;
}

function reservationJson(info: ReservationInfo): MesosReservation {
  const labels = labelsJson(info.labels);
  return {
    type: info.type,
    role: info.role,
    ...(info.principal !== undefined ? { principal: info.principal } : {}),
    ...(labels ? { labels } : {}),
  };
}

/** The set as a Mesos Resource list; `allocationRole` adds `allocation_info` (as in offers and tasks). */
export function fromResourceSet(set: ResourceSet, layout: ResourceLayout, allocationRole?: string): MesosResource[] {
  const out: MesosResource[] = [];
  const allocation = allocationRole !== undefined ? { allocation_info: { role: allocationRole } } : {};
  const push = (scalars: Float64Array, ports: readonly Range[], extra: Partial<MesosResource>) => {
    for (let slot = 0; slot < layout.size; slot++) {
      const value = roundScalar(scalars[slot]);
      if (value > 0) out.push({ name: layout.names[slot], type: 'SCALAR', scalar: { value }, ...extra, ...allocation });
    }
    if (ports.length > 0)
      out.push({
        name: 'ports',
        type: 'RANGES',
        ranges: { range: ports.map(([begin, end]) => ({ begin, end })) },
        ...extra,
        ...allocation,
      });
  };
  push(set.scalars, set.ports, { role: '*' });
  for (const part of set.reserved) {
    const top = part.reservations[part.reservations.length - 1];
    const labels = labelsJson(top.labels);
    const legacy =
      top.type === 'DYNAMIC'
        ? { reservation: { ...(top.principal !== undefined ? { principal: top.principal } : {}), ...(labels ? { labels } : {}) } }
        : {};
    const disk = part.volume
      ? {
          disk: {
            persistence: { id: part.volume.persistenceId },
            volume: { container_path: part.volume.containerPath, mode: part.volume.mode },
          },
        }
      : {};
    push(part.scalars, part.ports, { role: part.role, ...legacy, reservations: part.reservations.map(reservationJson), ...disk });
  }
  return out;
}

/** Agent attributes in Mesos JSON: numbers as SCALAR, text as TEXT. */
export function attributesJson(attributes: Readonly<Record<string, string | number>>): unknown[] {
  return Object.entries(attributes).map(([name, value]) =>
    typeof value === 'number' ? { name, type: 'SCALAR', scalar: { value } } : { name, type: 'TEXT', text: { value } },
  );
}
