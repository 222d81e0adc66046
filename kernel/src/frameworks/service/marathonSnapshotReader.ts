/**
 * Reading the `snapshot` of a `service` (Marathon-like) framework: the
 * model's store (marathonFramework.ts `MarathonSnapshot`; `allot marathon`
 * serves it as `GET /v2/state/snapshot`), from which the framework starts as
 * if its scheduler had restarted with it: a live Marathon forked into the
 * simulator keeps its apps, their running instances and deployments. Each
 * app's spec is read as an app of the `apps` field; its instances are
 * checked for what the model relies on; the snapshot's apps must be the
 * framework's `apps`. The specs come back as read, with their defaults.
 */
import type { Errors } from '../../schedulers/fieldReaders.js';
import {
  Fields,
  finiteNumber,
  indexPath,
  integerAtLeast,
  isPlainObject,
  listEntries,
  nonEmptyString,
  nullable,
  oneOf,
  recordOf,
  arrayOf,
} from '../../schedulers/fieldReaders.js';
import { TASK_STATES } from '../../tasks/taskState.js';
import type { AppSnapshot, ServiceAppJson } from './appSnapshot.js';
import { appSpecJson } from './appSnapshot.js';
import type { ServiceApp } from './appSpec.js';
import type { MarathonSnapshot } from './marathonFramework.js';

const APP_SNAPSHOT_FIELDS = [
  'spec',
  'instances',
  'version',
  'queued',
  'live',
  'nextNumber',
  'restart',
  'deployments',
  'failures',
  'delayMs',
  'notBeforeMs',
  'lastRejection',
  'rejections',
] as const;

/** The snapshot, or undefined with the problems in `errors`; `readSpec` reads an app spec as the `apps` field does. */
export function readMarathonSnapshot(
  value: unknown,
  path: string,
  errors: Errors,
  appIds: readonly string[],
  readSpec: (value: unknown, path: string) => ServiceApp | undefined,
): MarathonSnapshot | undefined {
  const fields = Fields.open(value, path, errors, ['apps', 'removing', 'taskStates']);
  if (!fields) return undefined;
  const before = errors.length;
  const ids: string[] = [];
  /** Each app's spec as read (defaults filled in), in the store's JSON form. */
  const specs: ServiceAppJson[] = [];
  if (!fields.has('apps'))
    errors.push({ path: fields.pathOf('apps'), message: 'missing required field; expected an array of app snapshots' });
  listEntries(fields.value('apps'), fields.pathOf('apps'), errors, 'an array of app snapshots').forEach((entry, index) => {
    const app = Fields.open(entry, indexPath(fields.pathOf('apps'), index), errors, APP_SNAPSHOT_FIELDS);
    if (!app) return;
    const spec = readSpec(app.value('spec'), app.pathOf('spec'));
    if (spec) {
      ids.push(spec.id);
      specs.push(appSpecJson(spec));
    }
    app.required('instances', integerAtLeast(0));
    app.required('version', nonEmptyString);
    app.required('queued', integerAtLeast(0));
    app.required('nextNumber', integerAtLeast(0));
    app.required('failures', integerAtLeast(0));
    app.required('delayMs', nullable(finiteNumber));
    app.required('notBeforeMs', finiteNumber);
    app.optional('deployments', arrayOf('an array of deployments', { expected: 'a deployment', read: (v) => v }), []);
    listEntries(app.value('live'), app.pathOf('live'), errors, 'an array of running instances').forEach((live, at) => {
      const instance = Fields.open(live, indexPath(app.pathOf('live'), at), errors, Object.keys(isPlainObject(live) ? live : {}));
      if (!instance) return;
      instance.required('taskId', nonEmptyString);
      instance.required('agentId', nonEmptyString);
      instance.required('version', nonEmptyString);
      instance.required('number', integerAtLeast(0));
      instance.required('launchedAtMs', finiteNumber);
      instance.required('state', oneOf(TASK_STATES));
      if (!isPlainObject(instance.value('target')))
        errors.push({ path: instance.pathOf('target'), message: "expected an object (the agent's hostname and attributes)" });
    });
  });
  fields.optional('removing', arrayOf('an array of app ids', nonEmptyString), []);
  fields.optional('taskStates', recordOf('an object of task states by task id', oneOf(TASK_STATES)), {});
  const missing = appIds.filter((id) => !ids.includes(id));
  const extra = ids.filter((id) => !appIds.includes(id));
  if (errors.length === before && (missing.length || extra.length))
    errors.push({
      path: fields.pathOf('apps'),
      message: `the snapshot's apps must be the framework's "apps"${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; not in "apps": ${extra.join(', ')}` : ''}`,
    });
  if (errors.length > before) return undefined;
  const raw = value as Record<string, any>;
  const apps = (raw.apps as AppSnapshot[]).map((app, index) => ({ ...app, spec: specs[index] }));
  return { apps, removing: raw.removing ?? [], taskStates: raw.taskStates ?? {} };
}
