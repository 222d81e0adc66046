/**
 * What the framework daemons (`allot marathon`, `allot jobs`, `allot pool`)
 * share on the command line: the masters, where their state lives
 * (`--work-dir` with the file store, or `--store etcd --etcd URLS`), the
 * credentials for a secured master (read from files, so `ps` shows none),
 * the log level, and running until SIGINT/SIGTERM or until the scheduler
 * stops by itself.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { roleNameProblem } from '@allot/kernel';
import { createEtcdClient, parseEndpoints } from '../ha/etcdClient.js';
import { parseMasterUrls } from '../scheduler/redirects.js';
import { EtcdStore } from '../store/etcdStore.js';
import { FileStore } from '../store/fileStore.js';
import type { StateStore } from '../store/stateStore.js';
import { parsePort, parseSeconds, untilSignal } from './daemonFlags.js';
import { UsageError } from './exitCodes.js';

export interface FrameworkDaemonFlags {
  master?: string;
  ip: string;
  port: number;
  workDir?: string;
  store: string;
  etcd?: string;
  etcdPrefix: string;
  user?: string;
  failoverTimeout?: number;
  secretFile?: string;
  tokenFile?: string;
  logLevel: string;
}

export function addFrameworkDaemonFlags(command: Command, defaultPort: number): Command {
  return command
    .option('--master <urls>', 'the master(s), comma-separated, e.g. http://127.0.0.1:5050')
    .option('--ip <address>', 'address of the HTTP API', '127.0.0.1')
    .option('--port <port>', `port of the HTTP API (0 = any free port; default ${defaultPort})`, parsePort, defaultPort)
    .option('--work-dir <dir>', 'with the file store: where the scheduler keeps its state (default: under the system temp dir)')
    .option('--store <kind>', 'where the scheduler state lives: file (default) or etcd (with --etcd)', 'file')
    .option('--etcd <urls>', 'with --store etcd: etcd endpoints, comma-separated')
    .option('--etcd-prefix <prefix>', 'with --store etcd: key prefix', '/allot/')
    .option('--user <user>', 'FrameworkInfo.user (default nobody)')
    .option('--failover-timeout <seconds>', 'how long the master keeps the tasks of a scheduler that is gone', parseSeconds)
    .option('--secret-file <file>', "a secured master: the framework principal's secret (HTTP basic authentication)")
    .option('--token-file <file>', 'a secured master: a bearer token of the framework principal')
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info');
}

export interface CommonSettings {
  masters: string[];
  store: StateStore;
  headers: Record<string, string> | null;
}

export function commonSettings(flags: FrameworkDaemonFlags, name: string, principal: string): CommonSettings {
  if (!flags.master) throw new UsageError('--master: required, e.g. --master http://127.0.0.1:5050');
  const masters = parseMasterUrls(flags.master);
  if (!masters.ok) throw new UsageError(`--master: ${masters.message}`);
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(flags.logLevel))
    throw new UsageError(`--log-level: expected trace, debug, info, warn or error, got "${flags.logLevel}"`);
  const headers = credentials(flags, principal);
  return { masters: masters.urls, store: openStore(flags, `allot-${name}`), headers };
}

/** `--framework-name` and the role flag, checked alike by the daemons that take both. */
export function checkNameAndRole(frameworkName: string, role: string, roleFlag: string): void {
  const roleProblem = roleNameProblem(role);
  if (roleProblem) throw new UsageError(`${roleFlag}: ${roleProblem}`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(frameworkName))
    throw new UsageError(`--framework-name: letters, digits, dots, dashes and underscores (1-64), got "${frameworkName}"`);
}

/** What every framework daemon's start function takes from the shared flags. */
export function daemonBaseOptions<L>(flags: FrameworkDaemonFlags, settings: CommonSettings, logger: L) {
  return {
    masters: settings.masters,
    store: settings.store,
    logger,
    ip: flags.ip,
    port: flags.port,
    user: flags.user ?? 'nobody',
    ...(flags.failoverTimeout ? { failoverTimeoutSeconds: flags.failoverTimeout } : {}),
    ...(settings.headers ? { headers: settings.headers } : {}),
  };
}

/** Runs until a signal or until the scheduler stops by itself (then exit 1 with the reason). */
export async function runUntilStopped(
  running: { stopped: Promise<string>; close(): Promise<void> },
  store: StateStore,
  logger: { info(object: object, message: string): void },
): Promise<void> {
  const outcome = await Promise.race([untilSignal().then((signal) => ({ signal })), running.stopped.then((reason) => ({ reason }))]);
  logger.info(outcome, 'shutting down');
  await running.close();
  await store.close();
  if ('reason' in outcome) throw new UsageError(outcome.reason, 1);
}

/** Turns a failure to listen into a usage error that says which address. */
export function listenError(error: unknown, flags: FrameworkDaemonFlags): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
    throw new UsageError(`cannot listen on ${flags.ip}:${flags.port}: ${code}`, 1);
  throw error;
}

/** The flags every scheduler daemon (marathon, jobs, pool, service) reads its store and master credentials from. */
export type StoreAndCredentialFlags = Pick<FrameworkDaemonFlags, 'store' | 'workDir' | 'etcd' | 'etcdPrefix' | 'secretFile' | 'tokenFile'>;

/** The daemon's state store: files under --work-dir (default a temporary directory named `defaultDirName`), or etcd. */
export function openStore(flags: StoreAndCredentialFlags, defaultDirName: string): StateStore {
  if (flags.store === 'file') {
    const workDir = flags.workDir ?? join(tmpdir(), defaultDirName);
    mkdirSync(workDir, { recursive: true });
    return new FileStore(join(workDir, 'state'));
  }
  if (flags.store !== 'etcd') throw new UsageError(`--store: expected file or etcd, got "${flags.store}"`);
  if (!flags.etcd) throw new UsageError('--store etcd needs --etcd URL[,URL...]');
  if (flags.workDir) throw new UsageError('--work-dir is for the file store; with --store etcd the state is in etcd');
  const endpoints = parseEndpoints(flags.etcd);
  if (!endpoints.ok) throw new UsageError(endpoints.message);
  return new EtcdStore({
    client: createEtcdClient(endpoints.endpoints),
    prefix: flags.etcdPrefix,
    endpoints: endpoints.endpoints,
    ownsClient: true,
  });
}

/** The Authorization header for a secured master: basic with the principal's secret, or a bearer token (read from files, not flags, so `ps` shows neither). */
export function credentials(flags: StoreAndCredentialFlags, principal: string): Record<string, string> | null {
  if (flags.secretFile && flags.tokenFile) throw new UsageError('--secret-file and --token-file: give one or the other');
  const file = flags.secretFile ?? flags.tokenFile;
  if (!file) return null;
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (value === '') throw new UsageError(`${file} is empty`);
  if (flags.tokenFile) return { Authorization: `Bearer ${value}` };
  return { Authorization: `Basic ${Buffer.from(`${principal}:${value}`).toString('base64')}` };
}
