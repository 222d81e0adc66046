/**
 * What the runtime is asked to launch, checked once up front (a bad spec is
 * TASK_ERROR, never a half-started process), and the pure derivations from
 * it: container limits and the task's environment (`PORT0..n`, `PORTS`,
 * `MESOS_*`). Invariant: everything returned by `validateLaunchSpec` can be
 * turned into a sandbox path and an exec environment.
 */
import { join } from 'node:path';
import { normalizeRanges, portList } from '@allot/kernel';
import type { Range } from '@allot/kernel';
import type { TaskCheckSpec } from './taskCheck.js';
import { taskCheckProblem } from './taskCheck.js';
import type { FetchUri } from './fetcher.js';
import type { HealthCheckSpec } from './healthCheck.js';
import { healthCheckProblem } from './healthCheck.js';
import type { ContainerLimits } from './isolation/isolator.js';
import type { VolumeMount } from './persistentVolumes.js';
import { containerPathProblem } from './persistentVolumes.js';
import { idProblem, SANDBOX_TMP_DIR } from './sandbox.js';

export interface LaunchTaskSpec {
  taskId: string;
  frameworkId: string;
  /** Run as `/bin/sh -c <command>` in the sandbox. */
  command: string;
  /** `mem` and `disk` in MB; `ports` are the offered ranges the task was given. */
  resources?: { cpus?: number; mem?: number; disk?: number; gpus?: number; ports?: ReadonlyArray<readonly [number, number]> };
  env?: Readonly<Record<string, string>>;
  /** Only honoured when the agent runs as root; default: the agent's task user. */
  user?: string;
  healthCheck?: HealthCheckSpec;
  /** Mesos capability names of the framework; `TASK_KILLING_STATE` enables TASK_KILLING updates. */
  frameworkCapabilities?: readonly string[];
  /** Ours: process limit of the container; default: the agent's. */
  pidsMax?: number;
  /** The executor id the master gave the task (Mesos fills it for command tasks too); default: the task id. */
  executorId?: string;
  /** A COMMAND, HTTP or TCP check (readiness): its result is reported as check_status. */
  check?: TaskCheckSpec;
  /** Artifacts fetched into the sandbox before the command starts (fetcher.ts). */
  uris?: FetchUri[];
  /** Persistent volumes, linked into the sandbox at their container paths. */
  volumes?: VolumeMount[];
}

export type SpecProblem = { ok: false; code: 'invalid_task'; message: string };

export const PORTS_PER_TASK_MAX = 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function validateLaunchSpec(spec: LaunchTaskSpec): SpecProblem | null {
  const problem = (message: string): SpecProblem => ({ ok: false, code: 'invalid_task', message });
  const taskIdProblem = idProblem(spec.taskId);
  if (taskIdProblem) return problem(`task id "${spec.taskId}" ${taskIdProblem}`);
  const frameworkIdProblem = idProblem(spec.frameworkId);
  if (frameworkIdProblem) return problem(`framework id "${spec.frameworkId}" ${frameworkIdProblem}`);
  if (typeof spec.command !== 'string' || spec.command.trim() === '') return problem('the command is empty');
  for (const [name, value] of Object.entries(spec.resources ?? {})) {
    if (name === 'ports') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return problem(`resource ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  for (const [begin, end] of spec.resources?.ports ?? []) {
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > 65535 || begin > end)
      return problem(`port range [${begin}, ${end}] is not valid`);
  }
  if (taskPorts(spec).length > PORTS_PER_TASK_MAX) return problem(`the task has more than ${PORTS_PER_TASK_MAX} ports`);
  for (const name of Object.keys(spec.env ?? {}))
    if (!ENV_NAME.test(name)) return problem(`environment variable name "${name}" is not valid`);
  if (spec.pidsMax !== undefined && !(Number.isInteger(spec.pidsMax) && spec.pidsMax > 0))
    return problem(`pidsMax must be an integer > 0, got ${spec.pidsMax}`);
  const check = spec.healthCheck;
  if (check) {
    const checkProblem = healthCheckProblem(check);
    if (checkProblem) return problem(checkProblem);
    for (const key of ['intervalSeconds', 'timeoutSeconds'] as const) {
      const value = check[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) return problem(`healthCheck.${key} must be > 0, got ${value}`);
    }
  }
  const taskCheck = spec.check ? taskCheckProblem(spec.check) : null;
  if (taskCheck) return problem(taskCheck);
  for (const volume of spec.volumes ?? []) {
    const pathProblem = containerPathProblem(volume.containerPath);
    if (pathProblem) return problem(pathProblem);
  }
  return null;
}

export function taskPorts(spec: LaunchTaskSpec): number[] {
  const ranges = (spec.resources?.ports ?? []).map(([begin, end]) => [begin, end] as Range);
  return portList(normalizeRanges(ranges));
}

export function containerLimits(spec: LaunchTaskSpec, defaultPidsMax: number | null): ContainerLimits {
  const mem = spec.resources?.mem;
  return {
    cpus: spec.resources?.cpus ?? 0,
    memMb: mem !== undefined && mem > 0 ? mem : null,
    pidsMax: spec.pidsMax ?? defaultPidsMax,
  };
}

export function diskLimitMb(spec: LaunchTaskSpec): number | null {
  const disk = spec.resources?.disk;
  return disk !== undefined && disk > 0 ? disk : null;
}

export interface EnvironmentContext {
  agentId: string;
  sandboxDir: string;
  /** The agent's base environment for tasks (PATH etc.). */
  base: Readonly<Record<string, string>>;
  userName: string | null;
}

/** The task's environment: base, then the task's own variables, then what the agent sets (which wins). */
export function taskEnvironment(spec: LaunchTaskSpec, context: EnvironmentContext): Record<string, string> {
  const env: Record<string, string> = {
    PATH: DEFAULT_PATH,
    HOME: context.sandboxDir,
    TMPDIR: join(context.sandboxDir, SANDBOX_TMP_DIR),
    ...context.base,
    ...spec.env,
  };
  if (context.userName) env.USER = context.userName;
  const ports = taskPorts(spec);
  ports.forEach((port, index) => (env[`PORT${index}`] = String(port)));
  if (ports.length > 0) {
    env.PORT = String(ports[0]);
    env.PORTS = ports.join(',');
  }
  env.MESOS_TASK_ID = spec.taskId;
  env.MESOS_FRAMEWORK_ID = spec.frameworkId;
  env.MESOS_AGENT_ID = context.agentId;
  env.MESOS_SANDBOX = context.sandboxDir;
  env.MESOS_DIRECTORY = context.sandboxDir;
  return env;
}
