/**
 * `allot up`: a master and N agents on 127.0.0.1 for trying allot, each a
 * child process of this one (`allot master`, `allot agent`), with their
 * addresses printed once they are up. Ctrl-C stops them all (agents kill
 * their tasks first). Logs go to `<work-dir>/*.log`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseCount, parsePort, untilSignal } from './daemonFlags.js';
import { UsageError } from './exitCodes.js';

interface UpFlags {
  agents: number;
  port: number;
  workDir?: string;
  resources: string;
  isolation: string;
}

const LAUNCHER = fileURLToPath(new URL('../../bin/allot.js', import.meta.url));

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('start a local master and agents on 127.0.0.1 for trying allot (Ctrl-C stops them all)')
    .option('--agents <n>', 'how many agents', parseCount, 2)
    .option('--port <port>', 'master port', parsePort, 5050)
    .option('--work-dir <dir>', 'where state, sandboxes and logs go (default: a directory under the system temp dir)')
    .option('--resources <spec>', 'resources of each agent', 'cpus:2;mem:2048;disk:4096;ports:[31000-32000]')
    .option('--isolation <kind>', 'auto, cgroups or posix', 'auto')
    .action(async (flags: UpFlags) => {
      await runUp(flags);
    });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new UsageError(`a daemon exited with code ${child.exitCode} while starting; see its log`, 1);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new UsageError(`${url} did not become healthy within ${timeoutMs / 1000} s`, 1);
}

function daemon(args: string[], logFile: string): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

async function runUp(flags: UpFlags): Promise<void> {
  const workDir = flags.workDir ?? join(tmpdir(), `allot-up-${flags.port}`);
  mkdirSync(workDir, { recursive: true });
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of [...children].reverse()) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode !== null ? null : new Promise((resolve) => child.once('exit', resolve)))));
  };
  try {
    const masterUrl = `http://127.0.0.1:${flags.port}`;
    const master = daemon(['master', '--port', String(flags.port), '--work-dir', join(workDir, 'master')], join(workDir, 'master.log'));
    children.push(master);
    await waitHealthy(masterUrl, master);
    process.stdout.write(`master  ${masterUrl}   (log ${join(workDir, 'master.log')})\n`);
    for (let index = 1; index <= flags.agents; index++) {
      const port = await freePort();
      const args = [
        'agent',
        '--master',
        masterUrl,
        '--port',
        String(port),
        '--work-dir',
        join(workDir, `agent-${index}`),
        '--resources',
        flags.resources,
        '--attributes',
        `agent:${index}`,
        '--isolation',
        flags.isolation,
        '--kill-tasks-on-exit',
      ];
      const agent = daemon(args, join(workDir, `agent-${index}.log`));
      children.push(agent);
      await waitHealthy(`http://127.0.0.1:${port}`, agent);
      process.stdout.write(`agent-${index} http://127.0.0.1:${port}   (log ${join(workDir, `agent-${index}.log`)})\n`);
    }
    process.stdout.write(
      `\nscheduler API: ${masterUrl}/api/v1/scheduler   operator API: ${masterUrl}/api/v1   live events: ${masterUrl}/api/v1/events\nPress Ctrl-C to stop.\n`,
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  await Promise.race([untilSignal(), ...children.map((child) => new Promise((resolve) => child.once('exit', resolve)))]);
  process.stdout.write('stopping...\n');
  await stopAll();
}
