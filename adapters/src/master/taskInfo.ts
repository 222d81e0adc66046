/**
 * A Mesos `TaskInfo` (JSON) as a kernel TaskSpec. The kernel keeps `data`
 * opaque: here it is the LaunchData the agent needs to run the task (shell
 * command, environment, user, health check, kill grace period). A task with
 * an `executor` (a custom executor, or LAUNCH_GROUP's executor) carries the
 * ExecutorInfo and the TaskInfo as sent, which the agent hands to the
 * executor over the v1 executor API; its executor id groups it in the kernel.
 * What agents cannot do (Docker, images) is refused with the field named
 * (unsupportedTaskFields.ts); URIs are fetched by the agent.
 */
import type { ResourceLayout, ResourceSet, TaskSpec } from '@allot/kernel';
import { idProblem } from '../agent/sandbox.js';
import type { Converted } from './mesosResources.js';
import { toResourceSet } from './mesosResources.js';
import { unsupportedTaskField } from './unsupportedTaskFields.js';

export interface LaunchData {
  name: string;
  command: string;
  env: Record<string, string>;
  user?: string;
  healthCheck?: {
    /** Absent: COMMAND. */
    type?: 'COMMAND' | 'HTTP' | 'TCP';
    command?: string;
    port?: number;
    path?: string;
    scheme?: 'http' | 'https';
    statuses?: number[];
    intervalSeconds?: number;
    timeoutSeconds?: number;
    gracePeriodSeconds?: number;
    delaySeconds?: number;
    consecutiveFailures?: number;
  };
  /** A COMMAND, HTTP or TCP check (Mesos CheckInfo): its result rides on status updates as check_status. */
  check?: {
    /** Absent for COMMAND. */
    type?: 'HTTP' | 'TCP';
    command?: string;
    port?: number;
    path?: string;
    delaySeconds?: number;
    intervalSeconds?: number;
    timeoutSeconds?: number;
  };
  killGracePeriodMs?: number;
  /** CommandInfo.uris, fetched by the agent into the sandbox. */
  uris?: Array<{ value: string; executable?: boolean; extract?: boolean; cache?: boolean; outputFile?: string }>;
  /** Set for tasks run by an executor: the agent starts it (once) and hands it the task. */
  executor?: ExecutorLaunch;
  /** The TaskInfo as the framework sent it (for executors, which receive it as is). */
  taskInfo?: Record<string, unknown>;
  /** LAUNCH_GROUP: the agent hands the group's tasks to the executor together. */
  group?: { id: string; size: number };
}

export interface ExecutorLaunch {
  executorId: string;
  /** The executor's shell command; null for Mesos's DEFAULT executor (the agent runs the group's command tasks itself). */
  command: string | null;
  env: Record<string, string>;
  /** The ExecutorInfo as the framework sent it, `framework_id` filled in. */
  info: Record<string, unknown>;
}

type Json = Record<string, any>;

/** What a task's launch data (command, environment, health check) may take; the master keeps it until the task ends. */
export const LAUNCH_DATA_BYTES_MAX = 65_536;

/** Mesos's MIN_CPUS: a task with less would run with no cpu share at all. */
export const TASK_CPUS_MIN = 0.01;

/** The amount in one scalar slot, unreserved and reserved parts together. */
function totalScalar(set: ResourceSet, slot: number): number {
  if (slot < 0) return 0;
  let total = set.scalars[slot];
  for (const part of set.reserved) total += part.scalars[slot];
  return total;
}

/** POSIX shell single quoting. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** CommandInfo -> a `/bin/sh -c` string: as is for shell commands, exec of quoted argv otherwise. */
export function shellCommand(command: Json | undefined, at: string): Converted<string> {
  if (command === undefined || typeof command.value !== 'string' || command.value.trim() === '') {
    return { ok: false, field: `${at}.value`, message: 'is required: allot agents run command tasks (custom executors are not supported)' };
  }
  if (command.shell === false) {
    const args: string[] = Array.isArray(command.arguments) ? command.arguments.slice(1) : [];
    return { ok: true, value: ['exec', shellQuote(command.value), ...args.map(shellQuote)].join(' ') };
  }
  return { ok: true, value: command.value };
}

export function idValueProblem(value: string, at: string): { ok: false; field: string; message: string } | null {
  const problem = idProblem(value);
  return problem ? { ok: false, field: at, message: `"${value.slice(0, 64)}" ${problem}` } : null;
}

export function toTaskSpec(info: Json, layout: ResourceLayout, at: string): Converted<TaskSpec> {
  const unsupported = unsupportedTaskField(info, at);
  if (unsupported) return unsupported;
  const taskId: string = info.task_id.value;
  const bad = idValueProblem(taskId, `${at}.task_id.value`);
  if (bad) return bad;
  const resources = toResourceSet(info.resources, layout, `${at}.resources`);
  if (!resources.ok) return resources;
  const cpus = totalScalar(resources.value, layout.slotOf('cpus'));
  if (!(cpus >= TASK_CPUS_MIN))
    return { ok: false, field: `${at}.resources`, message: `a task needs at least ${TASK_CPUS_MIN} cpus, got ${cpus}` };
  const executor = executorLaunch(info.executor, `${at}.executor`);
  if (!executor.ok) return executor;
  // A task run by a custom executor needs no command of its own; every other task does.
  const command =
    executor.value?.command && info.command === undefined ? { ok: true as const, value: '' } : shellCommand(info.command, `${at}.command`);
  if (!command.ok) return command;
  const env = environment(info.command, `${at}.command`);
  if (!env.ok) return env;
  const data: LaunchData = { name: info.name, command: command.value, env: env.value };
  if (executor.value) {
    data.executor = executor.value;
    data.taskInfo = info;
  }
  if (typeof info.command?.user === 'string') data.user = info.command.user;
  const uris = fetchedUris(info);
  if (uris.length > 0) data.uris = uris;
  const health = info.health_check as Json | undefined;
  if (health) {
    const probe = healthProbe(health, `${at}.health_check`);
    if (!probe.ok) return probe;
    data.healthCheck = {
      ...probe.value,
      ...(health.interval_seconds !== undefined ? { intervalSeconds: health.interval_seconds } : {}),
      ...(health.timeout_seconds !== undefined ? { timeoutSeconds: health.timeout_seconds } : {}),
      ...(health.grace_period_seconds !== undefined ? { gracePeriodSeconds: health.grace_period_seconds } : {}),
      ...(health.delay_seconds !== undefined ? { delaySeconds: health.delay_seconds } : {}),
      ...(health.consecutive_failures !== undefined ? { consecutiveFailures: health.consecutive_failures } : {}),
    };
  }
  const check = info.check as Json | undefined;
  if (check) {
    const probe = checkProbe(check, `${at}.check`);
    if (!probe.ok) return probe;
    data.check = {
      ...probe.value,
      ...(check.delay_seconds !== undefined ? { delaySeconds: check.delay_seconds } : {}),
      ...(check.interval_seconds !== undefined ? { intervalSeconds: check.interval_seconds } : {}),
      ...(check.timeout_seconds !== undefined ? { timeoutSeconds: check.timeout_seconds } : {}),
    };
  }
  const graceNs = info.kill_policy?.grace_period?.nanoseconds;
  if (typeof graceNs === 'number') data.killGracePeriodMs = Math.round(graceNs / 1e6);
  // Stored with the task until it ends: bounded as a whole, not only field by field.
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > LAUNCH_DATA_BYTES_MAX)
    return {
      ok: false,
      field: at,
      message: `the command, environment, health check and executor take ${bytes} bytes; at most ${LAUNCH_DATA_BYTES_MAX}`,
    };
  return {
    ok: true,
    value: {
      taskId,
      name: info.name,
      resources: resources.value,
      data,
      ...(executor.value ? { executorId: executor.value.executorId } : {}),
    },
  };
}

function environment(command: Json | undefined, at: string): Converted<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [index, variable] of ((command?.environment?.variables as Json[] | undefined) ?? []).entries()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable.name))
      return {
        ok: false,
        field: `${at}.environment.variables[${index}].name`,
        message: `"${String(variable.name).slice(0, 64)}" is not a valid variable name`,
      };
    env[variable.name] = variable.value ?? '';
  }
  return { ok: true, value: env };
}

/** An ExecutorInfo: CUSTOM (or untyped) executors need a command; DEFAULT ones have none (the agent runs their tasks). */
export function executorLaunch(executor: Json | undefined, at: string): Converted<ExecutorLaunch | null> {
  if (executor === undefined) return { ok: true, value: null };
  const executorId = executor.executor_id?.value;
  if (typeof executorId !== 'string') return { ok: false, field: `${at}.executor_id.value`, message: 'is required' };
  const bad = idValueProblem(executorId, `${at}.executor_id.value`);
  if (bad) return bad;
  if (executor.type === 'DEFAULT') {
    if (executor.command !== undefined) return { ok: false, field: `${at}.command`, message: 'must be unset for a DEFAULT executor' };
    return { ok: true, value: { executorId, command: null, env: {}, info: executor } };
  }
  const command = shellCommand(executor.command, `${at}.command`);
  if (!command.ok) return { ok: false, field: command.field, message: 'is required: a CUSTOM executor needs a command to run' };
  const env = environment(executor.command, `${at}.command`);
  if (!env.ok) return env;
  return { ok: true, value: { executorId, command: command.value, env: env.value, info: executor } };
}

/**
 * What the agent's fetcher puts in the sandbox: the task command's URIs, then
 * its COMMAND health check's (the check runs in the same sandbox), each once.
 */
function fetchedUris(info: Json): NonNullable<LaunchData['uris']> {
  const all = [...((info.command?.uris as Json[] | undefined) ?? []), ...((info.health_check?.command?.uris as Json[] | undefined) ?? [])];
  const seen = new Set<string>();
  const uris: NonNullable<LaunchData['uris']> = [];
  for (const uri of all) {
    const key = JSON.stringify([uri.value, uri.output_file ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    uris.push({
      value: uri.value,
      ...(typeof uri.executable === 'boolean' ? { executable: uri.executable } : {}),
      ...(typeof uri.extract === 'boolean' ? { extract: uri.extract } : {}),
      ...(typeof uri.cache === 'boolean' ? { cache: uri.cache } : {}),
      ...(typeof uri.output_file === 'string' ? { outputFile: uri.output_file } : {}),
    });
  }
  return uris;
}

/** What a Mesos HealthCheck probes: its command (COMMAND, the default), or the port of an HTTP or TCP check. */
/** What a CheckInfo probes: a command, or a port (and path) on the task's host; the field of its type is required. */
function checkProbe(check: Json, at: string): Converted<Pick<NonNullable<LaunchData['check']>, 'type' | 'command' | 'port' | 'path'>> {
  if (check.type === 'HTTP') {
    if (!check.http) return { ok: false, field: `${at}.http`, message: 'is required for an HTTP check' };
    return {
      ok: true,
      value: { type: 'HTTP', port: check.http.port, ...(typeof check.http.path === 'string' ? { path: check.http.path } : {}) },
    };
  }
  if (check.type === 'TCP') {
    if (!check.tcp) return { ok: false, field: `${at}.tcp`, message: 'is required for a TCP check' };
    return { ok: true, value: { type: 'TCP', port: check.tcp.port } };
  }
  if (!check.command) return { ok: false, field: `${at}.command`, message: 'is required for a COMMAND check' };
  const command = shellCommand(check.command.command, `${at}.command.command`);
  return command.ok ? { ok: true, value: { command: command.value } } : command;
}

function healthProbe(health: Json, at: string): Converted<NonNullable<LaunchData['healthCheck']>> {
  const type = health.type ?? 'COMMAND';
  if (type === 'HTTP') {
    if (!health.http) return { ok: false, field: `${at}.http`, message: 'is required for an HTTP health check' };
    const http = health.http as Json;
    return {
      ok: true,
      value: {
        type,
        port: http.port,
        ...(typeof http.path === 'string' ? { path: http.path } : {}),
        ...(http.scheme ? { scheme: http.scheme } : {}),
        ...(Array.isArray(http.statuses) && http.statuses.length > 0 ? { statuses: http.statuses } : {}),
      },
    };
  }
  if (type === 'TCP') {
    if (!health.tcp) return { ok: false, field: `${at}.tcp`, message: 'is required for a TCP health check' };
    return { ok: true, value: { type, port: health.tcp.port } };
  }
  const command = shellCommand(health.command, `${at}.command`);
  return command.ok ? { ok: true, value: { command: command.value } } : command;
}
