/**
 * Command checks (Mesos `CheckInfo` COMMAND, the SDK's readiness checks):
 * `delaySeconds` after the task runs, then `intervalSeconds` after each run
 * ends, `/bin/sh -c <command>` runs in the sandbox as the task's user; its
 * exit code is the result, none when it runs past `timeoutSeconds` (it is
 * killed). Unlike health checks, a check never kills the task: the runtime
 * reports each change of result as `check_status` on a TASK_RUNNING update.
 */
import { spawn } from 'node:child_process';
import type { TaskUser } from './sandbox.js';

export interface CommandCheckSpec {
  command: string;
  delaySeconds?: number;
  intervalSeconds?: number;
  timeoutSeconds?: number;
}

/** Mesos's CheckInfo defaults. */
export const COMMAND_CHECK_DEFAULTS = { delaySeconds: 15, intervalSeconds: 10, timeoutSeconds: 20 };

export interface CheckContext {
  sandboxDir: string;
  env: Record<string, string>;
  user: TaskUser | null;
}

export class CommandCheck {
  readonly #spec: Required<CommandCheckSpec>;
  readonly #context: CheckContext;
  readonly #onResult: (exitCode: number | null) => void;
  #timer: NodeJS.Timeout | null = null;
  #last: number | null | undefined = undefined;
  #stopped = false;

  constructor(spec: CommandCheckSpec, context: CheckContext, onResult: (exitCode: number | null) => void) {
    this.#spec = { ...COMMAND_CHECK_DEFAULTS, ...spec };
    if (!(this.#spec.intervalSeconds > 0)) throw new Error('check interval must be > 0');
    this.#context = context;
    this.#onResult = onResult;
  }

  start(): void {
    this.#schedule(this.#spec.delaySeconds * 1000);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#check(), delayMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const exitCode = await runCheckCommand(this.#spec.command, this.#context, this.#spec.timeoutSeconds);
    if (this.#stopped) return;
    if (exitCode !== this.#last) {
      this.#last = exitCode;
      this.#onResult(exitCode);
    }
    this.#schedule(this.#spec.intervalSeconds * 1000);
  }
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
