/**
 * Reading scenario frameworks: a unique id, a valid role (roles that the
 * `roles` section does not list get weight 1), a kind, and the fields of that
 * kind, read by its plugin (kernel/src/frameworks). Invariant of every
 * accepted framework: `partitionAware` agrees with its capabilities.
 */
import type { FrameworkCapability, ScenarioFramework } from './scenario.js';
import type { FrameworkKind } from '../schedulers/frameworkConfig.js';
import { frameworkKind, frameworkKinds } from '../frameworks/index.js';
import {
  type Errors,
  type ScalarReader,
  Fields,
  arrayOf,
  booleanValue,
  finiteNumber,
  indexPath,
  isPlainObject,
  listEntries,
  nonEmptyString,
  oneOf,
  quote,
  scalar,
  timeWithin,
} from '../schedulers/fieldReaders.js';
import { demandQuantities, roleName } from '../schedulers/resourceReaders.js';

const COMMON_FIELDS = [
  'id',
  'name',
  'role',
  'kind',
  'refuseSeconds',
  'capabilities',
  'partitionAware',
  'startAtMs',
  'minAllocatable',
] as const;

export const FRAMEWORK_CAPABILITIES: readonly FrameworkCapability[] = [
  'GPU_RESOURCES',
  'MULTI_ROLE',
  'PARTITION_AWARE',
  'REGION_AWARE',
  'RESERVATION_REFINEMENT',
  'REVOCABLE_RESOURCES',
  'SHARED_RESOURCES',
  'TASK_KILLING_STATE',
];

const capabilityList = arrayOf('an array of capability names', oneOf(FRAMEWORK_CAPABILITIES));
export const minAllocatableList = arrayOf('an array of resource amounts such as [{ "cpus": 0.01 }, { "mem": 32 }]', demandQuantities);

function kindReader(): ScalarReader<FrameworkKind> {
  const kinds = [...frameworkKinds.keys()];
  return scalar<FrameworkKind>(`one of ${kinds.map(quote).join(', ')}`, (v) => typeof v === 'string' && frameworkKinds.has(v));
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

/** The common fields first, then the kind's own through its plugin. */
function readFramework(value: unknown, path: string, errors: Errors, durationMs: number | undefined): ScenarioFramework | undefined {
  const kindValue = isPlainObject(value) ? value.kind : undefined;
  const plugin = typeof kindValue === 'string' ? frameworkKind(kindValue) : undefined;
  const fields = Fields.open(value, path, errors, [...COMMON_FIELDS, ...(plugin?.fields ?? frameworkFieldUnion())]);
  if (fields === undefined) return undefined;
  const id = fields.required('id', nonEmptyString);
  const framework: ScenarioFramework = {
    id: id ?? '',
    name: fields.optional('name', nonEmptyString, id ?? ''),
    role: fields.required('role', roleName) ?? '',
    kind: fields.required('kind', kindReader()) ?? 'batch',
    tasks: { count: 0, resources: {}, ports: 0, durationMs: null },
    maxTasksPerOffer: 1,
    refuseSeconds: fields.optional('refuseSeconds', finiteNumber, 5),
    ...readPartitionAwareness(fields, errors),
    relaunch: false,
    startAtMs: fields.optional('startAtMs', timeWithin(durationMs), 0),
  };
  const minAllocatable = fields.maybe('minAllocatable', minAllocatableList);
  if (minAllocatable !== undefined) framework.minAllocatable = minAllocatable;
  plugin?.read(fields, errors, framework, { durationMs });
  return id === undefined ? undefined : framework;
}

/** Before the kind is known, any kind's field is accepted, so only the kind is reported. */
function frameworkFieldUnion(): string[] {
  return [...new Set([...frameworkKinds.values()].flatMap((plugin) => plugin.fields))];
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
