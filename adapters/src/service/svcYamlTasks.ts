/**
 * The tasks of a svc.yml pod: `goal, essential, cmd, cpus, memory, env`,
 * named `ports` (port 0 only, env-key, advertise), `volume`/`volumes`,
 * `resource-set` (one task per set), and `readiness-check` /
 * `health-check`, converted to the JSON spec's task with each node's
 * YAML path recorded. Also the volumes of pods and resource sets.
 */
import type { Errors } from '@allot/kernel';
import { Fields, fieldPath, isPlainObject, reportExpected } from '@allot/kernel';
import type { PathMap } from './svcYamlPaths.js';
import { refuseUnsupported, unsupported } from './svcYamlUnsupported.js';

type Json = Record<string, any>;

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

export interface TaskRead {
  task: Json;
  fields: Fields | undefined;
  setVolumes: Array<{ volume: Json; path: string }>;
}

export function readTask(
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

export function readResourceSets(value: unknown, path: string, errors: Errors): Map<string, { fields: Fields; usedBy: string | null }> {
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
export function volumesOf(fields: Fields, errors: Errors): Array<[Json, string]> {
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

function stringValues(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, typeof value === 'number' || typeof value === 'boolean' ? String(value) : value]),
  );
}
