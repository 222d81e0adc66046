/**
 * `allot master --store etcd --etcd URL[,URL...]` (or `--store file`, where
 * masters sharing a work dir on one machine elect a leader by lock): runs
 * one master of a highly available group until SIGINT/SIGTERM (resigning, so
 * a follower takes over at once) or until it loses leadership, when it exits
 * with code 75 (EX_TEMPFAIL: restart me) so that its supervisor brings it
 * back as a follower. Called from the master command; everything HA stays here.
 */
import type { Logger } from 'pino';
import type { MasterDaemonOptions } from '../master/masterDaemon.js';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import { parseEndpoints } from './etcdEndpoints.js';
import type { HaBackend } from './haMaster.js';

export const EXIT_LOST_LEADERSHIP = 75;

export interface HaMasterFlags {
  ip: string;
  port: number;
  etcd?: string;
  etcdPrefix?: string;
}

/** Null when the flags are usable, else the message for a usage error. */
export function haFlagsProblem(flags: HaMasterFlags): string | null {
  if (flags.etcd === undefined) return '--store etcd needs --etcd URL[,URL...] (e.g. --etcd http://127.0.0.1:2379)';
  const endpoints = parseEndpoints(flags.etcd);
  if (!endpoints.ok) return endpoints.message;
  const prefix = flags.etcdPrefix ?? '/allot/';
  if (!/^\/[A-Za-z0-9._\-/]{0,200}$/.test(prefix)) return `--etcd-prefix: expected a key prefix such as /allot/, got "${prefix}"`;
  return null;
}

/** The backend of `--store etcd` (flags checked by haFlagsProblem first). */
export function etcdBackend(flags: HaMasterFlags): HaBackend {
  const endpoints = parseEndpoints(flags.etcd ?? '');
  if (!endpoints.ok) throw new Error(endpoints.message);
  return { kind: 'etcd', endpoints: endpoints.endpoints, prefix: flags.etcdPrefix ?? '/allot/' };
}

export async function runHaMaster(
  backend: HaBackend,
  flags: HaMasterFlags,
  logger: Logger,
  master: Omit<MasterDaemonOptions, 'ip' | 'port' | 'store' | 'workDir' | 'logger'>,
  untilSignal: () => Promise<NodeJS.Signals>,
  https: HttpsServerOptions | null = null,
): Promise<void> {
  let resolveDeposed: (reason: string) => void = () => undefined;
  const deposed = new Promise<string>((resolve) => (resolveDeposed = resolve));
  // Loaded here: checking the flags (above) should not wait for the master daemon and etcd3 to load.
  const { startHaMaster } = await import('./haMaster.js');
  const ha = await startHaMaster({ backend, ip: flags.ip, port: flags.port, logger, https, master, onDeposed: resolveDeposed });
  const outcome = await Promise.race([untilSignal().then((signal) => ({ signal })), deposed.then((reason) => ({ reason }))]);
  if ('signal' in outcome) {
    logger.info({ signal: outcome.signal }, 'master shutting down (resigning leadership)');
    await ha.close();
    return;
  }
  logger.warn(
    { reason: outcome.reason, exitCode: EXIT_LOST_LEADERSHIP },
    'exiting after losing leadership; restart to rejoin as a follower',
  );
  // Closing may wait on an unreachable etcd; the lease is already untrusted, so do not wait long.
  await Promise.race([ha.close(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  process.exit(EXIT_LOST_LEADERSHIP);
}
