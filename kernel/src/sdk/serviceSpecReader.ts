/**
 * Reading a service spec from JSON (the `service` field of a stateful
 * framework in a scenario, or the spec file of `allot service run`): every
 * problem is recorded at its JSON path and reading goes on, so one pass
 * names every mistake. Defaults are the SDK's (serial deploy, 20 minutes
 * failure timeout, 60 s backoff growing by 1.15 up to 5 minutes).
 */
import type { Errors } from '../schedulers/fieldReaders.js';
import {
  arrayOf,
  booleanValue,
  Fields,
  indexPath,
  integerAtLeast,
  listEntries,
  nonEmptyString,
  oneOf,
  positiveNumber,
} from '../schedulers/fieldReaders.js';
import type { PlacementConstraint } from './constraints.js';
import { parseConstraint } from './constraints.js';
import { readTask } from './podTaskReader.js';
import type { CustomPlanSpec, DeployPlanSpec, PodSpec, ServiceSpec, VolumeSpec } from './serviceSpec.js';
import { SDK_BACKOFF, SDK_FAILURE_TIMEOUT_MS } from './serviceSpec.js';
import type { StrategySpec } from './strategy.js';

const SERVICE_FIELDS = [
  'name',
  'principal',
  'pods',
  'deployStrategy',
  'updateStrategy',
  'deployPlan',
  'updatePlan',
  'failureTimeoutMs',
  'backoff',
  'seeds',
  'plans',
] as const;
const PLAN_FIELDS = ['name', 'strategy', 'phases'] as const;
const PLAN_PHASE_FIELDS = ['name', 'pod', 'tasks', 'strategy'] as const;
const POD_FIELDS = ['type', 'count', 'placement', 'allowDecommission', 'volumes', 'tasks'] as const;
const VOLUME_FIELDS = ['type', 'containerPath', 'sizeMb', 'task'] as const;
const DEPLOY_PLAN_FIELDS = ['strategy', 'phases'] as const;
const DEPLOY_PHASE_FIELDS = ['name', 'pod', 'strategy'] as const;
const STRATEGY_FIELDS = ['kind', 'canaries', 'dependencies'] as const;
const BACKOFF_FIELDS = ['initialMs', 'factor', 'maxMs'] as const;

function readStrategy(value: unknown, path: string, errors: Errors): StrategySpec | undefined {
  const fields = Fields.open(value, path, errors, STRATEGY_FIELDS);
  if (!fields) return undefined;
  const kind = fields.required('kind', oneOf(['serial', 'parallel', 'dependency', 'canary', 'random'] as const)) ?? 'serial';
  const spec: StrategySpec = { kind };
  const canaries = fields.maybe('canaries', integerAtLeast(0));
  if (canaries !== undefined) spec.canaries = canaries;
  const dependencies = fields.value('dependencies');
  if (dependencies !== undefined) spec.dependencies = dependencies as Record<string, string[]>;
  return spec;
}

function readVolume(value: unknown, path: string, errors: Errors): VolumeSpec | undefined {
  const fields = Fields.open(value, path, errors, VOLUME_FIELDS);
  if (!fields) return undefined;
  return {
    type: fields.optional('type', oneOf(['ROOT', 'MOUNT'] as const), 'ROOT'),
    containerPath: fields.required('containerPath', nonEmptyString) ?? 'data',
    sizeMb: fields.required('sizeMb', positiveNumber) ?? 0,
    ...(fields.has('task') ? { task: fields.required('task', nonEmptyString) ?? '' } : {}),
  };
}

function readPod(value: unknown, path: string, errors: Errors): PodSpec | undefined {
  const fields = Fields.open(value, path, errors, POD_FIELDS);
  if (!fields) return undefined;
  const placement = (fields.optional(
    'placement',
    arrayOf('an array of [field, OPERATOR, value?] constraints', { expected: 'a constraint', read: (v) => v as string[] }),
    [],
  ) ?? []) as PodSpec['placement'];
  const constraints: PlacementConstraint[] = [];
  placement.forEach((raw, i) => {
    const parsed = parseConstraint(raw);
    if (parsed.ok) constraints.push(parsed.constraint);
    else errors.push({ path: indexPath(fields.pathOf('placement'), i), message: parsed.message });
  });
  const tasks = listEntries(fields.value('tasks'), fields.pathOf('tasks'), errors, 'an array of tasks')
    .map((entry, i) => readTask(entry, indexPath(fields.pathOf('tasks'), i), errors))
    .filter((task) => task !== undefined);
  if (fields.has('tasks') && tasks.length === 0) errors.push({ path: fields.pathOf('tasks'), message: 'expected at least one task' });
  const volumes = fields.has('volumes')
    ? listEntries(fields.value('volumes'), fields.pathOf('volumes'), errors, 'an array of volumes')
        .map((entry, i) => readVolume(entry, indexPath(fields.pathOf('volumes'), i), errors))
        .filter((volume): volume is VolumeSpec => volume !== undefined)
    : [];
  volumes.forEach((volume, i) => {
    if (volume.task !== undefined && !tasks.some((task) => task.name === volume.task))
      errors.push({ path: `${indexPath(fields.pathOf('volumes'), i)}.task`, message: `the pod has no task "${volume.task}"` });
  });
  return {
    type: fields.required('type', nonEmptyString) ?? 'pod',
    count: fields.required('count', integerAtLeast(0)) ?? 0,
    placement,
    constraints,
    allowDecommission: fields.optional('allowDecommission', booleanValue, false),
    volumes,
    tasks,
  };
}

function readCustomPlan(value: unknown, path: string, errors: Errors, pods: readonly PodSpec[]): CustomPlanSpec | undefined {
  const fields = Fields.open(value, path, errors, PLAN_FIELDS);
  if (!fields) return undefined;
  const name = fields.required('name', nonEmptyString) ?? 'custom';
  if (name === 'deploy' || name === 'recovery') errors.push({ path: fields.pathOf('name'), message: `"${name}" is a built-in plan` });
  const strategy = fields.has('strategy') ? readStrategy(fields.value('strategy'), fields.pathOf('strategy'), errors) : undefined;
  const phases = listEntries(fields.value('phases'), fields.pathOf('phases'), errors, 'an array of phases').flatMap((entry, i) => {
    const phasePath = indexPath(fields.pathOf('phases'), i);
    const phase = Fields.open(entry, phasePath, errors, PLAN_PHASE_FIELDS);
    if (!phase) return [];
    const podType = phase.required('pod', nonEmptyString);
    const pod = pods.find((candidate) => candidate.type === podType);
    if (podType !== undefined && !pod)
      errors.push({
        path: phase.pathOf('pod'),
        message: `no pod "${podType}"; expected one of ${pods.map((p) => `"${p.type}"`).join(', ')}`,
      });
    const tasks = phase.required('tasks', arrayOf('an array of task names', nonEmptyString)) ?? [];
    tasks.forEach((taskName, t) => {
      const task = pod?.tasks.find((candidate) => candidate.name === taskName);
      if (pod && !task) errors.push({ path: indexPath(phase.pathOf('tasks'), t), message: `pod "${pod.type}" has no task "${taskName}"` });
      else if (task && task.goal === 'RUNNING')
        errors.push({
          path: indexPath(phase.pathOf('tasks'), t),
          message: `task "${taskName}" has goal RUNNING; plan tasks run to completion (FINISH or ONCE)`,
        });
    });
    const phaseStrategy = phase.has('strategy') ? readStrategy(phase.value('strategy'), phase.pathOf('strategy'), errors) : undefined;
    return [
      { name: phase.required('name', nonEmptyString) ?? 'phase', pod: podType ?? '', tasks, strategy: phaseStrategy ?? { kind: 'serial' } },
    ];
  });
  return { name, strategy: strategy ?? { kind: 'serial' }, phases };
}

/** `deployPlan` / `updatePlan`: named phases, each over one pod type, every pod type in exactly one phase. */
function readDeployPlan(value: unknown, path: string, errors: Errors, pods: readonly PodSpec[]): DeployPlanSpec | undefined {
  const fields = Fields.open(value, path, errors, DEPLOY_PLAN_FIELDS);
  if (!fields) return undefined;
  const strategy = fields.has('strategy') ? readStrategy(fields.value('strategy'), fields.pathOf('strategy'), errors) : undefined;
  const phases: DeployPlanSpec['phases'] = [];
  listEntries(fields.value('phases'), fields.pathOf('phases'), errors, 'an array of phases').forEach((entry, i) => {
    const phase = Fields.open(entry, indexPath(fields.pathOf('phases'), i), errors, DEPLOY_PHASE_FIELDS);
    if (!phase) return;
    const pod = phase.required('pod', nonEmptyString) ?? '';
    if (!pods.some((candidate) => candidate.type === pod))
      errors.push({ path: phase.pathOf('pod'), message: `no pod "${pod}"; expected one of ${pods.map((p) => `"${p.type}"`).join(', ')}` });
    else if (phases.some((other) => other.pod === pod))
      errors.push({ path: phase.pathOf('pod'), message: `pod "${pod}" is already deployed by another phase` });
    const phaseStrategy = phase.has('strategy') ? readStrategy(phase.value('strategy'), phase.pathOf('strategy'), errors) : undefined;
    phases.push({ name: phase.required('name', nonEmptyString) ?? pod, pod, strategy: phaseStrategy ?? { kind: 'serial' } });
  });
  for (const pod of pods)
    if (!phases.some((phase) => phase.pod === pod.type))
      errors.push({ path: fields.pathOf('phases'), message: `pod "${pod.type}" is in no phase; every pod type needs one` });
  return { strategy: strategy ?? { kind: 'serial' }, phases };
}

/** Reads a service spec (the `service` field of a stateful framework). */
export function readServiceSpec(value: unknown, path: string, errors: Errors): ServiceSpec | undefined {
  const fields = Fields.open(value, path, errors, SERVICE_FIELDS);
  if (!fields) return undefined;
  const pods = listEntries(fields.value('pods'), fields.pathOf('pods'), errors, 'an array of pods')
    .map((entry, i) => readPod(entry, indexPath(fields.pathOf('pods'), i), errors))
    .filter((pod): pod is PodSpec => pod !== undefined);
  const types = pods.map((pod) => pod.type);
  types.forEach((type, i) => {
    if (types.indexOf(type) !== i)
      errors.push({ path: `${indexPath(fields.pathOf('pods'), i)}.type`, message: `duplicate pod type "${type}"` });
  });
  const deployStrategy = fields.has('deployStrategy')
    ? readStrategy(fields.value('deployStrategy'), fields.pathOf('deployStrategy'), errors)
    : undefined;
  const updateStrategy = fields.has('updateStrategy')
    ? readStrategy(fields.value('updateStrategy'), fields.pathOf('updateStrategy'), errors)
    : undefined;
  const backoffFields = fields.has('backoff')
    ? Fields.open(fields.value('backoff'), fields.pathOf('backoff'), errors, BACKOFF_FIELDS)
    : undefined;
  const deployPlan = fields.has('deployPlan')
    ? readDeployPlan(fields.value('deployPlan'), fields.pathOf('deployPlan'), errors, pods)
    : undefined;
  const updatePlan = fields.has('updatePlan')
    ? readDeployPlan(fields.value('updatePlan'), fields.pathOf('updatePlan'), errors, pods)
    : undefined;
  const plans = fields.has('plans')
    ? listEntries(fields.value('plans'), fields.pathOf('plans'), errors, 'an array of plans')
        .map((entry, i) => readCustomPlan(entry, indexPath(fields.pathOf('plans'), i), errors, pods))
        .filter((plan): plan is CustomPlanSpec => plan !== undefined)
    : [];
  return {
    name: fields.required('name', nonEmptyString) ?? 'service',
    ...(fields.has('principal') ? { principal: fields.required('principal', nonEmptyString) ?? '' } : {}),
    pods,
    plans,
    deployStrategy: deployStrategy ?? { kind: 'serial' },
    updateStrategy: updateStrategy ?? deployStrategy ?? { kind: 'serial' },
    deployPlan: deployPlan ?? null,
    updatePlan: updatePlan ?? null,
    failureTimeoutMs: fields.optional('failureTimeoutMs', positiveNumber, SDK_FAILURE_TIMEOUT_MS),
    backoff: {
      initialMs: backoffFields?.optional('initialMs', positiveNumber, SDK_BACKOFF.initialMs) ?? SDK_BACKOFF.initialMs,
      factor: backoffFields?.optional('factor', positiveNumber, SDK_BACKOFF.factor) ?? SDK_BACKOFF.factor,
      maxMs: backoffFields?.optional('maxMs', positiveNumber, SDK_BACKOFF.maxMs) ?? SDK_BACKOFF.maxMs,
    },
    seeds: fields.optional('seeds', integerAtLeast(0), 0),
  };
}
