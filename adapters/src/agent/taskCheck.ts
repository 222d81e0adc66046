/**
 * Task checks (Mesos `CheckInfo`, the SDK's readiness checks): `delaySeconds`
 * after the task runs, then `intervalSeconds` after each run ends, one probe:
 * a COMMAND check runs `/bin/sh -c <command>` in the sandbox as the task's
 * user and its exit code is the result; an HTTP check GETs
 * `http://127.0.0.1:<port><path>` and its status code is the result; a TCP
 * check's result is whether a connection opened. Past `timeoutSeconds` (0:
 * none) there is no result (a command is killed). Unlike health checks, a
 * check never kills the task and never interprets its result: the runtime
 * reports each change as `check_status` on a TASK_RUNNING update.
 */
import { spawn } from 'node:child_process';
import type { CheckStatus } from '@allot/kernel';
import { httpStatus, tcpConnects } from './networkProbe.js';
import { ProbeLoop } from './probeLoop.js';
import type { TaskUser } from './sandbox.js';

export interface TaskCheckSpec {
  /** Default COMMAND (checkpoints written before HTTP and TCP checks have none). */
  type?: 'COMMAND' | 'HTTP' | 'TCP';
  /** COMMAND: the shell command. */
  command?: string;
  /** HTTP and TCP: the port probed on 127.0.0.1. */
  port?: number;
  /** HTTP: default "/". */
  path?: string;
  delaySeconds?: number;
  intervalSeconds?: number;
  timeoutSeconds?: number;
}

/** Mesos's CheckInfo defaults. */
export const CHECK_DEFAULTS = { delaySeconds: 15, intervalSeconds: 10, timeoutSeconds: 20 };

/** setTimeout's largest delay: a probe with no timeout waits this long at most. */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

export interface CheckContext {
  sandboxDir: string;
  env: Record<string, string>;
  user: TaskUser | null;
}

/** Why a check cannot run, or null. */
export function taskCheckProblem(spec: TaskCheckSpec): string | null {
  const type = spec.type ?? 'COMMAND';
  if (type === 'COMMAND') return typeof spec.command === 'string' && spec.command.trim() !== '' ? null : 'the check command is empty';
  if (type !== 'HTTP' && type !== 'TCP') return `check type ${String(type)} is not supported (COMMAND, HTTP or TCP)`;
  if (!Number.isInteger(spec.port) || spec.port! < 1 || spec.port! > 65535)
    return `the ${type} check needs a port from 1 to 65535, got ${String(spec.port)}`;
  return null;
}

export class TaskCheck {
  readonly #spec: TaskCheckSpec & typeof CHECK_DEFAULTS;
  readonly #context: CheckContext;
  readonly #onResult: (status: CheckStatus) => void;
  readonly #loop: ProbeLoop;
  #last: string | undefined = undefined;

  constructor(spec: TaskCheckSpec, context: CheckContext, onResult: (status: CheckStatus) => void) {
    this.#spec = { ...CHECK_DEFAULTS, ...spec };
    const problem = taskCheckProblem(spec);
    if (problem) throw new Error(problem);
    this.#context = context;
    this.#onResult = onResult;
    this.#loop = new ProbeLoop(() => this.#check(), this.#spec.intervalSeconds * 1000);
  }

  start(): void {
    this.#loop.start(this.#spec.delaySeconds * 1000);
  }

  stop(): void {
    this.#loop.stop();
  }

  async #check(): Promise<void> {
    const status = await runCheckOnce(this.#spec, this.#context);
    if (this.#loop.stopped) return;
    const key = JSON.stringify(status);
    if (key !== this.#last) {
      this.#last = key;
      this.#onResult(status);
    }
  }
}

/** A check's result before its first run: the empty message of its type. */
export function emptyCheckStatus(spec: TaskCheckSpec): CheckStatus {
  if (spec.type === 'HTTP') return { type: 'HTTP', statusCode: null };
  if (spec.type === 'TCP') return { type: 'TCP', succeeded: null };
  return { exitCode: null };
}

/** One probe of the check, as the result Mesos reports for its type. */
export async function runCheckOnce(spec: TaskCheckSpec, context: CheckContext): Promise<CheckStatus> {
  const timeoutSeconds = spec.timeoutSeconds ?? CHECK_DEFAULTS.timeoutSeconds;
  const timeoutMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : NO_TIMEOUT_MS;
  if (spec.type === 'HTTP')
    return { type: 'HTTP', statusCode: await httpStatus({ type: 'HTTP', port: spec.port!, path: spec.path ?? '/' }, timeoutMs) };
  // A refused connection is a result (false); only a timeout leaves none.
  if (spec.type === 'TCP') return { type: 'TCP', succeeded: await tcpConnects(spec.port!, timeoutMs) };
  return { exitCode: await runCheckCommand(spec.command ?? 'false', context, timeoutSeconds) };
}

/** Runs the command once; its exit code, or null when it timed out or could not run. `timeoutSeconds` 0 means none. */
export function runCheckCommand(command: string, context: CheckContext, timeoutSeconds: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: context.sandboxDir,
      env: context.env,
      stdio: 'ignore',
      detached: true,
      ...(context.user ? { uid: context.user.uid, gid: context.user.gid } : {}),
    });
    let timedOut = false;
    const timeout =
      timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }, timeoutSeconds * 1000)
        : null;
    child.once('error', () => {
      if (timeout) clearTimeout(timeout);
      resolve(null);
    });
    child.once('exit', (code) => {
      if (timeout) clearTimeout(timeout);
      resolve(timedOut ? null : code);
    });
  });
}
