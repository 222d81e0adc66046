/**
 * Real daemons for the integration suites: `allot master` and `allot agent`
 * as child processes on 127.0.0.1 (free ports, logs captured to files in the
 * work dir), with helpers to wait for health and to kill them (SIGKILL too).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('../../../adapters/bin/allot.js', import.meta.url));

export function makeWorkDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `allot-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Daemon {
  process: ChildProcess;
  url: string;
  logFile: string;
  exited: Promise<number | null>;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Everything this process has printed so far. */
  log(): string;
}

export async function spawnDaemon(
  args: string[],
  logFile: string,
  urlPattern: RegExp,
  timeoutMs = 90_000,
  prefix: string[] = [],
): Promise<Daemon> {
  // A prefix runs the daemon under another command, e.g. `prlimit --nofile=1024:1024`.
  const [command, ...rest] = [...prefix, process.execPath, LAUNCHER, ...args];
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`daemon did not start within ${timeoutMs} ms: ${args.join(' ')}\n${text.slice(-2000)}`)),
      timeoutMs,
    );
    let started = false;
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      text += chunk.toString();
      if (started) return;
      const match = urlPattern.exec(text);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} while starting: ${args.join(' ')}\n${text.slice(-2000)}`));
    });
  });
  return {
    process: child,
    url,
    logFile,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    // What this process printed so far, from memory: the log file is written asynchronously (and shared with
    // the daemon's earlier runs), so reading it back could miss the latest lines.
    log: () => text,
  };
}

export function startMasterProcess(workDir: string, extraArgs: string[] = [], port = 0, prefix: string[] = []): Promise<Daemon> {
  const args = [
    'master',
    '--port',
    String(port),
    '--work-dir',
    join(workDir, 'master'),
    '--heartbeat-interval',
    '1',
    '--allocation-interval',
    '0.2',
    ...extraArgs,
  ];
  return spawnDaemon(args, join(workDir, 'master.log'), /"url":"(http:\/\/127\.0\.0\.1:\d+)","store"[^\n]*\n/, undefined, prefix);
}

export function startAgentProcess(workDir: string, masterUrl: string, name: string, extraArgs: string[] = []): Promise<Daemon> {
  const args = [
    'agent',
    '--master',
    masterUrl,
    '--port',
    '0',
    '--work-dir',
    join(workDir, name),
    '--resources',
    'cpus:2;mem:1024;disk:1024;ports:[31000-31100]',
    '--kill-tasks-on-exit',
    ...extraArgs,
  ];
  return spawnDaemon(args, join(workDir, `${name}.log`), /"url":"(http:\/\/127\.0\.0\.1:\d+)","master"/);
}

/** Polls `probe` until it returns a value (not null/undefined/false). */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function operator(masterUrl: string, call: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${masterUrl}/api/v1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(call),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Plain-text answers (errors, 202s) stay text.
  }
  return { status: response.status, body };
}
