/**
 * The `batch` kind (Spark-like): a queue of identical tasks, launched from
 * offers `maxTasksPerOffer` at a time, optionally with persistent volumes and
 * relaunch of failed tasks. See sim/batchFramework.ts for the model.
 */
import { BatchFramework } from '../../sim/batchFramework.js';
import type { ScenarioTasks } from '../../sim/scenario.js';
import type { Errors } from '../../sim/scenarioFields.js';
import { booleanValue, Fields, integerAtLeast, nonEmptyString, nullable, positiveNumber } from '../../sim/scenarioFields.js';
import { demandQuantities } from '../../sim/scenarioResources.js';
import type { FrameworkKindPlugin } from '../frameworkKind.js';

const TASKS_FIELDS = ['count', 'resources', 'ports', 'durationMs', 'persistentVolume'] as const;
const VOLUME_FIELDS = ['sizeMb', 'containerPath'] as const;

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

export const batchKind: FrameworkKindPlugin = {
  kind: 'batch',
  description: 'a queue of identical tasks (Spark-like)',
  fields: ['tasks', 'maxTasksPerOffer', 'relaunch'],
  read(fields, errors, framework) {
    if (fields.has('tasks')) framework.tasks = readTasks(fields.value('tasks'), fields.pathOf('tasks'), errors);
    else errors.push({ path: fields.pathOf('tasks'), message: 'missing required field; expected an object with "count" and "resources"' });
    framework.maxTasksPerOffer = fields.optional('maxTasksPerOffer', integerAtLeast(1), 1);
    framework.relaunch = fields.optional('relaunch', booleanValue, false);
  },
  create: (framework) => new BatchFramework(framework),
};
