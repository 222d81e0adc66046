/**
 * Child processes of the load benchmarks: a real etcd on free ports with a
 * temporary data dir, and `allot` daemons (masters, fleets) run from this
 * checkout. Every child is killed when this process exits, whatever happens,
 * and its output goes to a log file in the run's directory.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ETCD_BINARY = '/usr/bin/etcd';
const LAUNCHER = fileURLToPath(new URL('../../adapters/bin/allot.js', import.meta.url));

export function etcdMissing(): string | null {
  return existsSync(ETCD_BINARY) ? null : `${ETCD_BINARY} is not installed (scripts/ensureEtcd.mjs installs Debian's etcd-server)`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Calls `listener` with every line of stdout (the daemons log JSON lines there). */
  onLine(listener: (line: string) => void): void;
  /** Sends `signal`, then SIGKILL if it has not exited after `graceMs`. */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

// An interrupted benchmark exits through 'exit', so that its children are killed too.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

function killOnExit(child: ChildProcess): void {
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

export function startChild(command: string, args: string[], logFile: string): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  const log = createWriteStream(logFile, { flags: 'a' });
  const listeners: Array<(line: string) => void> = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const listener of listeners) listener(line);
  });
  child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    exited,
    onLine: (listener) => void listeners.push(listener),
    async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** `allot ARGS` from this checkout, with node options before it (e.g. `--cpu-prof`). */
export function startAllot(args: string[], logFile: string, nodeArgs: readonly string[] = []): Child {
  return startChild(process.execPath, [...nodeArgs, LAUNCHER, ...args], logFile);
}

export interface EtcdProcess {
  readonly endpoint: string;
  readonly child: Child;
  stop(): Promise<void>;
}

export async function startEtcd(runDir: string): Promise<EtcdProcess> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'allot-bench-etcd-'));
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = startChild(
    ETCD_BINARY,
    [
      '--name=bench',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=bench=${peer}`,
      '--logger=zap',
      '--log-level=error',
    ],
    join(runDir, 'etcd.log'),
  );
  const stop = async () => {
    await child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (((await response.json()) as { health?: string }).health === 'true') break;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline || child.process.exitCode !== null) {
      await stop();
      throw new Error(`etcd did not become healthy on ${endpoint} (see ${join(runDir, 'etcd.log')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, child, stop };
}

/** Resolves when `predicate` holds, polling every `everyMs`; rejects with `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | null> | T | null, what: string, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
