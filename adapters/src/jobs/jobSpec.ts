/**
 * Metronome's job and schedule specs (dcos/metronome `jobspec.schema.json`
 * and `schedulespec.schema.json`), read with Metronome's defaults (cpus 1,
 * mem 128, disk 0, maxLaunchDelay 3600, restart NEVER; schedules in UTC,
 * startingDeadlineSeconds 900, ALLOW, enabled). Problems come back as
 * Marathon's and Metronome's `422 {"message": "Object is not valid",
 * "details": [...]}`. Parts allot cannot run yet (Docker and UCR images,
 * volumes, secrets, networks, GPUs, REPLACE) are refused by name.
 */
import { Cron } from 'croner';
import {
  at,
  isObject,
  Problems,
  readBoolean,
  readNumber,
  readString,
  readStringMap,
  refuseUnknown,
  typeName,
} from '../marathon/validation.js';

type Json = Record<string, any>;

export interface JobArtifact {
  uri: string;
  extract: boolean;
  executable: boolean;
  cache: boolean;
}

export interface JobConstraint {
  attribute: string;
  operator: 'IS' | 'EQ' | 'LIKE' | 'UNLIKE';
  value?: string;
}

export interface JobRunSpec {
  cmd?: string;
  args?: string[];
  cpus: number;
  mem: number;
  disk: number;
  env: Record<string, string>;
  placement: { constraints: JobConstraint[] };
  artifacts: JobArtifact[];
  maxLaunchDelay: number;
  restart: { policy: 'NEVER' | 'ON_FAILURE'; activeDeadlineSeconds?: number };
  user?: string;
  taskKillGracePeriodSeconds?: number;
}

export interface JobSpec {
  id: string;
  description?: string;
  labels: Record<string, string>;
  run: JobRunSpec;
}

export interface ScheduleSpec {
  id: string;
  cron: string;
  timezone: string;
  startingDeadlineSeconds: number;
  concurrencyPolicy: 'ALLOW' | 'FORBID';
  enabled: boolean;
}

export const JOB_ID = /^([a-z0-9]+(-[a-z0-9]+)*)(\.([a-z0-9]+(-[a-z0-9]+)*))*$/;
const SCHEDULE_ID = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const RUN_FIELDS = new Set([
  'cmd',
  'args',
  'cpus',
  'mem',
  'disk',
  'gpus',
  'env',
  'placement',
  'artifacts',
  'maxLaunchDelay',
  'restart',
  'user',
  'taskKillGracePeriodSeconds',
  'docker',
  'ucr',
  'volumes',
  'secrets',
  'networks',
]);
const REFUSED: Record<string, string> = {
  docker: 'container images are not supported by allot agents yet (command jobs only)',
  ucr: 'container images are not supported by allot agents yet (command jobs only)',
  volumes: 'volumes of jobs are not supported by allot yet',
  secrets: 'secrets are not supported by allot yet',
  networks: 'container networks are not supported by allot agents; jobs use the host network',
};

export type Read<T> = { ok: true; value: T } | { ok: false; problems: Problems };

export function readJobSpec(body: unknown, pathId?: string): Read<JobSpec & { schedules: ScheduleSpec[] }> {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('/', `expected a job spec (a JSON object), got ${typeName(body)}`);
    return { ok: false, problems };
  }
  refuseUnknown(problems, '', body, new Set(['id', 'description', 'labels', 'run', 'schedules']), 'a job spec');
  const id = readString(problems, '/id', body.id ?? pathId, true);
  if (id !== undefined && !JOB_ID.test(id))
    problems.add('/id', 'must be names of lowercase letters, digits and dashes separated by dots, such as prod.example.app');
  if (pathId !== undefined && id !== undefined && id !== pathId)
    problems.add('/id', `the id in the body differs from ${pathId} in the path`);
  const description = body.description === undefined ? undefined : readString(problems, '/description', body.description);
  const labels = body.labels === undefined ? {} : readStringMap(problems, '/labels', body.labels, 'labels');
  if (!isObject(body.run)) problems.add('/run', `is required: expected a run spec, got ${typeName(body.run)}`);
  const run = isObject(body.run) ? readRun(problems, body.run) : null;
  const schedules = body.schedules === undefined ? [] : readSchedules(problems, body.schedules);
  if (!problems.empty || id === undefined || run === null) return { ok: false, problems };
  return { ok: true, value: { id, ...(description !== undefined ? { description } : {}), labels, run, schedules } };
}

function readRun(problems: Problems, run: Json): JobRunSpec {
  refuseUnknown(problems, '/run', run, RUN_FIELDS, 'a run spec');
  for (const [key, why] of Object.entries(REFUSED)) if (run[key] !== undefined && !isEmpty(run[key])) problems.add(`/run/${key}`, why);
  if (run.gpus !== undefined && run.gpus !== 0) problems.add('/run/gpus', 'GPUs are not supported by allot jobs yet');
  const number = (key: string, fallback: number, bounds: { min?: number; integer?: boolean }) =>
    run[key] === undefined ? fallback : (readNumber(problems, `/run/${key}`, run[key], bounds) ?? fallback);
  const spec: JobRunSpec = {
    cpus: number('cpus', 1, { min: 0.01 }),
    mem: number('mem', 128, { min: 32 }),
    disk: number('disk', 0, { min: 0 }),
    env: readEnv(problems, run.env),
    placement: { constraints: readJobConstraints(problems, run.placement) },
    artifacts: readJobArtifacts(problems, run.artifacts),
    maxLaunchDelay: number('maxLaunchDelay', 3600, { min: 1, integer: true }),
    restart: readRestart(problems, run.restart),
  };
  if (run.cmd !== undefined && run.args !== undefined) problems.add('/run', 'give cmd or args, not both');
  if (run.cmd === undefined && run.args === undefined) problems.add('/run', 'needs cmd or args (allot runs command jobs)');
  if (run.cmd !== undefined) spec.cmd = readString(problems, '/run/cmd', run.cmd, true);
  if (run.args !== undefined) {
    if (!Array.isArray(run.args) || run.args.length === 0 || !run.args.every((arg: unknown) => typeof arg === 'string'))
      problems.add('/run/args', 'expected a non-empty array of strings');
    else spec.args = run.args;
  }
  if (run.user !== undefined) spec.user = readString(problems, '/run/user', run.user, true);
  if (run.taskKillGracePeriodSeconds !== undefined)
    spec.taskKillGracePeriodSeconds = readNumber(problems, '/run/taskKillGracePeriodSeconds', run.taskKillGracePeriodSeconds, { min: 0 });
  return spec;
}

function readEnv(problems: Problems, env: unknown): Record<string, string> {
  if (env === undefined) return {};
  if (!isObject(env)) {
    problems.add('/run/env', `expected an object of environment variables, got ${typeName(env)}`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.add(`/run/env/${name}`, 'is not a valid environment variable name');
    else if (typeof value === 'string') out[name] = value;
    else if (isObject(value) && 'secret' in value) problems.add(`/run/env/${name}`, 'secrets are not supported by allot yet');
    else problems.add(`/run/env/${name}`, `expected a string, got ${typeName(value)}`);
  }
  return out;
}

function readJobConstraints(problems: Problems, placement: unknown): JobConstraint[] {
  if (placement === undefined) return [];
  if (!isObject(placement)) {
    problems.add('/run/placement', `expected {"constraints": [...]}, got ${typeName(placement)}`);
    return [];
  }
  refuseUnknown(problems, '/run/placement', placement, new Set(['constraints']), 'placement');
  const list = placement.constraints ?? [];
  if (!Array.isArray(list)) {
    problems.add('/run/placement/constraints', 'expected an array of constraints');
    return [];
  }
  return list.flatMap((entry, index) => {
    const path = at('/run/placement/constraints', index);
    if (!isObject(entry)) {
      problems.add(path, 'expected {"attribute", "operator", "value"}');
      return [];
    }
    refuseUnknown(problems, path, entry, new Set(['attribute', 'operator', 'value']), 'a constraint');
    const attribute = readString(problems, at(path, 'attribute'), entry.attribute, true);
    const operator = entry.operator;
    if (!['IS', 'EQ', 'LIKE', 'UNLIKE'].includes(operator))
      problems.add(at(path, 'operator'), `expected IS, EQ, LIKE or UNLIKE, got ${JSON.stringify(operator)}`);
    const value = entry.value === undefined ? undefined : readString(problems, at(path, 'value'), entry.value);
    if (value === undefined) problems.add(at(path, 'value'), `${String(operator)} needs a value`);
    return attribute !== undefined && value !== undefined ? [{ attribute, operator, value }] : [];
  });
}

function readJobArtifacts(problems: Problems, artifacts: unknown): JobArtifact[] {
  if (artifacts === undefined) return [];
  if (!Array.isArray(artifacts)) {
    problems.add('/run/artifacts', 'expected an array of artifacts such as [{"uri": "https://..."}]');
    return [];
  }
  return artifacts.flatMap((entry, index) => {
    const path = at('/run/artifacts', index);
    if (!isObject(entry)) {
      problems.add(path, 'expected an artifact such as {"uri": "https://..."}');
      return [];
    }
    refuseUnknown(problems, path, entry, new Set(['uri', 'extract', 'executable', 'cache']), 'an artifact');
    const uri = readString(problems, at(path, 'uri'), entry.uri, true);
    const flag = (key: string, fallback: boolean) =>
      entry[key] === undefined ? fallback : (readBoolean(problems, at(path, key), entry[key]) ?? fallback);
    return uri === undefined
      ? []
      : [{ uri, extract: flag('extract', true), executable: flag('executable', false), cache: flag('cache', false) }];
  });
}

function readRestart(problems: Problems, restart: unknown): JobRunSpec['restart'] {
  if (restart === undefined) return { policy: 'NEVER' };
  if (!isObject(restart)) {
    problems.add('/run/restart', `expected {"policy": "NEVER" | "ON_FAILURE"}, got ${typeName(restart)}`);
    return { policy: 'NEVER' };
  }
  refuseUnknown(problems, '/run/restart', restart, new Set(['policy', 'activeDeadlineSeconds']), 'the restart policy');
  const policy = restart.policy ?? 'NEVER';
  if (policy !== 'NEVER' && policy !== 'ON_FAILURE')
    problems.add('/run/restart/policy', `'${String(policy)}' is not a valid restart policy. Allowed values: NEVER, ON_FAILURE`);
  const deadline =
    restart.activeDeadlineSeconds === undefined || restart.activeDeadlineSeconds === null
      ? undefined
      : readNumber(problems, '/run/restart/activeDeadlineSeconds', restart.activeDeadlineSeconds, { min: 0, integer: true });
  return {
    policy: policy === 'ON_FAILURE' ? 'ON_FAILURE' : 'NEVER',
    ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
  };
}

function readSchedules(problems: Problems, schedules: unknown): ScheduleSpec[] {
  if (!Array.isArray(schedules)) {
    problems.add('/schedules', `expected an array of schedules, got ${typeName(schedules)}`);
    return [];
  }
  return schedules.flatMap((entry, index) => {
    const read = readScheduleSpec(entry);
    if (read.ok) return [read.value];
    for (const detail of read.problems.details())
      for (const error of detail.errors) problems.add(`${at('/schedules', index)}${detail.path === '/' ? '' : detail.path}`, error);
    return [];
  });
}

export function readScheduleSpec(body: unknown, pathId?: string): Read<ScheduleSpec> {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('/', `expected a schedule (a JSON object), got ${typeName(body)}`);
    return { ok: false, problems };
  }
  refuseUnknown(
    problems,
    '',
    body,
    new Set(['id', 'cron', 'timezone', 'startingDeadlineSeconds', 'concurrencyPolicy', 'enabled', 'nextRunAt']),
    'a schedule',
  );
  const id = readString(problems, '/id', body.id ?? pathId, true);
  if (id !== undefined && !SCHEDULE_ID.test(id))
    problems.add('/id', 'must be lowercase letters, digits and dashes, not starting or ending with a dash');
  const cron = readString(problems, '/cron', body.cron, true);
  const timezone = body.timezone === undefined ? 'UTC' : readString(problems, '/timezone', body.timezone, true);
  if (cron !== undefined && timezone !== undefined) {
    if (cron.trim().split(/\s+/).length !== 5)
      problems.add('/cron', `Can not read cron expression "${cron}": expected five fields (minute hour day-of-month month day-of-week)`);
    else
      try {
        new Cron(cron, { timezone, paused: true }).nextRun();
      } catch (error) {
        const badZone = /timezone/i.test((error as Error).message);
        problems.add(
          badZone ? '/timezone' : '/cron',
          badZone ? `No time zone found with this id: "${timezone}"` : `Can not read cron expression "${cron}"`,
        );
      }
  }
  const deadline =
    body.startingDeadlineSeconds === undefined
      ? 900
      : readNumber(problems, '/startingDeadlineSeconds', body.startingDeadlineSeconds, { min: 1, integer: true });
  const policy = body.concurrencyPolicy ?? 'ALLOW';
  if (policy !== 'ALLOW' && policy !== 'FORBID')
    problems.add(
      '/concurrencyPolicy',
      `'${String(policy)}' is not a valid concurrency policy. Allowed values: ALLOW, FORBID (REPLACE is not supported by allot yet)`,
    );
  const enabled = body.enabled === undefined ? true : readBoolean(problems, '/enabled', body.enabled);
  if (
    !problems.empty ||
    id === undefined ||
    cron === undefined ||
    timezone === undefined ||
    deadline === undefined ||
    enabled === undefined
  )
    return { ok: false, problems };
  return { ok: true, value: { id, cron, timezone, startingDeadlineSeconds: deadline, concurrencyPolicy: policy, enabled } };
}

/** The next time a schedule fires after `afterMs`, or null if never. */
export function nextFireMs(schedule: ScheduleSpec, afterMs: number): number | null {
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true }).nextRun(new Date(afterMs))?.getTime() ?? null;
}

function isEmpty(value: unknown): boolean {
  return value === null || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}
