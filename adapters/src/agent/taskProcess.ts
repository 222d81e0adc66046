/**
 * One task's process tree, led by a small shell wrapper:
 *
 *   1. The wrapper starts in its own session and process group (so signals to
 *      the group reach every child) as the task's user, in the sandbox, with
 *      stdout/stderr on the sandbox files, and blocks reading fd 3.
 *   2. The agent adds the wrapper's pid to the container's cgroups, then
 *      writes "go" on fd 3. Only then does the wrapper run the command, so no
 *      task process ever runs outside its cgroups (the race of attaching after
 *      spawn is closed, and the unprivileged task needs no write access to the
 *      cgroup files). If the agent dies before "go", the wrapper reads EOF and
 *      exits 125 without running anything.
 *   3. The wrapper runs `/bin/sh -c <command>` as a child, waits for it, and
 *      writes `$?` to `exit_status`: a restarted agent cannot waitpid an
 *      adopted process, so this file is how it learns how the task ended. The
 *      wrapper traps TERM/INT/HUP (a trap with an action is reset in children,
 *      unlike an ignored signal), so a graceful kill still records the status.
 *   4. The child says "started" on fd 3 once it is a fresh shell (the trap
 *      reset by exec), then closes fd 3 and execs the command. Only then may
 *      the agent signal the group: a SIGTERM that arrives while the wrapper
 *      still reads "go" ends it as "launch aborted" (exit 125), and one that
 *      arrives between the child's fork and exec is swallowed by the inherited
 *      trap, so the task ignores it until SIGKILL. Both happened on busy
 *      machines when the agent killed a task right after launching it.
 *
 * Exit status encoding is the shell's: 128 + N means "terminated by signal N"
 * (an explicit `exit 137` reads the same).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { privateTmpArgv } from './privateTmp.js';
import { EXIT_STATUS_FILE, STDERR_FILE, STDOUT_FILE } from './sandbox.js';
import type { TaskUser } from './sandbox.js';
import { isProcessAlive, readProcStat, signalProcessGroup } from './isolation/procStat.js';

/** Exit status of the wrapper when the agent went away before saying "go". */
export const EXIT_LAUNCH_ABORTED = 125;
/** What the task's shell writes on fd 3 once signals reach it with their default action. */
const STARTED = 'started';
const ADOPTED_POLL_MS = 250;

const WRAPPER_SCRIPT = [
  "trap 'allot_signalled=1' TERM INT HUP",
  `read -r allot_go <&3 || exit ${EXIT_LAUNCH_ABORTED}`,
  `/bin/sh -c 'echo ${STARTED} >&3 && exec 3>&- /bin/sh -c "$1"' allot-task "$1"`,
  'allot_status=$?',
  'exec 3<&-',
  `echo "$allot_status" > ${EXIT_STATUS_FILE}`,
  'exit "$allot_status"',
].join('\n');

export interface ExitStatus {
  /** The command's exit status (128 + N when a signal ended it), or null when unknown. */
  code: number | null;
  /** Set when the wrapper itself was killed (e.g. SIGKILL to the group): the command's status was never recorded. */
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  command: string;
  sandboxDir: string;
  env: Record<string, string>;
  user: TaskUser | null;
  /** Run in a mount namespace with the sandbox's `tmp` as /tmp (privateTmp.ts; root only). */
  privateTmp?: boolean;
  /** Host directories outside the sandbox the task must still reach with a private /tmp (its volumes). */
  keptDirs?: readonly string[];
}

/** "exited with code 3", "terminated by signal SIGKILL", "exited with code 137 (signal SIGKILL)". */
export function describeExit(status: ExitStatus): string {
  if (status.signal !== null) return `terminated by signal ${status.signal}`;
  if (status.code === null) return 'ended while the agent was down, with no recorded exit status';
  const signal = status.code > 128 ? signalName(status.code - 128) : null;
  return signal ? `exited with code ${status.code} (signal ${signal})` : `exited with code ${status.code}`;
}

function signalName(number: number): string | null {
  for (const [name, value] of Object.entries(osConstants.signals)) if (value === number) return name;
  return null;
}

export class TaskProcess {
  readonly pid: number;
  /** With the pid, identifies the process across pid reuse (from /proc; null without it). */
  readonly startTicks: number | null;
  /** Settles once the wrapper is gone; never rejects. */
  readonly exited: Promise<ExitStatus>;
  /**
   * True once the command's shell runs and signals reach it (see step 4 above);
   * false when the wrapper ended first. Adopted processes started long ago.
   */
  readonly started: Promise<boolean>;
  readonly #child: ChildProcess | null;
  #detached = false;

  private constructor(pid: number, startTicks: number | null, exited: Promise<ExitStatus>, child: ChildProcess | null) {
    this.pid = pid;
    this.startTicks = startTicks;
    this.exited = exited;
    this.#child = child;
    this.started = child === null ? Promise.resolve(true) : startedSignal(child);
  }

  /** Starts the wrapper, stopped before the command (see `release`). Throws when the process cannot be started. */
  static async spawn(options: SpawnOptions): Promise<TaskProcess> {
    const stdout = openSync(join(options.sandboxDir, STDOUT_FILE), 'a');
    const stderr = openSync(join(options.sandboxDir, STDERR_FILE), 'a');
    let child: ChildProcess;
    const launcher = ['/bin/sh', '-c', WRAPPER_SCRIPT, 'allot-launcher', options.command];
    // With a private /tmp the launcher starts as root (to mount) and drops to the task user itself.
    const [command, ...args] = options.privateTmp ? privateTmpArgv(launcher, options.sandboxDir, options.user, options.keptDirs) : launcher;
    try {
      child = spawn(command, args, {
        cwd: options.sandboxDir,
        env: options.env,
        detached: true,
        stdio: ['ignore', stdout, stderr, 'pipe'],
        ...(options.user && !options.privateTmp ? { uid: options.user.uid, gid: options.user.gid } : {}),
      });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    // The release pipe can be reset when the wrapper dies first; its exit is what counts, so a pipe error must not crash the agent.
    child.stdio[3]?.on('error', () => undefined);
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid!;
    return new TaskProcess(pid, readProcStat(pid)?.startTicks ?? null, exited, child);
  }

  /**
   * Takes over a wrapper started by an earlier agent: polls until it is gone,
   * then reads the exit status file (code null when there is none, e.g. the
   * group was SIGKILLed).
   */
  static adopt(pid: number, startTicks: number | null, sandboxDir: string, pollMs = ADOPTED_POLL_MS): TaskProcess {
    let adopted: TaskProcess | null = null;
    const exited = new Promise<ExitStatus>((resolve) => {
      const check = () => {
        // biome-ignore lint/complexity/useOptionalChain: an optional chain cannot reach a private field.
        if (adopted !== null && adopted.#detached) return;
        if (isProcessAlive(pid, startTicks)) {
          setTimeout(check, pollMs);
          return;
        }
        resolve({ code: readExitStatusFile(sandboxDir), signal: null });
      };
      // First look after construction, so that `detach` can stop the polling.
      setImmediate(check);
    });
    adopted = new TaskProcess(pid, startTicks, exited, null);
    return adopted;
  }

  /** Lets the wrapper run the command: call once the pid is in its cgroups. */
  release(): void {
    const pipe = this.#child?.stdio[3];
    if (!pipe || !('write' in pipe)) throw new Error(`task process ${this.pid} is not waiting for release`);
    pipe.end('go\n');
  }

  /** Signals the whole process group; false when it is gone. */
  signal(signal: NodeJS.Signals): boolean {
    return signalProcessGroup(this.pid, signal);
  }

  /** Forgets the child without killing it (the agent is shutting down and the task keeps running). */
  detach(): void {
    this.#detached = true;
    this.#child?.removeAllListeners();
    this.#child?.unref();
    const pipe = this.#child?.stdio[3];
    if (pipe && 'unref' in pipe) (pipe as { unref(): void }).unref();
  }
}

/** Resolves true when "started" arrives on fd 3, false at its end (the wrapper is gone); data always comes before the end. */
function startedSignal(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    const pipe = child.stdio[3];
    if (!pipe || !('on' in pipe)) return resolve(false);
    let text = '';
    pipe.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes(`${STARTED}\n`)) resolve(true);
    });
    pipe.once('end', () => resolve(false));
    pipe.once('close', () => resolve(false));
  });
}

export function readExitStatusFile(sandboxDir: string): number | null {
  try {
    const value = Number(readFileSync(join(sandboxDir, EXIT_STATUS_FILE), 'utf8').trim());
    return Number.isInteger(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}
