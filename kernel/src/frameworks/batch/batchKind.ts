/**
 * The `batch` kind (Spark-like): a queue of identical tasks, launched from
 * offers `maxTasksPerOffer` at a time, optionally with persistent volumes and
 * relaunch of failed tasks (batchFramework.ts); or, with `jobs`, jobs of
 * many short tasks arriving over time (jobsFramework.ts).
 */
import { BatchFramework } from './batchFramework.js';
import type { FrameworkTasks } from '../../schedulers/frameworkConfig.js';
import type { Errors } from '../../schedulers/fieldReaders.js';
import {
  booleanValue,
  Fields,
  indexPath,
  integerAtLeast,
  listEntries,
  nonEmptyString,
  nullable,
  positiveNumber,
  quote,
  timeWithin,
} from '../../schedulers/fieldReaders.js';
import { demandQuantities } from '../../schedulers/resourceReaders.js';
import type { FrameworkKindPlugin } from '../frameworkKind.js';
import type { BatchJobSpec, BatchJobsOptions } from './jobsFramework.js';
import { JobsFramework } from './jobsFramework.js';

const TASKS_FIELDS = ['count', 'resources', 'ports', 'durationMs', 'persistentVolume'] as const;
const VOLUME_FIELDS = ['sizeMb', 'containerPath'] as const;

function readTasks(value: unknown, path: string, errors: Errors): FrameworkTasks {
  const fields = Fields.open(value, path, errors, TASKS_FIELDS);
  if (fields === undefined) return { count: 0, resources: {}, ports: 0, durationMs: null };
  const tasks: FrameworkTasks = {
    count: fields.required('count', integerAtLeast(0)) ?? 0,
    resources: fields.required('resources', demandQuantities) ?? {},
    ports: fields.optional('ports', integerAtLeast(0), 0),
    durationMs: fields.optional('durationMs', nullable(positiveNumber), null),
  };
  if (fields.has('persistentVolume')) {
    const volume = Fields.open(fields.value('persistentVolume'), fields.pathOf('persistentVolume'), errors, VOLUME_FIELDS);
    if (volume)
      tasks.persistentVolume = {
        sizeMb: volume.required('sizeMb', positiveNumber) ?? 0,
        containerPath: volume.optional('containerPath', nonEmptyString, 'data'),
      };
  }
  return tasks;
}

const JOB_FIELDS = ['id', 'atMs', 'tasks', 'resources', 'ports', 'durationMs'] as const;

/** The `jobs` list: ids default to job-<index> and must be unique. */
function readJobs(value: unknown, path: string, errors: Errors, durationMs: number | undefined): BatchJobSpec[] {
  const jobs: BatchJobSpec[] = [];
  const seen = new Set<string>();
  listEntries(
    value,
    path,
    errors,
    'an array of jobs such as [{ "atMs": 0, "tasks": 10, "resources": { "cpus": 1 }, "durationMs": 5000 }]',
  ).forEach((entry, index) => {
    const fields = Fields.open(entry, indexPath(path, index), errors, JOB_FIELDS);
    if (!fields) return;
    const id = fields.optional('id', nonEmptyString, `job-${index}`);
    if (seen.has(id)) errors.push({ path: fields.pathOf('id'), message: `duplicate job id ${quote(id)}` });
    seen.add(id);
    jobs.push({
      id,
      atMs: fields.required('atMs', timeWithin(durationMs)) ?? 0,
      tasks: fields.required('tasks', integerAtLeast(0)) ?? 0,
      resources: fields.required('resources', demandQuantities) ?? {},
      ports: fields.optional('ports', integerAtLeast(0), 0),
      durationMs: fields.optional('durationMs', nullable(positiveNumber), null),
    });
  });
  return jobs;
}

export const batchKind: FrameworkKindPlugin = {
  kind: 'batch',
  description: 'a queue of identical tasks, or jobs of tasks arriving over time (Spark-like)',
  fields: ['tasks', 'jobs', 'maxTasksPerOffer', 'relaunch', 'keepRunning'],
  read(fields, errors, framework, context) {
    if (fields.has('tasks')) framework.tasks = readTasks(fields.value('tasks'), fields.pathOf('tasks'), errors);
    else if (!fields.has('jobs'))
      errors.push({
        path: fields.pathOf('tasks'),
        message: 'missing required field; expected an object with "count" and "resources" (or a "jobs" array)',
      });
    if (fields.has('jobs')) {
      const options: BatchJobsOptions = { jobs: readJobs(fields.value('jobs'), fields.pathOf('jobs'), errors, context.durationMs) };
      framework.options = options;
      if (framework.tasks.persistentVolume)
        errors.push({
          path: `${fields.pathOf('tasks')}.persistentVolume`,
          message: 'persistent volumes are not supported together with "jobs"',
        });
    }
    framework.maxTasksPerOffer = fields.optional('maxTasksPerOffer', integerAtLeast(1), 1);
    framework.relaunch = fields.optional('relaunch', booleanValue, false);
    // Like Marathon keeping an app's instance count: a task killed by someone else (a drain) is replaced too.
    if (fields.optional('keepRunning', booleanValue, false)) framework.keepRunning = true;
  },
  create: (framework) => (framework.options ? new JobsFramework(framework) : new BatchFramework(framework)),
};
