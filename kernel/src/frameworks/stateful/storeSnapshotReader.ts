/**
 * Reading the `snapshot` of a stateful framework: the SDK scheduler's state
 * store (sdk/schedulerState.ts; `allot service` serves it as
 * `GET /v1/state/snapshot`), from which the service starts as if its
 * scheduler had restarted with that store — a live service forked into the
 * simulator keeps its pods, their tasks and reservations, and its plans'
 * progress. Every config is read as a service spec; pod instances and plans
 * are checked for the fields the scheduler relies on, and must refer to
 * configs and pods the snapshot has.
 */
import type { ServiceSchedulerSnapshot } from '../../sdk/schedulerState.js';
import type { ServiceSpec } from '../../sdk/serviceSpec.js';
import { readServiceSpec } from '../../sdk/serviceSpecReader.js';
import { STATUSES } from '../../sdk/status.js';
import type { Errors } from '../../schedulers/fieldReaders.js';
import {
  Fields,
  anyString,
  arrayOf,
  booleanValue,
  finiteNumber,
  indexPath,
  integerAtLeast,
  isPlainObject,
  listEntries,
  nonEmptyString,
  nullable,
  oneOf,
  recordOf,
} from '../../schedulers/fieldReaders.js';
import { TASK_STATES } from '../../tasks/taskState.js';

const SNAPSHOT_FIELDS = ['configs', 'targetConfigId', 'configErrors', 'instances', 'garbage', 'ids', 'log', 'plans'] as const;
const PLAN_KINDS = ['deploy', 'recovery', 'decommission', 'custom'] as const;

const taskState = nullable(oneOf(TASK_STATES));
const timeOrNull = nullable(finiteNumber);

/** The snapshot, or undefined with the problems in `errors`; `service` is the framework's own spec, which must be its target. */
export function readStoreSnapshot(
  value: unknown,
  path: string,
  errors: Errors,
  service: ServiceSpec | undefined,
): ServiceSchedulerSnapshot | undefined {
  const fields = Fields.open(value, path, errors, SNAPSHOT_FIELDS);
  if (!fields) return undefined;
  const before = errors.length;
  const configs = readConfigs(fields, errors);
  const targetConfigId = fields.required('targetConfigId', integerAtLeast(1));
  const target = configs.find(([id]) => id === targetConfigId)?.[1];
  if (targetConfigId !== undefined && !target)
    errors.push({ path: fields.pathOf('targetConfigId'), message: `no config ${targetConfigId} in "configs"` });
  if (target && service && JSON.stringify(target) !== JSON.stringify(service))
    errors.push({
      path: fields.pathOf('targetConfigId'),
      message: 'its config differs from the framework\'s "service"; they must be the same spec',
    });
  const podTypes = new Set(configs.flatMap(([, spec]) => spec.pods.map((pod) => pod.type)));
  listEntries(fields.value('instances'), fields.pathOf('instances'), errors, 'an array of pod instances').forEach((entry, index) =>
    checkInstance(entry, indexPath(fields.pathOf('instances'), index), errors, podTypes),
  );
  listEntries(fields.value('plans'), fields.pathOf('plans'), errors, 'an array of plans').forEach((entry, index) =>
    checkPlan(entry, indexPath(fields.pathOf('plans'), index), errors),
  );
  fields.optional('configErrors', arrayOf('an array of strings', anyString), []);
  fields.optional('garbage', arrayOf('an array of resource ids', nonEmptyString), []);
  fields.optional('ids', integerAtLeast(0), 0);
  fields.optional('log', arrayOf('an array of log entries', { expected: 'a log entry', read: (v, p, e) => checkLogEntry(v, p, e) }), []);
  if (errors.length > before) return undefined;
  // Plain JSON with the defaults filled in; configs as read (normalized specs).
  const raw = value as Record<string, any>;
  return {
    configs,
    targetConfigId: targetConfigId!,
    configErrors: raw.configErrors ?? [],
    instances: raw.instances,
    garbage: raw.garbage ?? [],
    ids: raw.ids ?? 0,
    log: raw.log ?? [],
    plans: raw.plans,
  };
}

function readConfigs(fields: Fields, errors: Errors): Array<[number, ServiceSpec]> {
  const path = fields.pathOf('configs');
  const configs: Array<[number, ServiceSpec]> = [];
  const entries = listEntries(fields.value('configs'), path, errors, 'an array of [config id, service spec] pairs');
  if (fields.has('configs') && entries.length === 0) errors.push({ path, message: 'expected at least one config' });
  entries.forEach((entry, index) => {
    const at = indexPath(path, index);
    if (!Array.isArray(entry) || entry.length !== 2 || !Number.isSafeInteger(entry[0]) || (entry[0] as number) < 1) {
      errors.push({ path: at, message: 'expected a [config id (an integer >= 1), service spec] pair' });
      return;
    }
    const spec = readServiceSpec(entry[1], indexPath(at, 1), errors);
    if (spec) configs.push([entry[0] as number, spec]);
  });
  return configs;
}

function checkInstance(value: unknown, path: string, errors: Errors, podTypes: ReadonlySet<string>): void {
  const fields = Fields.open(value, path, errors, Object.keys(isPlainObject(value) ? value : {}));
  if (!fields) return;
  fields.required('name', nonEmptyString);
  const podType = fields.required('podType', nonEmptyString);
  if (podType !== undefined && !podTypes.has(podType))
    errors.push({ path: fields.pathOf('podType'), message: `no pod "${podType}" in any of the snapshot's configs` });
  fields.required('index', integerAtLeast(0));
  fields.required('agentId', nullable(nonEmptyString));
  fields.required('configId', integerAtLeast(1));
  fields.required('resourceIds', recordOf('an object of resource ids by task name', nonEmptyString));
  fields.required(
    'volumes',
    arrayOf('an array of volumes', { expected: 'a volume', read: (v, p, e) => checkObject(v, p, e, ['resourceId', 'persistenceId']) }),
  );
  for (const clock of ['failedAtMs', 'backoffMs', 'delayedUntilMs', 'readySinceMs'] as const) fields.required(clock, timeOrNull);
  fields.required('relaunchPending', booleanValue);
  fields.required('decommissioned', booleanValue);
  const tasksPath = fields.pathOf('tasks');
  const tasks = fields.value('tasks');
  if (!isPlainObject(tasks)) {
    errors.push({ path: tasksPath, message: 'expected an object of task records by task name' });
    return;
  }
  for (const [name, record] of Object.entries(tasks)) {
    const task = Fields.open(record, `${tasksPath}.${name}`, errors, ['name', 'taskId', 'state', 'ready', 'configId']);
    if (!task) continue;
    task.required('name', nonEmptyString);
    task.required('taskId', nullable(nonEmptyString));
    task.required('state', taskState);
    task.required('ready', booleanValue);
    task.required('configId', integerAtLeast(1));
  }
}

function checkPlan(value: unknown, path: string, errors: Errors): void {
  const fields = Fields.open(value, path, errors, ['name', 'kind', 'strategy', 'phases']);
  if (!fields) return;
  fields.required('name', nonEmptyString);
  fields.required('kind', oneOf(PLAN_KINDS));
  checkObject(fields.value('strategy'), fields.pathOf('strategy'), errors, ['spec']);
  listEntries(fields.value('phases'), fields.pathOf('phases'), errors, 'an array of phases').forEach((entry, index) => {
    const phase = Fields.open(entry, indexPath(fields.pathOf('phases'), index), errors, ['name', 'strategy', 'steps']);
    if (!phase) return;
    phase.required('name', nonEmptyString);
    checkObject(phase.value('strategy'), phase.pathOf('strategy'), errors, ['spec']);
    listEntries(phase.value('steps'), phase.pathOf('steps'), errors, 'an array of steps').forEach((step, at) => {
      const stepFields = Fields.open(step, indexPath(phase.pathOf('steps'), at), errors, [
        'name',
        'podInstance',
        'action',
        'tasks',
        'status',
        'interrupted',
        'reasons',
      ]);
      if (!stepFields) return;
      stepFields.required('name', nonEmptyString);
      stepFields.required('podInstance', nonEmptyString);
      stepFields.required('status', oneOf(STATUSES));
      stepFields.required('tasks', arrayOf('an array of task names', nonEmptyString));
    });
  });
}

/** An object that has at least `keys`; returns it as is. */
function checkObject(value: unknown, path: string, errors: Errors, keys: readonly string[]): unknown {
  if (!isPlainObject(value)) {
    errors.push({ path, message: `expected an object with ${keys.map((key) => `"${key}"`).join(', ')}` });
    return undefined;
  }
  for (const key of keys) if (!(key in value)) errors.push({ path: `${path}.${key}`, message: 'missing required field' });
  return value;
}

function checkLogEntry(value: unknown, path: string, errors: Errors): unknown {
  if (!isPlainObject(value) || typeof value.atMs !== 'number' || typeof value.what !== 'string') {
    errors.push({ path, message: 'expected { "atMs": number, "what": string }' });
    return undefined;
  }
  return value;
}
