/**
 * The agent's `--resources` and `--attributes` flags in Mesos syntax, and host
 * detection for whatever the flags leave out. Invariants: every scalar is
 * finite, >= 0 and rounded to 3 decimals; port ranges are disjoint and sorted;
 * a static reservation is always contained in the totals. Problems come back as
 * values that name the item at fault, never as exceptions.
 */
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { normalizeRanges, roleNameProblem, roundScalar } from '@allot/kernel';
import type { AgentAttributes, Range, ResourceQuantities, StaticReservationSpec } from '@allot/kernel';

/** What an agent offers: the totals (reserved parts included) and the static reservations carved out of them. */
export interface AgentResources {
  resources: ResourceQuantities;
  ports: Range[];
  reservations: StaticReservationSpec[];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: 'invalid_resources' | 'invalid_attributes'; message: string };

/** Mesos's default when the flag says nothing about ports. */
export const DEFAULT_PORTS: readonly Range[] = [[31000, 32000]];
const PORT_MAX = 65535;
const ITEMS_MAX = 256;
const UNRESERVED = '*';

const ITEM_PATTERN = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\(([^()]*)\))?:(.+)$/s;

/**
 * Parses `"cpus:2;mem:2048;disk:4096;ports:[31000-32000]"`. Also accepts any
 * other scalar (`gpus:1`, `fpga:2`), several port ranges
 * (`ports:[31000-31010,32000-32100]`) and role-qualified items
 * (`cpus(analytics):2`), which become static reservations for that role.
 */
export function parseResources(text: string): ParseResult<AgentResources> {
  const items = splitItems(text);
  if (items.length > ITEMS_MAX) return resourcesError(`too many items (${items.length}); at most ${ITEMS_MAX}`);
  const totals: ResourceQuantities = {};
  const portRanges: Range[] = [];
  const byRole = new Map<string, { resources: ResourceQuantities; ports: Range[] }>();

  for (const [index, item] of items.entries()) {
    const where = `resource item ${index + 1} "${item}"`;
    const match = ITEM_PATTERN.exec(item);
    if (!match) return resourcesError(`${where}: expected NAME:VALUE or NAME(ROLE):VALUE`);
    const [, name, roleText, valueText] = match;
    const role = roleText === undefined ? UNRESERVED : roleText.trim();
    if (role !== UNRESERVED) {
      const problem = roleNameProblem(role);
      if (problem !== null) return resourcesError(`${where}: role "${role}" ${problem}`);
    }
    const value = valueText.trim();
    const reserved = role === UNRESERVED ? null : reservationOf(byRole, role);

    if (value.startsWith('[')) {
      if (name !== 'ports') return resourcesError(`${where}: only "ports" may be a range resource`);
      const ranges = parseRanges(value);
      if (typeof ranges === 'string') return resourcesError(`${where}: ${ranges}`);
      const overlap = findOverlap(portRanges, ranges);
      if (overlap) return resourcesError(`${where}: ports ${overlap[0]}-${overlap[1]} are listed twice`);
      portRanges.push(...ranges);
      reserved?.ports.push(...ranges);
      continue;
    }
    if (value.startsWith('{')) return resourcesError(`${where}: set-valued resources are not supported`);
    if (name === 'ports') return resourcesError(`${where}: "ports" must be ranges like [31000-32000]`);
    const amount = Number(value);
    if (value === '' || !Number.isFinite(amount) || amount < 0)
      return resourcesError(`${where}: expected a finite number >= 0, got "${value}"`);
    totals[name] = roundScalar((totals[name] ?? 0) + amount);
    if (reserved) reserved.resources[name] = roundScalar((reserved.resources[name] ?? 0) + amount);
  }

  const reservations: StaticReservationSpec[] = [];
  for (const [role, part] of [...byRole].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const spec: StaticReservationSpec = { role, resources: part.resources };
    if (part.ports.length > 0) spec.ports = normalizeRanges(part.ports).map(([begin, end]) => [begin, end] as const);
    reservations.push(spec);
  }
  return { ok: true, value: { resources: totals, ports: normalizeRanges(portRanges).map(([b, e]) => [b, e] as const), reservations } };
}

/** Parses `"rack:r1;zone:a;level:3"`: numbers become numbers, anything else text. */
export function parseAttributes(text: string): ParseResult<AgentAttributes> {
  const attributes: Record<string, string | number> = {};
  for (const [index, item] of splitItems(text).entries()) {
    const where = `attribute ${index + 1} "${item}"`;
    const colon = item.indexOf(':');
    if (colon <= 0) return { ok: false, code: 'invalid_attributes', message: `${where}: expected NAME:VALUE` };
    const name = item.slice(0, colon).trim();
    const value = item.slice(colon + 1).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name))
      return { ok: false, code: 'invalid_attributes', message: `${where}: "${name}" is not a valid attribute name` };
    if (value === '') return { ok: false, code: 'invalid_attributes', message: `${where}: the value is empty` };
    if (Object.hasOwn(attributes, name))
      return { ok: false, code: 'invalid_attributes', message: `${where}: attribute "${name}" is given twice` };
    const number = Number(value);
    attributes[name] = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(value) && Number.isFinite(number) ? number : value;
  }
  return { ok: true, value: attributes };
}

export interface HostResourceOptions {
  /** The agent's work directory: its file system's size is the disk resource. */
  workDir: string;
  cpuCount?: number;
  totalMemoryBytes?: number;
}

/**
 * What this host has, minus what Mesos keeps back for the system: memory
 * minus 1 GB (half when there is less than 2 GB), disk minus 5 GB (half when
 * there is less than 10 GB), ports 31000-32000.
 */
export async function detectHostResources(options: HostResourceOptions): Promise<AgentResources> {
  const cpus = options.cpuCount ?? os.cpus().length;
  const memTotalMb = (options.totalMemoryBytes ?? os.totalmem()) / 2 ** 20;
  const stats = await statfs(options.workDir);
  const diskTotalMb = (stats.blocks * stats.bsize) / 2 ** 20;
  return {
    resources: {
      cpus,
      mem: Math.floor(memTotalMb - (memTotalMb >= 2048 ? 1024 : memTotalMb / 2)),
      disk: Math.floor(diskTotalMb - (diskTotalMb >= 10240 ? 5120 : diskTotalMb / 2)),
    },
    ports: DEFAULT_PORTS.map(([begin, end]) => [begin, end] as const),
    reservations: [],
  };
}

/**
 * The flag's resources with the host's filling in `cpus`, `mem`, `disk` and
 * `ports` where the flag is silent (Mesos's rule). Returns the flag's problem
 * unchanged when it does not parse.
 */
export async function resolveAgentResources(flag: string | undefined, host: HostResourceOptions): Promise<ParseResult<AgentResources>> {
  const parsed = parseResources(flag ?? '');
  if (!parsed.ok) return parsed;
  const detected = await detectHostResources(host);
  const value = parsed.value;
  for (const name of ['cpus', 'mem', 'disk']) if (!Object.hasOwn(value.resources, name)) value.resources[name] = detected.resources[name];
  if (value.ports.length === 0 && !/(^|;)\s*ports\b/.test(flag ?? '')) value.ports = detected.ports;
  return { ok: true, value };
}

function splitItems(text: string): string[] {
  // Semicolons separate items; inside [...] commas separate ranges, so a plain split is safe.
  return text
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** `[31000-31010,32000-32100]` -> ranges, or a description of what is wrong. */
function parseRanges(text: string): Range[] | string {
  if (!text.endsWith(']')) return `expected ranges like [31000-32000], got "${text}"`;
  const body = text.slice(1, -1).trim();
  if (body === '') return 'the range list is empty';
  const out: Range[] = [];
  for (const part of body.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) return `"${part.trim()}" is not a range like 31000-32000`;
    const begin = Number(match[1]);
    const end = match[2] === undefined ? begin : Number(match[2]);
    if (begin > end) return `range ${begin}-${end} ends before it begins`;
    if (end > PORT_MAX) return `range ${begin}-${end} goes past port ${PORT_MAX}`;
    const overlap = findOverlap(out, [[begin, end]]);
    if (overlap) return `ranges overlap at ${overlap[0]}-${overlap[1]}`;
    out.push([begin, end]);
  }
  return out;
}

function findOverlap(existing: readonly Range[], added: readonly Range[]): Range | null {
  for (const [b1, e1] of existing) for (const [b2, e2] of added) if (b1 <= e2 && b2 <= e1) return [Math.max(b1, b2), Math.min(e1, e2)];
  return null;
}

function reservationOf(byRole: Map<string, { resources: ResourceQuantities; ports: Range[] }>, role: string) {
  let part = byRole.get(role);
  if (!part) {
    part = { resources: {}, ports: [] };
    byRole.set(role, part);
  }
  return part;
}

function resourcesError(message: string): ParseResult<AgentResources> {
  return { ok: false, code: 'invalid_resources', message };
}
