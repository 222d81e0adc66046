/**
 * An HA `allot master` (`--store etcd`, or `--store file` with a work dir
 * shared by the masters of one machine) as a child process for the HA
 * suites: a fixed port (a restarted master keeps its address), logs appended
 * to a file, ready once it says it is listening (as a follower).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Daemon } from '../master/daemons.js';
import { killOnExit } from './etcdHarness.js';

const LAUNCHER = fileURLToPath(new URL('../../../adapters/bin/allot.js', import.meta.url));

/** `store` is an etcd endpoint, or `{ sharedWorkDir }` for the file store. */
export async function startHaMasterProcess(
  workDir: string,
  name: string,
  store: string | { sharedWorkDir: string },
  port: number,
  extraArgs: string[] = [],
): Promise<Daemon> {
  const storeArgs =
    typeof store === 'string' ? ['--store', 'etcd', '--etcd', store] : ['--store', 'file', '--work-dir', store.sharedWorkDir];
  const args = [
    'master',
    ...storeArgs,
    '--port',
    String(port),
    '--heartbeat-interval',
    '1',
    '--allocation-interval',
    '0.2',
    '--agent-reregister-timeout',
    '30',
    ...extraArgs,
  ];
  const logFile = join(workDir, `${name}.log`);
  const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  const log = createWriteStream(logFile, { flags: 'a' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 90 s:\n${text.slice(-2000)}`)), 90_000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (text.length < 100_000) text += chunk.toString();
      if (text.includes('ha master listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} while starting:\n${text.slice(-2000)}`));
    });
  });
  return {
    process: child,
    url: `http://127.0.0.1:${port}`,
    logFile,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
}
