/**
 * A DC/OS Commons `svc.yml` (the common subset) as the input of the SDK's
 * service spec reader: `name`, `scheduler.{principal,user}`,
 * `replacement-failure-policy.permanent-failure-timeout-secs`,
 * `pods.<type>.{count, placement, allow-decommission, resource-sets, volume,
 * volumes, tasks}`, `tasks.<name>.{goal, essential, cmd, cpus, memory, ports,
 * env, volume, volumes, resource-set, readiness-check, health-check}` and
 * `plans` (svcYamlPlans.ts). Structure is checked here at YAML paths; values
 * are checked by readServiceSpec, whose JSON paths `paths` maps back to the
 * YAML ones. Known svc.yml features allot does not have are refused by name.
 */
import type { Errors } from '@allot/kernel';
import { Fields, fieldPath, isPlainObject, reportExpected } from '@allot/kernel';
import type { PathMap } from './svcYamlPaths.js';
import { readPlans } from './svcYamlPlans.js';
import { readResourceSets, readTask, volumesOf } from './svcYamlTasks.js';
import { refuseUnsupported, unsupported } from './svcYamlUnsupported.js';

type Json = Record<string, any>;

const TOP_FIELDS = ['name', 'scheduler', 'pods', 'plans', 'replacement-failure-policy', 'web-url'];
const SCHEDULER_FIELDS = ['principal', 'user', 'zookeeper'];
const POLICY_FIELDS = ['permanent-failure-timeout-secs', 'min-replace-delay-secs'];
const POD_FIELDS = ['count', 'placement', 'allow-decommission', 'resource-sets', 'volume', 'volumes', 'tasks', ...unsupported('pod')];

export interface SvcYamlConversion {
  /** The spec in the JSON form readServiceSpec reads. */
  input: Json;
  /** Where each converted node came from. */
  paths: PathMap;
  /** `scheduler.user`, when given. */
  user: string | null;
}

export function convertSvcYaml(document: unknown, errors: Errors): SvcYamlConversion | undefined {
  const top = Fields.open(document, '$', errors, TOP_FIELDS);
  if (!top) return undefined;
  const paths: PathMap = new Map();
  const input: Json = { name: top.value('name') };
  paths.set('$.name', top.pathOf('name'));
  if (top.has('web-url')) errors.push({ path: top.pathOf('web-url'), message: 'web-url is not supported yet' });
  let user: string | null = null;
  const scheduler = top.has('scheduler')
    ? Fields.open(top.value('scheduler'), top.pathOf('scheduler'), errors, SCHEDULER_FIELDS)
    : undefined;
  if (scheduler?.has('zookeeper'))
    errors.push({ path: scheduler.pathOf('zookeeper'), message: 'ZooKeeper is not supported; use --store etcd' });
  if (scheduler?.has('principal')) {
    input.principal = scheduler.value('principal');
    paths.set('$.principal', scheduler.pathOf('principal'));
  }
  if (typeof scheduler?.value('user') === 'string') user = scheduler.value('user') as string;
  const policy = top.has('replacement-failure-policy')
    ? Fields.open(top.value('replacement-failure-policy'), top.pathOf('replacement-failure-policy'), errors, POLICY_FIELDS)
    : undefined;
  if (policy?.has('min-replace-delay-secs'))
    errors.push({ path: policy.pathOf('min-replace-delay-secs'), message: 'a minimum replace delay is not supported yet' });
  if (policy?.has('permanent-failure-timeout-secs')) {
    const seconds = policy.value('permanent-failure-timeout-secs');
    input.failureTimeoutMs = typeof seconds === 'number' ? seconds * 1000 : seconds;
    paths.set('$.failureTimeoutMs', policy.pathOf('permanent-failure-timeout-secs'));
  }
  input.pods = readPods(top.value('pods'), top.pathOf('pods'), errors, paths);
  if (top.has('plans')) Object.assign(input, readPlans(top.value('plans'), top.pathOf('plans'), errors, input.pods as Json[], paths));
  return { input, paths, user };
}

function readPods(value: unknown, path: string, errors: Errors, paths: PathMap): Json[] {
  if (!isPlainObject(value)) {
    reportExpected(errors, path, 'a map of pod types such as { hello: { count: 3, tasks: ... } }', value);
    return [];
  }
  return Object.entries(value).map(([type, podValue], index) => {
    const podPath = fieldPath(path, type);
    const jsonPath = `$.pods[${index}]`;
    paths.set(jsonPath, podPath);
    paths.set(`${jsonPath}.type`, podPath);
    return readPod(type, podValue, podPath, jsonPath, errors, paths);
  });
}

function readPod(type: string, value: unknown, path: string, jsonPath: string, errors: Errors, paths: PathMap): Json {
  const pod = Fields.open(value, path, errors, POD_FIELDS);
  if (!pod) return { type, count: 0, tasks: [] };
  refuseUnsupported(pod, unsupported('pod'), errors);
  paths.set(`${jsonPath}.count`, pod.pathOf('count'));
  const out: Json = { type, count: pod.value('count'), allowDecommission: pod.value('allow-decommission') ?? false };
  paths.set(`${jsonPath}.allowDecommission`, pod.pathOf('allow-decommission'));
  if (pod.has('placement')) {
    out.placement = placementOf(pod.value('placement'), pod.pathOf('placement'), errors);
    paths.set(`${jsonPath}.placement`, pod.pathOf('placement'));
  }
  const resourceSets = pod.has('resource-sets')
    ? readResourceSets(pod.value('resource-sets'), pod.pathOf('resource-sets'), errors)
    : new Map();
  const volumes: Json[] = [];
  const volumePaths: string[] = [];
  const addVolumes = (fields: Fields, task: string | undefined) => {
    for (const [volume, volumePath] of volumesOf(fields, errors)) {
      volumes.push(task === undefined ? volume : { ...volume, task });
      volumePaths.push(volumePath);
    }
  };
  addVolumes(pod, undefined);
  const tasksValue = pod.value('tasks');
  const tasks: Json[] = [];
  if (!isPlainObject(tasksValue))
    reportExpected(errors, pod.pathOf('tasks'), 'a map of tasks such as { server: { cmd: ..., cpus: 1 } }', tasksValue);
  else
    Object.entries(tasksValue).forEach(([name, taskValue], index) => {
      const taskPath = fieldPath(pod.pathOf('tasks'), name);
      const taskJsonPath = `${jsonPath}.tasks[${index}]`;
      paths.set(taskJsonPath, taskPath);
      const read = readTask(name, taskValue, taskPath, taskJsonPath, errors, paths, resourceSets);
      tasks.push(read.task);
      if (read.fields) addVolumes(read.fields, name);
      for (const setVolume of read.setVolumes) {
        volumes.push({ ...setVolume.volume, task: name });
        volumePaths.push(setVolume.path);
      }
    });
  volumePaths.forEach((volumePath, i) => paths.set(`${jsonPath}.volumes[${i}]`, volumePath));
  return { ...out, volumes, tasks };
}

/** `placement: '[["hostname", "UNIQUE"]]'` (Marathon JSON) or `hostname:UNIQUE,rack:GROUP_BY:3`. */
function placementOf(value: unknown, path: string, errors: Errors): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') {
    reportExpected(errors, path, 'a placement string such as \'[["hostname", "UNIQUE"]]\' or "hostname:UNIQUE"', value);
    return [];
  }
  const text = value.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every(Array.isArray)) return parsed;
    } catch {
      // Reported below.
    }
    errors.push({
      path,
      message: `expected a JSON array of [field, OPERATOR, value?] constraints, got ${JSON.stringify(text.slice(0, 80))}`,
    });
    return [];
  }
  return text.split(',').map((part) => part.trim().split(':'));
}
