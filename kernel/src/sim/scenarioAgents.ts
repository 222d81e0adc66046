/**
 * Reading scenario agents: resources, ports, attributes and static
 * reservations, then expanding `count` into agents `${id}-1` .. `${id}-${n}`.
 * Invariant of every accepted agent: its reservations fit inside its own
 * resources and ports (reserved amounts are part of the total, not extra), and
 * no two reservations hold the same port. Agent ids are unique after expansion.
 */
import { type Ranges, containsRanges, normalizeRanges, subtractRanges } from '../resources/ranges.js';
import { SCALAR_EPSILON } from '../resources/vector.js';
import type { PortRanges, ResourceQuantities, ScenarioAgent, ScenarioAgentTask, ScenarioReservation } from './scenario.js';
import { readAgentTasks } from './scenarioAgentTasks.js';
import {
  type Errors,
  Fields,
  anyString,
  fieldPath,
  indexPath,
  integerInRange,
  isPlainObject,
  listEntries,
  nonEmptyString,
  quote,
  recordOf,
  scalar,
} from '../schedulers/fieldReaders.js';
import { portRanges, resourceQuantities, roleName } from '../schedulers/resourceReaders.js';

const AGENT_FIELDS = ['id', 'count', 'hostname', 'resources', 'ports', 'attributes', 'reservations', 'tasks'] as const;
/** A limit on expansion, so that a typo in `count` cannot exhaust memory. */
export const AGENT_COUNT_MAX = 100_000;
const RESERVATION_FIELDS = ['role', 'resources', 'ports', 'labels'] as const;

const attributeValues = recordOf<string | number>(
  'an object of attributes such as { "rack": "r1" }',
  scalar('a string or a finite number', (v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))),
);
const labelValues = recordOf<string>('an object of string labels', anyString);

/** One agent entry as written, validated; `count` not yet expanded. */
export interface AgentDraft {
  id: string;
  count: number;
  hostname: string | undefined;
  resources: ResourceQuantities;
  ports: PortRanges;
  attributes: Record<string, string | number>;
  reservations: ScenarioReservation[];
  tasks: ScenarioAgentTask[] | undefined;
}

/** Undefined when anything about the entry is invalid (all of it reported). */
export function readAgentDraft(value: unknown, path: string, errors: Errors): AgentDraft | undefined {
  const before = errors.length;
  const fields = Fields.open(value, path, errors, AGENT_FIELDS);
  if (fields === undefined) return undefined;
  const id = fields.required('id', nonEmptyString);
  const count = fields.optional('count', integerInRange(1, AGENT_COUNT_MAX), 1);
  const hostname = fields.maybe('hostname', nonEmptyString);
  const resources = fields.required('resources', resourceQuantities);
  const ports = fields.optional('ports', portRanges, []);
  const attributes = fields.optional('attributes', attributeValues, {});
  const reservations = readReservations(fields, { resources, ports }, errors);
  const tasks = readAgentTasks(fields, { resources, reservations }, errors);
  if (tasks !== undefined && count > 1)
    errors.push({ path: fields.pathOf('tasks'), message: `running tasks belong to one agent: not with "count" ${count}` });
  if (errors.length > before || id === undefined || resources === undefined) return undefined;
  return { id, count, hostname, resources, ports, attributes, reservations, tasks };
}

interface AgentCapacity {
  resources: ResourceQuantities | undefined;
  ports: PortRanges;
}

function readReservations(agent: Fields, capacity: AgentCapacity, errors: Errors): ScenarioReservation[] {
  const path = agent.pathOf('reservations');
  const entries = listEntries(agent.value('reservations'), path, errors, 'an array of reservations');
  const reservations: ScenarioReservation[] = [];
  const reserved: ResourceQuantities = {};
  let freePorts = normalizeRanges(capacity.ports);
  entries.forEach((entry, index) => {
    const fields = Fields.open(entry, indexPath(path, index), errors, RESERVATION_FIELDS);
    if (fields === undefined) return;
    const role = fields.required('role', roleName);
    const resources = fields.required('resources', resourceQuantities);
    const ports = fields.optional('ports', portRanges, []);
    const labels = fields.optional('labels', labelValues, {});
    if (resources !== undefined && capacity.resources !== undefined) {
      checkReservedAmounts(resources, reserved, capacity.resources, fields.pathOf('resources'), errors);
    }
    freePorts = checkReservedPorts(ports, freePorts, capacity.ports, fields.pathOf('ports'), errors);
    reservations.push({ role: role ?? '', resources: resources ?? {}, ports, labels });
  });
  return reservations;
}

/** Adds `resources` into `reserved` and reports every name that no longer fits the agent. */
function checkReservedAmounts(
  resources: ResourceQuantities,
  reserved: ResourceQuantities,
  total: ResourceQuantities,
  path: string,
  errors: Errors,
): void {
  for (const [name, amount] of Object.entries(resources)) {
    const sum = (reserved[name] ?? 0) + amount;
    reserved[name] = sum;
    const available = total[name];
    if (available !== undefined && sum <= available + SCALAR_EPSILON) continue;
    const what = sum === amount ? `reserves ${amount} ${name}` : `brings the reserved ${name} to ${sum}`;
    const agentHas = available === undefined ? `but the agent has no ${quote(name)}` : `more than the agent's ${available}`;
    errors.push({
      path: fieldPath(path, name),
      message: `${what}, ${agentHas}; reservations are part of the agent's resources, not in addition to them`,
    });
  }
}

/** Reports reserved port ranges outside the agent's ports or already reserved; returns the ports still free. */
function checkReservedPorts(ports: PortRanges, free: Ranges, agentPorts: PortRanges, path: string, errors: Errors): Ranges {
  const all = normalizeRanges(agentPorts);
  let remaining = free;
  ports.forEach((range, index) => {
    const [begin, end] = range;
    if (!containsRanges(all, [range])) {
      errors.push({ path: indexPath(path, index), message: `[${begin}, ${end}] is not inside the agent's ports` });
    } else if (!containsRanges(remaining, [range])) {
      errors.push({ path: indexPath(path, index), message: `[${begin}, ${end}] is already reserved by an earlier reservation` });
    } else {
      remaining = subtractRanges(remaining, [range]);
    }
  });
  return remaining;
}

/** `count` 1 keeps the id as written; n > 1 makes `${id}-1` .. `${id}-${n}`, each with its own copies. */
export function expandAgent(draft: AgentDraft): ScenarioAgent[] {
  const agents: ScenarioAgent[] = [];
  for (let k = 1; k <= draft.count; k++) {
    const suffix = draft.count === 1 ? '' : `-${k}`;
    const id = draft.id + suffix;
    agents.push({
      id,
      hostname: draft.hostname === undefined ? id : draft.hostname + suffix,
      resources: { ...draft.resources },
      ports: draft.ports.map(([begin, end]) => [begin, end]),
      attributes: { ...draft.attributes },
      reservations: draft.reservations.map((reservation) => ({
        role: reservation.role,
        resources: { ...reservation.resources },
        ports: reservation.ports.map(([begin, end]) => [begin, end]),
        labels: { ...reservation.labels },
      })),
      ...(draft.tasks ? { tasks: draft.tasks.map((task) => ({ ...task, resources: { ...task.resources } })) } : {}),
    });
  }
  return agents;
}

/** Agent ids seen so far, each with the path of the entry that made it. */
export class AgentIds {
  readonly #firstPaths = new Map<string, string>();
  /** Ids of entries that were invalid: faults may name them without a second, misleading error. */
  readonly #invalid = new Set<string>();

  has(id: string): boolean {
    return this.#firstPaths.has(id) || this.#invalid.has(id);
  }

  /** Remembers the ids an invalid entry meant to make, as far as they can be read. */
  tolerate(entry: unknown): void {
    if (!isPlainObject(entry) || typeof entry.id !== 'string') return;
    const count = integerInRange(1, AGENT_COUNT_MAX).test(entry.count) ? entry.count : 1;
    for (let k = 1; k <= count; k++) this.#invalid.add(count === 1 ? entry.id : `${entry.id}-${k}`);
  }

  /** Adds the agents made by the entry at `path`, reporting ids already taken. */
  claim(agents: readonly ScenarioAgent[], path: string, errors: Errors): ScenarioAgent[] {
    const accepted: ScenarioAgent[] = [];
    for (const agent of agents) {
      const first = this.#firstPaths.get(agent.id);
      if (first === undefined) {
        this.#firstPaths.set(agent.id, path);
        accepted.push(agent);
      } else {
        errors.push({ path: `${path}.id`, message: `duplicate agent id ${quote(agent.id)} (also made by ${first})` });
      }
    }
    return accepted;
  }

  ids(): string[] {
    return [...this.#firstPaths.keys()];
  }
}

/** The agents section, expanded, with duplicates reported. */
export function readAgents(value: unknown, path: string, errors: Errors, ids: AgentIds): ScenarioAgent[] {
  const agents: ScenarioAgent[] = [];
  listEntries(value, path, errors, 'an array of agents').forEach((entry, index) => {
    const draft = readAgentDraft(entry, indexPath(path, index), errors);
    if (draft === undefined) ids.tolerate(entry);
    else agents.push(...ids.claim(expandAgent(draft), indexPath(path, index), errors));
  });
  return agents;
}
