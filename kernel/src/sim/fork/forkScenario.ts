/**
 * A live cluster as a scenario (`allot fork`, the playground's "Fork into
 * simulator"): from the master's GET_STATE and GET_ROLES answers, its agents
 * (resources, attributes, reservations and volumes), roles (weights, quota),
 * frameworks, and the tasks running now, placed on their agents at time 0.
 * Each framework becomes a `batch` model that keeps its running tasks running
 * (a task that ends other than FINISHED is replaced, as Marathon keeps an app's
 * instances), with its capabilities; an SDK service or a Marathon whose
 * scheduler's store was read becomes its `stateful` (forkServices.ts) or
 * `service` (forkMarathons.ts) model instead. What the simulator cannot represent is
 * said in `notes`, never silently dropped. With the master's history
 * (`GET /fork/history`, forkHistory.ts), tasks run and declines filter for
 * as long as they did live. Pure: `allot fork` and the playground's "Fork
 * into simulator" fetch the answers and call it.
 */
import type { ScenarioAgentInput, ScenarioFrameworkInput, ScenarioInput, ScenarioRoleInput } from '../scenario.js';
import type { ObservedFramework } from './forkHistory.js';
import { applyForkHistory } from './forkHistory.js';
import type { ForkedMarathonInput } from './forkMarathons.js';
import { forkMarathons } from './forkMarathons.js';
import type { ForkedServiceInput } from './forkServices.js';
import { forkServices } from './forkServices.js';
import { attributeRecord, splitResources } from './mesosQuantities.js';

type Json = Record<string, any>;

export interface ForkInput {
  /** The `get_state` object of a GET_STATE answer. */
  state: Json;
  /** The `get_roles` object of a GET_ROLES answer. */
  roles: Json;
  /** Where it came from, for the scenario's description. */
  masterUrl: string;
  /** Simulated time to run for (default 10 minutes). */
  durationMs?: number;
  /** The master's `GET /fork/history` answer: task durations and declines as observed (absent: tasks run until killed). */
  history?: Json | null;
  /** SDK services run by `allot service run`: their `GET /v1/state/snapshot` answers (forkServices.ts). */
  services?: readonly ForkedServiceInput[];
  /** Marathons run by `allot marathon run`: their `GET /v2/state/snapshot` answers (forkMarathons.ts). */
  marathons?: readonly ForkedMarathonInput[];
}

export interface ForkResult {
  scenario: ScenarioInput;
  /** What the fork could not carry over exactly, one sentence each. */
  notes: string[];
  /** What the history said of each framework (empty without history). */
  observed: ObservedFramework[];
}

const LIVE_STATES = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING']);
const CAPABILITIES = new Set([
  'GPU_RESOURCES',
  'MULTI_ROLE',
  'PARTITION_AWARE',
  'REGION_AWARE',
  'RESERVATION_REFINEMENT',
  'REVOCABLE_RESOURCES',
  'SHARED_RESOURCES',
  'TASK_KILLING_STATE',
]);
/** Replacements launch as soon as offers allow, not one per offer. */
const FORK_TASKS_PER_OFFER = 1000;

export function forkScenario(input: ForkInput): ForkResult {
  const notes: string[] = [];
  const agents = forkAgents(input.state, notes);
  const frameworks = forkFrameworks(input.state, notes);
  placeTasks(input.state, agents, frameworks, notes);
  const placed = new Set([...agents.values()].flatMap((agent) => (agent.tasks ?? []).map((task) => task.id)));
  if (input.services?.length) forkServices(input.services, frameworks, placed, notes);
  if (input.marathons?.length) forkMarathons(input.marathons, frameworks, notes);
  const observed = input.history ? applyForkHistory(input.history, frameworks, agents, notes) : [];
  if (!input.history) notes.push('running tasks run until killed in the fork (no history from the master); declines use a 5 s filter');
  const scenario: ScenarioInput = {
    name: 'fork',
    description: `A fork of the cluster of ${input.masterUrl}: its agents, roles, frameworks and running tasks.`,
    seed: 1,
    durationMs: input.durationMs ?? 600_000,
    roles: forkRoles(input.roles, notes),
    agents: [...agents.values()],
    frameworks: [...frameworks.values()].map(({ spec }) => spec),
  };
  return { scenario, notes, observed };
}

function forkAgents(state: Json, notes: string[]): Map<string, ScenarioAgentInput> {
  const agents = new Map<string, ScenarioAgentInput>();
  const listed = (state.get_agents?.agents ?? []) as Json[];
  for (const entry of listed) {
    const info = entry.agent_info ?? {};
    const id = String(info.id?.value ?? '');
    const split = splitResources(entry.total_resources ?? info.resources);
    const agent: ScenarioAgentInput = { id, hostname: String(info.hostname ?? id), resources: split.total };
    if (split.ports.length) agent.ports = split.ports;
    const attributes = attributeRecord(info.attributes);
    if (Object.keys(attributes).length) agent.attributes = attributes;
    if (split.reserved.length)
      agent.reservations = split.reserved.map((part) => ({
        role: part.role,
        resources: part.resources,
        ...(part.ports.length ? { ports: part.ports } : {}),
        ...(Object.keys(part.labels).length ? { labels: part.labels } : {}),
      }));
    if (split.reserved.some((part) => part.volume))
      notes.push(`agent ${id}: persistent volumes become reserved disk of their role (the simulator has no free-standing volumes)`);
    if (entry.connection === 'draining' || entry.deactivated)
      notes.push(`agent ${id} is ${entry.connection ?? 'deactivated'} live; it is active in the fork`);
    agents.set(id, agent);
  }
  const away = [...(state.get_agents?.recovered_agents ?? []), ...(state.get_agents?.unreachable_agents ?? [])] as Json[];
  if (away.length) notes.push(`${away.length} agent(s) not registered now (recovering or unreachable) are left out, with their tasks`);
  return agents;
}

interface ForkedFramework {
  spec: ScenarioFrameworkInput;
  /** Task shapes seen, to pick the one replacements use. */
  shapes: Map<string, number>;
}

function forkFrameworks(state: Json, notes: string[]): Map<string, ForkedFramework> {
  const frameworks = new Map<string, ForkedFramework>();
  for (const entry of (state.get_frameworks?.frameworks ?? []) as Json[]) {
    const info = entry.framework_info ?? {};
    const id = String(info.id?.value ?? '');
    const roles: string[] = Array.isArray(info.roles) && info.roles.length ? info.roles : [info.role ?? '*'];
    if (roles.length > 1) notes.push(`framework ${id} has roles ${roles.join(', ')}; the fork runs it in ${roles[0]} only`);
    const capabilities = ((info.capabilities ?? []) as Json[]).map((c) => String(c.type)).filter((type) => CAPABILITIES.has(type));
    const spec: ScenarioFrameworkInput = {
      id,
      name: String(info.name ?? id),
      role: roles[0],
      kind: 'batch',
      tasks: { count: 0, resources: { cpus: 0.1 }, durationMs: null },
      relaunch: true,
      keepRunning: true,
      maxTasksPerOffer: FORK_TASKS_PER_OFFER,
      ...(capabilities.length ? { capabilities: capabilities as ScenarioFrameworkInput['capabilities'] } : {}),
    };
    frameworks.set(id, { spec, shapes: new Map() });
  }
  return frameworks;
}

function placeTasks(state: Json, agents: Map<string, ScenarioAgentInput>, frameworks: Map<string, ForkedFramework>, notes: string[]): void {
  let skipped = 0;
  for (const task of (state.get_tasks?.tasks ?? []) as Json[]) {
    if (!LIVE_STATES.has(task.state)) continue;
    const agent = agents.get(String(task.agent_id?.value));
    const framework = frameworks.get(String(task.framework_id?.value));
    if (!agent || !framework) {
      skipped++;
      continue;
    }
    const split = splitResources(task.resources);
    const reserved = split.reserved[0];
    const resources = reserved ? reserved.resources : split.unreserved;
    if (split.reserved.length > 1 || (reserved && Object.keys(split.unreserved).length))
      notes.push(`task ${task.task_id?.value}: uses reserved and unreserved resources; the fork counts it in its first reservation only`);
    agent.tasks ??= [];
    agent.tasks.push({
      id: String(task.task_id?.value),
      framework: framework.spec.id,
      resources,
      ...(split.ports.length ? { ports: split.ports } : {}),
      ...(reserved ? { reservation: reserved.role } : {}),
      durationMs: null,
    });
    const shape = JSON.stringify(resources);
    framework.shapes.set(shape, (framework.shapes.get(shape) ?? 0) + 1);
  }
  for (const { spec, shapes } of frameworks.values()) {
    const common = [...shapes].sort((a, b) => b[1] - a[1])[0];
    if (common) (spec.tasks as Json).resources = JSON.parse(common[0]);
    if (shapes.size > 1) notes.push(`framework ${spec.id}: tasks of ${shapes.size} shapes; replacements use the most common one`);
  }
  if (skipped) notes.push(`${skipped} running task(s) on agents or of frameworks not in the fork are left out`);
}

function forkRoles(roles: Json, notes: string[]): ScenarioRoleInput[] {
  const out: ScenarioRoleInput[] = [];
  for (const role of (roles.roles ?? []) as Json[]) {
    const name = String(role.name);
    if (name === '*') continue;
    const entry: ScenarioRoleInput = { name, weight: Number(role.weight ?? 1) };
    const quota = role.quota;
    const amounts = (record: Json | undefined) =>
      Object.fromEntries(Object.entries(record ?? {}).map(([resource, value]) => [resource, Number((value as Json).value)]));
    const guarantee = amounts(quota?.guarantees);
    const limit = amounts(quota?.limits);
    if (quota && (Object.keys(guarantee).length || Object.keys(limit).length)) {
      if (name.includes('/')) notes.push(`role ${name}: quota on a nested role is not simulated; left out`);
      else
        entry.quota = {
          ...(Object.keys(guarantee).length ? { guarantee } : {}),
          ...(Object.keys(limit).length ? { limit } : {}),
        };
    }
    out.push(entry);
  }
  return out;
}
