/**
 * Reading scenario frameworks: a unique id, a valid role (roles that the
 * `roles` section does not list get weight 1), a kind, the task queue and the
 * offer-handling settings. Only the "batch" kind exists so far. Invariant of
 * every accepted framework: `partitionAware` agrees with its capabilities.
 */
import type { FrameworkCapability, ScenarioFramework, ScenarioTasks } from './scenario.js';
import {
  type Errors,
  Fields,
  arrayOf,
  booleanValue,
  finiteNumber,
  indexPath,
  integerAtLeast,
  listEntries,
  nonEmptyString,
  nullable,
  oneOf,
  positiveNumber,
  quote,
  scalar,
  timeWithin,
} from './scenarioFields.js';
import { demandQuantities, roleName } from './scenarioResources.js';

const FRAMEWORK_FIELDS = [
  'id', 'name', 'role', 'kind', 'tasks', 'maxTasksPerOffer', 'refuseSeconds',
  'capabilities', 'partitionAware', 'relaunch', 'startAtMs', 'minAllocatable',
] as const;
const TASKS_FIELDS = ['count', 'resources', 'ports', 'durationMs', 'persistentVolume'] as const;
const VOLUME_FIELDS = ['sizeMb', 'containerPath'] as const;

export const FRAMEWORK_CAPABILITIES: readonly FrameworkCapability[] = [
  'GPU_RESOURCES', 'MULTI_ROLE', 'PARTITION_AWARE', 'REGION_AWARE',
  'RESERVATION_REFINEMENT', 'REVOCABLE_RESOURCES', 'SHARED_RESOURCES', 'TASK_KILLING_STATE',
];

const frameworkKind = scalar<'batch'>(
  '"batch" (kinds "service", "stateful", "elastic" are not implemented yet)',
  (v) => v === 'batch',
);
const capabilityList = arrayOf('an array of capability names', oneOf(FRAMEWORK_CAPABILITIES));
export const minAllocatableList = arrayOf('an array of resource amounts such as [{ "cpus": 0.01 }, { "mem": 32 }]', demandQuantities);

function readTasks(value: unknown, path: string, errors: Errors): ScenarioTasks {
  const fields = Fields.open(value, path, errors, TASKS_FIELDS);
  if (fields === undefined) return { count: 0, resources: {}, ports: 0, durationMs: null };
  const tasks: ScenarioTasks = {
    count: fields.required('count', integerAtLeast(0)) ?? 0,
    resources: fields.required('resources', demandQuantities) ?? {},
    ports: fields.optional('ports', integerAtLeast(0), 0),
    durationMs: fields.optional('durationMs', nullable(positiveNumber), null),
  };
  if (fields.has('persistentVolume')) {
    const volume = Fields.open(fields.value('persistentVolume'), fields.pathOf('persistentVolume'), errors, VOLUME_FIELDS);
    if (volume) tasks.persistentVolume = { sizeMb: volume.required('sizeMb', positiveNumber) ?? 0, containerPath: volume.optional('containerPath', nonEmptyString, 'data') };
  }
  return tasks;
}

/** Reads capabilities and `partitionAware`, which must not contradict each other. */
function readPartitionAwareness(fields: Fields, errors: Errors): Pick<ScenarioFramework, 'capabilities' | 'partitionAware'> {
  const capabilities = [...fields.optional('capabilities', capabilityList, [])];
  const listed = capabilities.includes('PARTITION_AWARE');
  const partitionAware = fields.optional('partitionAware', booleanValue, listed);
  if (partitionAware && !listed) capabilities.push('PARTITION_AWARE');
  if (!partitionAware && listed) {
    errors.push({ path: fields.pathOf('partitionAware'), message: 'false contradicts "PARTITION_AWARE" in capabilities' });
  }
  return { capabilities, partitionAware };
}

function readFramework(value: unknown, path: string, errors: Errors, durationMs: number | undefined): ScenarioFramework | undefined {
  const fields = Fields.open(value, path, errors, FRAMEWORK_FIELDS);
  if (fields === undefined) return undefined;
  const id = fields.required('id', nonEmptyString);
  const framework: ScenarioFramework = {
    id: id ?? '',
    name: fields.optional('name', nonEmptyString, id ?? ''),
    role: fields.required('role', roleName) ?? '',
    kind: fields.required('kind', frameworkKind) ?? 'batch',
    tasks: fields.has('tasks') ? readTasks(fields.value('tasks'), fields.pathOf('tasks'), errors) : missingTasks(fields, errors),
    maxTasksPerOffer: fields.optional('maxTasksPerOffer', integerAtLeast(1), 1),
    refuseSeconds: fields.optional('refuseSeconds', finiteNumber, 5),
    ...readPartitionAwareness(fields, errors),
    relaunch: fields.optional('relaunch', booleanValue, false),
    startAtMs: fields.optional('startAtMs', timeWithin(durationMs), 0),
  };
  const minAllocatable = fields.maybe('minAllocatable', minAllocatableList);
  if (minAllocatable !== undefined) framework.minAllocatable = minAllocatable;
  return id === undefined ? undefined : framework;
}

function missingTasks(fields: Fields, errors: Errors): ScenarioTasks {
  errors.push({ path: fields.pathOf('tasks'), message: 'missing required field; expected an object with "count" and "resources"' });
  return { count: 0, resources: {}, ports: 0, durationMs: null };
}

/** The frameworks section; a framework id used twice is reported at its second entry. */
export function readFrameworks(value: unknown, path: string, errors: Errors, durationMs: number | undefined): ScenarioFramework[] {
  const frameworks: ScenarioFramework[] = [];
  const firstPaths = new Map<string, string>();
  listEntries(value, path, errors, 'an array of frameworks').forEach((entry, index) => {
    const framework = readFramework(entry, indexPath(path, index), errors, durationMs);
    if (framework === undefined) return;
    const first = firstPaths.get(framework.id);
    if (first !== undefined) {
      errors.push({ path: `${indexPath(path, index)}.id`, message: `duplicate framework id ${quote(framework.id)} (first at ${first})` });
      return;
    }
    firstPaths.set(framework.id, indexPath(path, index));
    frameworks.push(framework);
  });
  return frameworks;
}
