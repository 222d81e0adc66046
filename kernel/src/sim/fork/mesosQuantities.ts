/**
 * Mesos JSON resource lists read as a scenario writes resources: names to
 * amounts, port ranges, and the reserved parts by the role that reserved them
 * (a persistent volume counts as reserved disk of its role). Browser-safe: the
 * playground's "Fork into simulator" uses it too.
 */
type Json = Record<string, any>;

export interface ReservedQuantities {
  role: string;
  resources: Record<string, number>;
  ports: Array<[number, number]>;
  labels: Record<string, string>;
  /** True when a persistent volume was part of it. */
  volume: boolean;
}

export interface SplitResources {
  /** Everything, reserved parts included (a scenario agent's `resources`). */
  total: Record<string, number>;
  ports: Array<[number, number]>;
  unreserved: Record<string, number>;
  reserved: ReservedQuantities[];
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function add(into: Record<string, number>, name: string, value: number): void {
  into[name] = round((into[name] ?? 0) + value);
}

function rangesOf(resource: Json): Array<[number, number]> {
  return ((resource.ranges?.range ?? []) as Json[]).map((range) => [Number(range.begin), Number(range.end)] as [number, number]);
}

/** The role that owns a reserved resource (top of its stack, or the pre-refinement `role`), or null when unreserved. */
function reservingRole(resource: Json): { role: string; labels: Record<string, string> } | null {
  const stack = resource.reservations as Json[] | undefined;
  const top = stack && stack.length > 0 ? stack[stack.length - 1] : null;
  if (top) {
    const labels = Object.fromEntries(((top.labels?.labels ?? []) as Json[]).map((label) => [label.key, label.value ?? '']));
    return { role: String(top.role), labels };
  }
  if (resource.role && resource.role !== '*') return { role: String(resource.role), labels: {} };
  return null;
}

export function splitResources(list: readonly Json[] | undefined): SplitResources {
  const split: SplitResources = { total: {}, ports: [], unreserved: {}, reserved: [] };
  for (const resource of list ?? []) {
    const owner = reservingRole(resource);
    if (resource.type === 'RANGES') {
      const ranges = rangesOf(resource);
      split.ports.push(...ranges);
      if (owner) partFor(split, owner).ports.push(...ranges);
      continue;
    }
    const value = Number(resource.scalar?.value ?? 0);
    if (resource.type !== 'SCALAR' || !(value > 0)) continue;
    add(split.total, resource.name, value);
    if (!owner) {
      add(split.unreserved, resource.name, value);
      continue;
    }
    const part = partFor(split, owner);
    add(part.resources, resource.name, value);
    if (resource.disk?.persistence) part.volume = true;
  }
  split.ports.sort((a, b) => a[0] - b[0]);
  return split;
}

function partFor(split: SplitResources, owner: { role: string; labels: Record<string, string> }): ReservedQuantities {
  // One static reservation per role in a scenario: parts of one role merge (their labels are those of the first).
  let part = split.reserved.find((candidate) => candidate.role === owner.role);
  if (!part) {
    part = { role: owner.role, resources: {}, ports: [], labels: owner.labels, volume: false };
    split.reserved.push(part);
  }
  return part;
}

/** Mesos attributes (TEXT, SCALAR) as a scenario's attributes. */
export function attributeRecord(list: readonly Json[] | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const attribute of list ?? []) {
    if (attribute.type === 'SCALAR') out[attribute.name] = Number(attribute.scalar?.value);
    else if (attribute.type === 'TEXT') out[attribute.name] = String(attribute.text?.value);
  }
  return out;
}
