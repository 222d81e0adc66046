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
import { readPlans } from './svcYamlPlans.js';

type Json = Record<string, any>;

/** JSON path in the converted spec -> JSON path of the svc.yml node it came from. */
export type PathMap = Map<string, string>;

/** svc.yml features that exist in DC/OS Commons but not (yet) here: refused with this reason. */
const NOT_SUPPORTED: Record<string, { in: 'pod' | 'task' | 'top'; why: string }> = {
  image: { in: 'pod', why: 'container images are not supported yet (tasks run as processes on the agent)' },
  networks: { in: 'pod', why: 'virtual networks are not supported yet' },
  rlimits: { in: 'pod', why: 'rlimits are not supported yet' },
  uris: { in: 'pod', why: 'fetching URIs is not supported yet' },
  secrets: { in: 'pod', why: 'secrets are not supported yet' },
  'host-volumes': { in: 'pod', why: 'host volumes are not supported yet' },
  'pre-reserved-role': { in: 'pod', why: 'pre-reserved roles are not supported yet' },
  'share-pid-namespace': { in: 'pod', why: 'PID namespaces are not supported yet' },
  user: { in: 'pod', why: 'per-pod users are not supported yet (tasks run as the agent task user)' },
  gpus: { in: 'task', why: 'GPU resources are not supported yet' },
  configs: { in: 'task', why: 'config templates are not supported yet' },
  discovery: { in: 'task', why: 'discovery names are not supported yet' },
  labels: { in: 'task', why: 'task labels are not supported yet' },
  'transport-encryption': { in: 'task', why: 'TLS provisioning is not supported yet' },
  'kill-grace-period': { in: 'task', why: 'kill grace periods are not supported yet' },
  'task-kill-grace-period': { in: 'task', why: 'kill grace periods are not supported yet' },
};

function unsupported(where: 'pod' | 'task'): string[] {
  return Object.entries(NOT_SUPPORTED)
    .filter(([, feature]) => feature.in === where)
    .map(([key]) => key);
}

const TOP_FIELDS = ['name', 'scheduler', 'pods', 'plans', 'replacement-failure-policy', 'web-url'];
const SCHEDULER_FIELDS = ['principal', 'user', 'zookeeper'];
const POLICY_FIELDS = ['permanent-failure-timeout-secs', 'min-replace-delay-secs'];
const POD_FIELDS = ['count', 'placement', 'allow-decommission', 'resource-sets', 'volume', 'volumes', 'tasks', ...unsupported('pod')];
const TASK_FIELDS = [
  'goal',
  'essential',
  'cmd',
  'cpus',
  'memory',
  'ports',
  'env',
  'volume',
  'volumes',
  'resource-set',
  'readiness-check',
  'health-check',
  ...unsupported('task'),
];
const RESOURCE_SET_FIELDS = ['cpus', 'memory', 'ports', 'volume', 'volumes'];
const PORT_FIELDS = ['port', 'env-key', 'advertise', 'vip'];
const VOLUME_FIELDS = ['path', 'type', 'size'];
const READINESS_FIELDS = ['cmd', 'interval', 'delay', 'timeout'];
const HEALTH_FIELDS = [...READINESS_FIELDS, 'grace-period', 'max-consecutive-failures'];

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

interface TaskRead {
  task: Json;
  fields: Fields | undefined;
  setVolumes: Array<{ volume: Json; path: string }>;
}

function readTask(
  name: string,
  value: unknown,
  path: string,
  jsonPath: string,
  errors: Errors,
  paths: PathMap,
  resourceSets: Map<string, { fields: Fields; usedBy: string | null }>,
): TaskRead {
  const task = Fields.open(value, path, errors, TASK_FIELDS);
  if (!task) return { task: { name, cpus: 1, memMb: 1 }, fields: undefined, setVolumes: [] };
  refuseUnsupported(task, unsupported('task'), errors);
  let resources: Fields = task;
  const setVolumes: Array<{ volume: Json; path: string }> = [];
  if (task.has('resource-set')) {
    const setName = task.value('resource-set');
    const set = typeof setName === 'string' ? resourceSets.get(setName) : undefined;
    const clash = RESOURCE_SET_FIELDS.filter((key) => task.has(key));
    if (!set) errors.push({ path: task.pathOf('resource-set'), message: `no resource set ${JSON.stringify(setName)} in this pod` });
    else if (set.usedBy !== null)
      errors.push({
        path: task.pathOf('resource-set'),
        message: `resource set "${setName}" is already used by task "${set.usedBy}"; sharing one is not supported yet`,
      });
    else if (clash.length > 0)
      errors.push({ path: task.pathOf(clash[0]), message: `a task with a resource-set takes ${clash[0]} from the set, not here` });
    else {
      set.usedBy = name;
      resources = set.fields;
      for (const [volume, volumePath] of volumesOf(set.fields, errors)) setVolumes.push({ volume, path: volumePath });
    }
  }
  const out: Json = { name, cpus: resources.value('cpus'), memMb: resources.value('memory'), cmd: task.value('cmd') };
  paths.set(`${jsonPath}.name`, path);
  paths.set(`${jsonPath}.cpus`, resources.pathOf('cpus'));
  paths.set(`${jsonPath}.memMb`, resources.pathOf('memory'));
  paths.set(`${jsonPath}.cmd`, task.pathOf('cmd'));
  for (const [yamlKey, jsonKey] of [
    ['goal', 'goal'],
    ['essential', 'essential'],
    ['env', 'env'],
  ] as const) {
    if (!task.has(yamlKey)) continue;
    const raw = task.value(yamlKey);
    out[jsonKey] = yamlKey === 'env' && isPlainObject(raw) ? stringValues(raw) : raw;
    paths.set(`${jsonPath}.${jsonKey}`, task.pathOf(yamlKey));
  }
  if (resources.has('ports'))
    out.ports = readPorts(resources.value('ports'), resources.pathOf('ports'), `${jsonPath}.ports`, errors, paths);
  if (task.has('readiness-check'))
    out.readinessCheck = readCheck(
      task.value('readiness-check'),
      task.pathOf('readiness-check'),
      `${jsonPath}.readinessCheck`,
      READINESS_FIELDS,
      errors,
      paths,
    );
  if (task.has('health-check'))
    out.healthCheck = readCheck(
      task.value('health-check'),
      task.pathOf('health-check'),
      `${jsonPath}.healthCheck`,
      HEALTH_FIELDS,
      errors,
      paths,
    );
  return { task: out, fields: resources === task ? task : undefined, setVolumes };
}

function readResourceSets(value: unknown, path: string, errors: Errors): Map<string, { fields: Fields; usedBy: string | null }> {
  const sets = new Map<string, { fields: Fields; usedBy: string | null }>();
  if (!isPlainObject(value)) {
    reportExpected(errors, path, 'a map of resource sets', value);
    return sets;
  }
  for (const [name, setValue] of Object.entries(value)) {
    const fields = Fields.open(setValue, fieldPath(path, name), errors, RESOURCE_SET_FIELDS);
    if (fields) sets.set(name, { fields, usedBy: null });
  }
  return sets;
}

/** `volume: {path, type, size}` and `volumes: {<name>: {...}}` of a pod, task or resource set. */
function volumesOf(fields: Fields, errors: Errors): Array<[Json, string]> {
  const found: Array<[unknown, string]> = [];
  if (fields.has('volume')) found.push([fields.value('volume'), fields.pathOf('volume')]);
  const many = fields.value('volumes');
  if (many !== undefined) {
    if (!isPlainObject(many)) reportExpected(errors, fields.pathOf('volumes'), 'a map of named volumes', many);
    else for (const [name, volume] of Object.entries(many)) found.push([volume, fieldPath(fields.pathOf('volumes'), name)]);
  }
  return found.flatMap(([value, path]) => {
    const volume = Fields.open(value, path, errors, VOLUME_FIELDS);
    if (!volume) return [];
    const type = volume.value('type') ?? 'ROOT';
    if (type === 'MOUNT')
      errors.push({ path: volume.pathOf('type'), message: 'MOUNT volumes are not supported yet: agents offer ROOT disk only' });
    else if (type !== 'ROOT') errors.push({ path: volume.pathOf('type'), message: `expected ROOT, got ${JSON.stringify(type)}` });
    return [[{ type: 'ROOT', containerPath: volume.value('path'), sizeMb: volume.value('size') }, path] as [Json, string]];
  });
}

function readPorts(value: unknown, path: string, jsonPath: string, errors: Errors, paths: PathMap): Json[] {
  if (!isPlainObject(value)) {
    reportExpected(errors, path, 'a map of named ports such as { http: { port: 0, advertise: true } }', value);
    return [];
  }
  paths.set(jsonPath, path);
  return Object.entries(value).map(([name, portValue], index) => {
    const portPath = fieldPath(path, name);
    paths.set(`${jsonPath}[${index}]`, portPath);
    paths.set(`${jsonPath}[${index}].name`, portPath);
    const port = Fields.open(portValue ?? {}, portPath, errors, PORT_FIELDS);
    if (!port) return { name };
    if (port.has('vip')) errors.push({ path: port.pathOf('vip'), message: 'VIPs are not supported yet' });
    if (port.has('port') && port.value('port') !== 0)
      errors.push({
        path: port.pathOf('port'),
        message: `fixed port numbers are not supported yet; use port: 0 (got ${JSON.stringify(port.value('port'))})`,
      });
    paths.set(`${jsonPath}[${index}].envKey`, port.pathOf('env-key'));
    paths.set(`${jsonPath}[${index}].advertise`, port.pathOf('advertise'));
    return {
      name,
      ...(port.has('env-key') ? { envKey: port.value('env-key') } : {}),
      ...(port.has('advertise') ? { advertise: port.value('advertise') } : {}),
    };
  });
}

function readCheck(
  value: unknown,
  path: string,
  jsonPath: string,
  known: readonly string[],
  errors: Errors,
  paths: PathMap,
): Json | undefined {
  const check = Fields.open(value, path, errors, known);
  if (!check) return undefined;
  paths.set(jsonPath, path);
  const names: Record<string, string> = {
    cmd: 'cmd',
    interval: 'intervalSeconds',
    delay: 'delaySeconds',
    timeout: 'timeoutSeconds',
    'grace-period': 'gracePeriodSeconds',
    'max-consecutive-failures': 'maxConsecutiveFailures',
  };
  const out: Json = {};
  for (const key of known) {
    if (!check.has(key)) continue;
    out[names[key]] = check.value(key);
    paths.set(`${jsonPath}.${names[key]}`, check.pathOf(key));
  }
  return out;
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

function refuseUnsupported(fields: Fields, keys: readonly string[], errors: Errors): void {
  for (const key of keys) if (fields.has(key)) errors.push({ path: fields.pathOf(key), message: NOT_SUPPORTED[key].why });
}

function stringValues(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, typeof value === 'number' || typeof value === 'boolean' ? String(value) : value]),
  );
}
