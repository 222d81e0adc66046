/**
 * The service spec of an SDK service: pods (count, placement, volumes,
 * allow-decommission) of tasks (goal, essential, resources, readiness), plus
 * the deploy and update strategies, recovery timing and backoff. Read from a
 * scenario with every problem named by its JSON path; `specChangeProblems`
 * holds the config validators that keep an old target when a new one is bad.
 */
import type { Errors } from '../schedulers/fieldReaders.js';
import {
  arrayOf,
  booleanValue,
  Fields,
  integerAtLeast,
  listEntries,
  nonEmptyString,
  nonNegativeNumber,
  nullable,
  oneOf,
  positiveNumber,
  indexPath,
} from '../schedulers/fieldReaders.js';
import type { PlacementConstraint } from './constraints.js';
import { parseConstraint } from './constraints.js';
import type { StrategySpec } from './strategy.js';

export type TaskGoal = 'RUNNING' | 'FINISH' | 'ONCE';

export interface VolumeSpec {
  type: 'ROOT' | 'MOUNT';
  containerPath: string;
  sizeMb: number;
}

export interface PodTaskSpec {
  name: string;
  goal: TaskGoal;
  essential: boolean;
  cpus: number;
  memMb: number;
  diskMb: number;
  ports: number;
  cmd: string;
  /** Simulated readiness check: ready this long after TASK_RUNNING (null: ready at once). */
  readinessDelayMs: number | null;
  /** Simulated run time of FINISH / ONCE tasks (null: runs until killed). */
  durationMs: number | null;
}

export interface PodSpec {
  type: string;
  count: number;
  placement: Array<[string, string] | [string, string, string]>;
  constraints: PlacementConstraint[];
  allowDecommission: boolean;
  volumes: VolumeSpec[];
  tasks: PodTaskSpec[];
}

/** A custom plan: sidecar tasks (goal FINISH or ONCE) run on deployed pods, started by an operator. */
export interface CustomPlanSpec {
  name: string;
  strategy: StrategySpec;
  phases: Array<{ name: string; pod: string; tasks: string[]; strategy: StrategySpec }>;
}

export interface ServiceSpec {
  name: string;
  pods: PodSpec[];
  /** Custom plans (they start interrupted); the tasks they name are not launched by deploy. */
  plans: CustomPlanSpec[];
  deployStrategy: StrategySpec;
  /** How config updates roll out (default: the deploy strategy). */
  updateStrategy: StrategySpec;
  /** After this long a failed pod is replaced elsewhere (default 1200 s). */
  failureTimeoutMs: number;
  backoff: { initialMs: number; factor: number; maxMs: number };
  /** Cassandra: the first n instances of the first pod are seeds. */
  seeds: number;
}

const SERVICE_FIELDS = ['name', 'pods', 'deployStrategy', 'updateStrategy', 'failureTimeoutMs', 'backoff', 'seeds', 'plans'] as const;
const PLAN_FIELDS = ['name', 'strategy', 'phases'] as const;
const PLAN_PHASE_FIELDS = ['name', 'pod', 'tasks', 'strategy'] as const;
const POD_FIELDS = ['type', 'count', 'placement', 'allowDecommission', 'volumes', 'tasks'] as const;
const TASK_FIELDS = ['name', 'goal', 'essential', 'cpus', 'memMb', 'diskMb', 'ports', 'cmd', 'readinessDelayMs', 'durationMs'] as const;
const VOLUME_FIELDS = ['type', 'containerPath', 'sizeMb'] as const;
const STRATEGY_FIELDS = ['kind', 'canaries', 'dependencies'] as const;
const BACKOFF_FIELDS = ['initialMs', 'factor', 'maxMs'] as const;

export const SDK_BACKOFF = { initialMs: 60_000, factor: 1.15, maxMs: 300_000 } as const;
export const SDK_FAILURE_TIMEOUT_MS = 1_200_000;

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

function readTask(value: unknown, path: string, errors: Errors): PodTaskSpec | undefined {
  const fields = Fields.open(value, path, errors, TASK_FIELDS);
  if (!fields) return undefined;
  return {
    name: fields.required('name', nonEmptyString) ?? 'task',
    goal: fields.optional('goal', oneOf(['RUNNING', 'FINISH', 'ONCE'] as const), 'RUNNING'),
    essential: fields.optional('essential', booleanValue, true),
    cpus: fields.required('cpus', positiveNumber) ?? 0,
    memMb: fields.required('memMb', positiveNumber) ?? 0,
    diskMb: fields.optional('diskMb', nonNegativeNumber, 0),
    ports: fields.optional('ports', integerAtLeast(0), 0),
    cmd: fields.optional('cmd', nonEmptyString, 'sleep infinity'),
    readinessDelayMs: fields.optional('readinessDelayMs', nullable(nonNegativeNumber), null),
    durationMs: fields.optional('durationMs', nullable(positiveNumber), null),
  };
}

function readVolume(value: unknown, path: string, errors: Errors): VolumeSpec | undefined {
  const fields = Fields.open(value, path, errors, VOLUME_FIELDS);
  if (!fields) return undefined;
  return {
    type: fields.optional('type', oneOf(['ROOT', 'MOUNT'] as const), 'ROOT'),
    containerPath: fields.required('containerPath', nonEmptyString) ?? 'data',
    sizeMb: fields.required('sizeMb', positiveNumber) ?? 0,
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
    .filter((task): task is PodTaskSpec => task !== undefined);
  if (fields.has('tasks') && tasks.length === 0) errors.push({ path: fields.pathOf('tasks'), message: 'expected at least one task' });
  const volumes = fields.has('volumes')
    ? listEntries(fields.value('volumes'), fields.pathOf('volumes'), errors, 'an array of volumes')
        .map((entry, i) => readVolume(entry, indexPath(fields.pathOf('volumes'), i), errors))
        .filter((volume): volume is VolumeSpec => volume !== undefined)
    : [];
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

/** Tasks a pod runs under its deploy plan: all but those custom plans run. */
export function deployTaskNames(spec: ServiceSpec, pod: PodSpec): string[] {
  const sidecars = new Set(
    spec.plans.flatMap((plan) => plan.phases.filter((phase) => phase.pod === pod.type).flatMap((phase) => phase.tasks)),
  );
  return pod.tasks.map((task) => task.name).filter((name) => !sidecars.has(name));
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
  const plans = fields.has('plans')
    ? listEntries(fields.value('plans'), fields.pathOf('plans'), errors, 'an array of plans')
        .map((entry, i) => readCustomPlan(entry, indexPath(fields.pathOf('plans'), i), errors, pods))
        .filter((plan): plan is CustomPlanSpec => plan !== undefined)
    : [];
  return {
    name: fields.required('name', nonEmptyString) ?? 'service',
    pods,
    plans,
    deployStrategy: deployStrategy ?? { kind: 'serial' },
    updateStrategy: updateStrategy ?? deployStrategy ?? { kind: 'serial' },
    failureTimeoutMs: fields.optional('failureTimeoutMs', positiveNumber, SDK_FAILURE_TIMEOUT_MS),
    backoff: {
      initialMs: backoffFields?.optional('initialMs', positiveNumber, SDK_BACKOFF.initialMs) ?? SDK_BACKOFF.initialMs,
      factor: backoffFields?.optional('factor', positiveNumber, SDK_BACKOFF.factor) ?? SDK_BACKOFF.factor,
      maxMs: backoffFields?.optional('maxMs', positiveNumber, SDK_BACKOFF.maxMs) ?? SDK_BACKOFF.maxMs,
    },
    seeds: fields.optional('seeds', integerAtLeast(0), 0),
  };
}

/**
 * The config validators: why a new target may not replace the current one.
 * Pods cannot shrink without allow-decommission, and volumes cannot change.
 */
export function specChangeProblems(current: ServiceSpec, next: ServiceSpec): string[] {
  const problems: string[] = [];
  for (const pod of current.pods) {
    const target = next.pods.find((candidate) => candidate.type === pod.type);
    if (!target) {
      if (!pod.allowDecommission) problems.push(`pod ${pod.type} cannot be removed: it does not allow decommission`);
      continue;
    }
    if (target.count < pod.count && !pod.allowDecommission && !target.allowDecommission) {
      problems.push(`pod ${pod.type} cannot shrink from ${pod.count} to ${target.count} without allowDecommission`);
    }
    if (JSON.stringify(target.volumes) !== JSON.stringify(pod.volumes))
      problems.push(`pod ${pod.type}: volumes cannot change (${JSON.stringify(pod.volumes)} -> ${JSON.stringify(target.volumes)})`);
  }
  return problems;
}
