/**
 * The whole-file pass behind `parseScenario`: reads every section, fills in the
 * defaults (seed 1, a 1 s allocation interval, Mesos's allocator defaults) and
 * checks the references between sections. A scenario comes back only when the
 * pass recorded no error at all; otherwise every error comes back, in file order
 * of sections.
 */
import type { Scenario, ScenarioAgent, ScenarioAllocator, ScenarioFramework, ScenarioResult, SorterKind } from './scenario.js';
import { AgentIds, readAgents } from './scenarioAgents.js';
import { checkFaultReferences } from './scenarioFaultReferences.js';
import { readFaults } from './scenarioFaults.js';
import {
  type Errors,
  Fields,
  anyString,
  arrayOf,
  nonEmptyString,
  nullable,
  oneOf,
  positiveNumber,
  quote,
  safeInteger,
} from '../schedulers/fieldReaders.js';
import { minAllocatableList, readFrameworks } from './scenarioFrameworks.js';
import { resourceName } from '../schedulers/resourceReaders.js';
import { readRoles } from './scenarioRoles.js';

const SCENARIO_FIELDS = [
  'name',
  'description',
  'seed',
  'durationMs',
  'allocationIntervalMs',
  'allocator',
  'roles',
  'agents',
  'frameworks',
  'faults',
] as const;
const ALLOCATOR_FIELDS = ['roleSorter', 'frameworkSorter', 'fairSharingExcludedResourceNames', 'minAllocatable', 'offerTimeoutMs'] as const;

const sorterKind = oneOf<SorterKind>(['drf', 'random']);
const resourceNameList = arrayOf('an array of resource names', resourceName);

/** Mesos's allocator flags as defaults; fresh objects every time, since scenarios own them. */
export function defaultAllocator(): ScenarioAllocator {
  return {
    roleSorter: 'drf',
    frameworkSorter: 'drf',
    fairSharingExcludedResourceNames: [],
    minAllocatable: [{ cpus: 0.01 }, { mem: 32 }],
    offerTimeoutMs: null,
  };
}

function readAllocator(value: unknown, path: string, errors: Errors): ScenarioAllocator {
  const defaults = defaultAllocator();
  if (value === undefined) return defaults;
  const fields = Fields.open(value, path, errors, ALLOCATOR_FIELDS);
  if (fields === undefined) return defaults;
  return {
    roleSorter: fields.optional('roleSorter', sorterKind, defaults.roleSorter),
    frameworkSorter: fields.optional('frameworkSorter', sorterKind, defaults.frameworkSorter),
    fairSharingExcludedResourceNames: fields.optional('fairSharingExcludedResourceNames', resourceNameList, []),
    minAllocatable: fields.optional('minAllocatable', minAllocatableList, defaults.minAllocatable),
    offerTimeoutMs: fields.optional('offerTimeoutMs', nullable(positiveNumber), null),
  };
}

export function validateScenario(input: unknown): ScenarioResult {
  const errors: Errors = [];
  const top = Fields.open(input, '$', errors, SCENARIO_FIELDS);
  if (top === undefined) return { ok: false, errors };
  const name = top.required('name', nonEmptyString) ?? '';
  const description = top.optional('description', anyString, '');
  const seed = top.optional('seed', safeInteger, 1);
  const durationMs = top.required('durationMs', positiveNumber);
  const allocationIntervalMs = top.optional('allocationIntervalMs', positiveNumber, 1000);
  const allocator = readAllocator(top.value('allocator'), top.pathOf('allocator'), errors);
  const roles = readRoles(top.value('roles'), top.pathOf('roles'), errors);
  const agentIds = new AgentIds();
  const agents = readAgents(top.value('agents'), top.pathOf('agents'), errors, agentIds);
  const frameworks = readFrameworks(top.value('frameworks'), top.pathOf('frameworks'), errors, durationMs);
  const readFaultList = readFaults(top.value('faults'), top.pathOf('faults'), errors, durationMs, agentIds);
  checkFaultReferences(readFaultList, agentIds, frameworks, errors);
  checkAgentTaskFrameworks(agents, frameworks, errors);
  checkSomeAgent(agentIds, top.pathOf('agents'), errors);
  if (errors.length > 0 || durationMs === undefined) return { ok: false, errors };
  const faults = readFaultList.map((entry) => entry.fault);
  const scenario: Scenario = { name, description, seed, durationMs, allocationIntervalMs, allocator, roles, agents, frameworks, faults };
  return { ok: true, scenario };
}

/** Running tasks belong to frameworks of the scenario, in one of their roles; task ids are unique per framework. */
function checkAgentTaskFrameworks(agents: readonly ScenarioAgent[], frameworks: readonly ScenarioFramework[], errors: Errors): void {
  const byId = new Map(frameworks.map((framework) => [framework.id, framework]));
  const seen = new Set<string>();
  for (const agent of agents) {
    agent.tasks?.forEach((task, index) => {
      // Agents are expanded by then: the path names the agent by its id.
      const path = `$.agents[id=${agent.id}].tasks[${index}]`;
      const framework = byId.get(task.framework);
      if (!framework) errors.push({ path: `${path}.framework`, message: `no framework ${quote(task.framework)} in "frameworks"` });
      else if (task.role !== undefined && task.role !== framework.role)
        errors.push({
          path: `${path}.role`,
          message: `framework ${quote(framework.id)} runs in role ${quote(framework.role)}, not ${quote(task.role)}`,
        });
      const key = `${task.framework}/${task.id}`;
      if (seen.has(key))
        errors.push({ path: `${path}.id`, message: `task ${quote(task.id)} of ${quote(task.framework)} runs on another agent too` });
      seen.add(key);
    });
  }
}

/** A cluster without agents runs no task at all: refused rather than run to an empty report. */
function checkSomeAgent(agentIds: AgentIds, path: string, errors: Errors): void {
  if (agentIds.ids().length > 0 || errors.some((error) => error.path.startsWith(path))) return;
  errors.push({
    path,
    message:
      'a scenario needs at least one agent, listed here or added by an "agent.add" fault: without one no task can run; ' +
      'add e.g. { "id": "agent", "resources": { "cpus": 4, "mem": 8192 } }',
  });
}
