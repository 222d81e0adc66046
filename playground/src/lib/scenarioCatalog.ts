/**
 * Every scenario the picker offers: the kernel's built-ins, then the
 * playground's own, each put in a group by what it is about, read from the
 * scenario itself (its framework kinds, size, reservations, faults), so a
 * new built-in lands in a sensible group with no change here.
 */
import type { ScenarioInput } from '@allot/kernel';
import { builtinScenarios } from '@allot/kernel';
import { playgroundScenarios } from '../scenarios/playgroundScenarios.js';

export interface CatalogGroup {
  id: string;
  label: string;
}

export interface CatalogEntry {
  name: string;
  description: string;
  source: 'kernel' | 'playground';
  group: CatalogGroup;
  /** One line for people: kinds, agents, what happens. */
  summary: string;
  scenario: ScenarioInput;
}

/** In the order the picker lists them; groups with no scenario are left out. */
export const CATALOG_GROUPS: readonly CatalogGroup[] = [
  { id: 'fairness', label: 'Allocation and fairness' },
  { id: 'failures', label: 'Failures and recovery' },
  { id: 'reservations', label: 'Reservations and volumes' },
  { id: 'batch', label: 'Batch jobs (Spark-like)' },
  { id: 'stateful', label: 'Stateful services: plans (Cassandra, Kafka)' },
  { id: 'service', label: 'Long-running services (Marathon-like)' },
  { id: 'elastic', label: 'Elastic frameworks (Myriad-like)' },
  { id: 'mixed', label: 'Whole clusters: several kinds' },
  { id: 'scale', label: 'Scale' },
];

const KIND_WORDS: Record<string, string> = { batch: 'batch', service: 'service', stateful: 'stateful SDK', elastic: 'elastic' };
/** The playground's own scenarios whose faults come from a tour, not the file. */
const PLAYGROUND_GROUPS: Record<string, string> = { 'failure-recovery': 'failures' };
const FAILURE_FAULTS = new Set(['agent.crash', 'agent.restart', 'network.partition', 'network.heal', 'master.failover', 'task.fail']);
const BIG_AGENTS = 1000;

interface Shape {
  kinds: string[];
  agents: number;
  reservations: boolean;
  jobs: boolean;
  failures: boolean;
}

/** What the grouping looks at, read leniently: an edited scenario may be half-written. */
function shapeOf(scenario: ScenarioInput): Shape {
  const input = scenario as { frameworks?: unknown[]; agents?: unknown[]; faults?: unknown[] };
  const frameworks = (Array.isArray(input.frameworks) ? input.frameworks : []) as Array<Record<string, unknown>>;
  const agents = (Array.isArray(input.agents) ? input.agents : []) as Array<Record<string, unknown>>;
  const faults = (Array.isArray(input.faults) ? input.faults : []) as Array<Record<string, unknown>>;
  const kinds = [...new Set(frameworks.map((framework) => String(framework.kind ?? 'batch')))];
  return {
    kinds,
    agents: agents.reduce((sum, agent) => sum + (typeof agent.count === 'number' ? agent.count : 1), 0),
    reservations:
      agents.some((agent) => Array.isArray(agent.reservations) && agent.reservations.length > 0) ||
      frameworks.some((framework) => Boolean((framework.tasks as Record<string, unknown> | undefined)?.persistentVolume)),
    jobs: frameworks.some((framework) => Array.isArray(framework.jobs)),
    failures: faults.some((fault) => FAILURE_FAULTS.has(String(fault.type))),
  };
}

export function groupOf(scenario: ScenarioInput): CatalogGroup {
  const shape = shapeOf(scenario);
  const byId = (id: string) => CATALOG_GROUPS.find((group) => group.id === id)!;
  if (shape.agents > BIG_AGENTS) return byId('scale');
  if (shape.kinds.length > 1) return byId('mixed');
  const kind = shape.kinds[0] ?? 'batch';
  if (kind !== 'batch') return CATALOG_GROUPS.find((group) => group.id === kind) ?? { id: kind, label: `${kind} frameworks` };
  if (shape.jobs) return byId('batch');
  if (shape.reservations) return byId('reservations');
  if (shape.failures) return byId('failures');
  return byId('fairness');
}

export function summaryOf(scenario: ScenarioInput): string {
  const shape = shapeOf(scenario);
  const kinds = shape.kinds.map((kind) => KIND_WORDS[kind] ?? kind).join(', ');
  const frameworks = ((scenario as { frameworks?: unknown[] }).frameworks ?? []).length;
  return `${shape.agents.toLocaleString('en')} agent${shape.agents === 1 ? '' : 's'} · ${frameworks} framework${frameworks === 1 ? '' : 's'} (${kinds || 'none'})`;
}

function entry(scenario: ScenarioInput, source: CatalogEntry['source']): CatalogEntry {
  const fixed = source === 'playground' ? CATALOG_GROUPS.find((group) => group.id === PLAYGROUND_GROUPS[scenario.name]) : undefined;
  return {
    name: scenario.name,
    description: scenario.description ?? '',
    source,
    group: fixed ?? groupOf(scenario),
    summary: summaryOf(scenario),
    scenario,
  };
}

export const scenarioCatalog: readonly CatalogEntry[] = [
  ...builtinScenarios.map((scenario) => entry(scenario, 'kernel')),
  ...playgroundScenarios.map((scenario) => entry(scenario, 'playground')),
];

/** The picker's groups, in order, each with its scenarios (kernel's first, then the playground's). */
export const catalogGroups: ReadonlyArray<{ group: CatalogGroup; entries: CatalogEntry[] }> = [
  ...CATALOG_GROUPS,
  ...[...new Map(scenarioCatalog.map((item) => [item.group.id, item.group])).values()].filter(
    (group) => !CATALOG_GROUPS.some((known) => known.id === group.id),
  ),
]
  .map((group) => ({ group, entries: scenarioCatalog.filter((item) => item.group.id === group.id) }))
  .filter((item) => item.entries.length > 0);

export const DEFAULT_SCENARIO = 'drf-paper';

export function findScenario(name: string): ScenarioInput | undefined {
  return scenarioCatalog.find((item) => item.name === name)?.scenario;
}

export function findEntry(name: string): CatalogEntry | undefined {
  return scenarioCatalog.find((item) => item.name === name);
}
