/**
 * `allot master`: runs the master daemon until SIGINT/SIGTERM. Logs are pino
 * JSON lines on stdout; the state goes to `<work-dir>/state` (file store) so
 * that a restarted master (even after `kill -9`) recovers it. Timeouts are
 * flags so that tests and demos can make failure detection quick.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ConnectionLimits } from '../master/connectionGuard.js';
import { parseBytes, parseCount, parseHistorySize, parseLimit, parsePort, parseSeconds, untilSignal } from './daemonFlags.js';
import { UsageError } from './exitCodes.js';

export interface MasterFlags {
  ip: string;
  port: number;
  workDir?: string;
  store: string;
  etcd?: string;
  etcdPrefix?: string;
  security?: string;
  tlsCert?: string;
  tlsKey?: string;
  secret?: string;
  heartbeatInterval?: number;
  allocationInterval?: number;
  agentUnreachableTimeout?: number;
  agentReregisterTimeout?: number;
  offerTimeout?: number;
  maxCompletedFrameworks?: number;
  maxCompletedTasksPerFramework?: number;
  maxFrameworksPerPrincipal?: number;
  maxDisconnectedFrameworks?: number;
  insecureListen?: boolean;
  maxConnections?: number;
  maxConnectionsPerClient?: number;
  headersTimeout?: number;
  requestTimeout?: number;
  idleTimeout?: number;
  logLevel: string;
  record?: string;
  recordFileBytes?: number;
  recordFiles?: number;
  decisionCycles?: number;
}

export function registerMasterCommand(program: Command): void {
  program
    .command('master')
    .description('run a master daemon (Mesos v1 scheduler and operator HTTP APIs, agent registry, state store)')
    .option('--ip <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0 = any free port)', parsePort, 5050)
    .option('--work-dir <dir>', 'where the master keeps its state (default: a directory under the system temp dir)')
    .option('--store <kind>', 'state store: file (default), memory (nothing survives) or etcd (highly available, with --etcd)', 'file')
    .option('--etcd <urls>', 'with --store etcd: etcd endpoints, comma-separated (e.g. http://127.0.0.1:2379)')
    .option('--etcd-prefix <prefix>', 'with --store etcd: key prefix shared by the masters of one cluster', '/allot/')
    .option('--secret <secret>', 'agents must present this shared secret (default: off)')
    .option('--heartbeat-interval <seconds>', 'heartbeats on every stream', parseSeconds)
    .option('--allocation-interval <seconds>', 'allocation cycle interval (default 1)', parseSeconds)
    .option('--agent-unreachable-timeout <seconds>', 'a disconnected agent becomes unreachable after this long (default 75)', parseSeconds)
    .option('--agent-reregister-timeout <seconds>', 'after a restart, agents have this long to re-register (default 600)', parseSeconds)
    .option('--offer-timeout <seconds>', 'rescind offers not answered within this long (default: never)', parseSeconds)
    .option(
      '--max-completed-frameworks <n>',
      'removed frameworks the classic endpoints keep showing (default 50, as Mesos)',
      parseHistorySize,
    )
    .option(
      '--max-completed-tasks-per-framework <n>',
      'ended tasks per framework the classic endpoints keep showing (default 1000, as Mesos)',
      parseHistorySize,
    )
    .option('--max-frameworks-per-principal <n>', 'frameworks one principal may register (default 1000)', parseLimit)
    .option('--max-disconnected-frameworks <n>', 'disconnected frameworks kept for their failover timeout (default 100)', parseLimit)
    .option('--max-connections <n>', 'open connections in total (default: the descriptor limit - 256)', parseLimit)
    .option(
      '--max-connections-per-client <n>',
      'open connections from one address (default: half of --max-connections, at most 512)',
      parseLimit,
    )
    .option('--headers-timeout <seconds>', "a request's headers must arrive within this long (default 10)", parseSeconds)
    .option('--request-timeout <seconds>', 'a whole request must arrive within this long (default 60)', parseSeconds)
    .option('--idle-timeout <seconds>', 'a connection idle between requests is closed after this long (default 3600)', parseSeconds)
    .option('--insecure-listen', 'without --security, listen on a non-loopback --ip anyway (anyone who reaches it can run tasks)')
    .option('--security <file>', 'credentials, agent secret and authorization rules (JSON; see adapters/README.md "Security")')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--record <file>', 'record every command the master steps to this file, for `allot replay` (default: off)')
    .option(
      '--record-file-bytes <n>',
      'with --record: bytes per file before the recording continues in FILE.1, FILE.2, ... (default 64 MiB)',
      parseBytes,
    )
    .option('--record-files <n>', 'with --record: files at most; then the recording stops (default 16)', parseLimit)
    .option(
      '--decision-cycles <n>',
      'allocation cycles whose decisions are kept for GET /explain and allot explain, 0 = off (default 10)',
      parseCount,
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .action(async (flags: MasterFlags) => {
      await runMaster(flags);
    });
}

async function runMaster(flags: MasterFlags): Promise<void> {
  // Imported here, not at the top: the daemon's modules (fastify, etcd, ajv schemas) take longer to load
  // than the rest of the CLI, and `allot --version` or `allot scenarios` should not wait for them. The flags
  // are checked with light modules first, so that a usage error does not wait for them either.
  if (flags.store !== 'file' && flags.store !== 'memory' && flags.store !== 'etcd')
    throw new UsageError(`--store: expected file, memory or etcd, got "${flags.store}"`);
  const [
    { etcdBackend, haFlagsProblem, runHaMaster },
    { httpsOptionsFromFiles },
    { listenProblem },
    { loadSecurityConfig },
    { SecurityConfigError },
  ] = await Promise.all([
    import('../ha/haMasterCommand.js'),
    import('../security/tlsOptions.js'),
    import('../security/listenPolicy.js'),
    import('../security/securityConfig.js'),
    import('../security/configReader.js'),
  ]);
  const haProblem = flags.store === 'etcd' ? haFlagsProblem(flags) : null;
  if (haProblem) throw new UsageError(haProblem);
  const tls = httpsOptionsFromFiles(flags);
  if (!tls.ok) throw new UsageError(tls.message);
  let security = null;
  try {
    security = flags.security === undefined ? null : loadSecurityConfig(flags.security);
  } catch (error) {
    if (error instanceof SecurityConfigError) throw new UsageError(error.message);
    throw error;
  }
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(flags.logLevel))
    throw new UsageError(`--log-level: expected trace, debug, info, warn or error, got "${flags.logLevel}"`);
  const exposed = listenProblem(flags.ip, security !== null, flags.insecureListen === true);
  if (exposed) throw new UsageError(exposed);
  if (security !== null && security.agentSecret === null && flags.secret === undefined)
    throw new UsageError(
      `--security ${flags.security}: the file has no agentSecret (and no --secret was given): with a security file, agents must authenticate`,
    );
  const [{ default: pino }, { startMaster }] = await Promise.all([import('pino'), import('../master/masterDaemon.js')]);
  const workDir = flags.workDir ?? join(tmpdir(), `allot-master-${flags.port}`);
  mkdirSync(workDir, { recursive: true });
  const logger = pino({ name: 'allot-master', level: flags.logLevel });
  const seconds = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 1000));
  const kernel = {
    allocationIntervalMs: seconds(flags.allocationInterval),
    agentUnreachableTimeoutMs: seconds(flags.agentUnreachableTimeout),
    agentReregisterTimeoutMs: seconds(flags.agentReregisterTimeout),
    offerTimeoutMs: seconds(flags.offerTimeout) ?? null,
    decisionCycles: flags.decisionCycles,
  };
  const record = recordFlags(flags);
  const history = {
    maxCompletedFrameworks: flags.maxCompletedFrameworks,
    maxCompletedTasksPerFramework: flags.maxCompletedTasksPerFramework,
  };
  const limits = { frameworksPerPrincipal: flags.maxFrameworksPerPrincipal, disconnectedFrameworks: flags.maxDisconnectedFrameworks };
  const connections = connectionFlags(flags, seconds);
  // High availability (adapters/src/ha): a leader elected on etcd, or among the masters sharing this
  // work dir (file store, one machine); followers redirect to the leader.
  if (flags.store === 'etcd' || flags.store === 'file') {
    const backend = flags.store === 'etcd' ? etcdBackend(flags) : { kind: 'file' as const, workDir };
    try {
      return await runHaMaster(
        backend,
        flags,
        logger,
        {
          agentSecret: flags.secret ?? null,
          heartbeatMs: seconds(flags.heartbeatInterval),
          kernel,
          security,
          https: tls.https,
          limits,
          connections,
          insecureListen: flags.insecureListen === true,
          record,
          history,
        },
        untilSignal,
        tls.https,
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
        throw new UsageError(`cannot listen on ${flags.ip}:${flags.port}: ${code}`, 1);
      throw error;
    }
  }
  let master: Awaited<ReturnType<typeof startMaster>>;
  try {
    master = await startMaster({
      ip: flags.ip,
      port: flags.port,
      workDir,
      store: flags.store,
      agentSecret: flags.secret ?? null,
      heartbeatMs: seconds(flags.heartbeatInterval),
      logger,
      kernel,
      security,
      https: tls.https,
      limits,
      connections,
      insecureListen: flags.insecureListen === true,
      record,
      history,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new UsageError(`cannot listen on ${flags.ip}:${flags.port}: ${code}`, 1);
    throw error;
  }
  await master.recovered;
  const signal = await untilSignal();
  logger.info({ signal }, 'master shutting down');
  await master.close();
}

/** The connection caps and timeouts given as flags (the rest keep their defaults). */
function connectionFlags(flags: MasterFlags, ms: (seconds: number | undefined) => number | undefined): Partial<ConnectionLimits> {
  const given: Partial<ConnectionLimits> = {
    maxConnections: flags.maxConnections,
    maxConnectionsPerClient: flags.maxConnectionsPerClient,
    headersTimeoutMs: ms(flags.headersTimeout),
    requestTimeoutMs: ms(flags.requestTimeout),
    idleTimeoutMs: ms(flags.idleTimeout),
  };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/** `--record FILE` and its bounds; the file's directory must exist. */
function recordFlags(flags: MasterFlags): { path: string; limits: { segmentBytesMax?: number; segmentsMax?: number } } | null {
  if (flags.record === undefined) {
    if (flags.recordFileBytes !== undefined || flags.recordFiles !== undefined)
      throw new UsageError('--record-file-bytes and --record-files need --record FILE');
    return null;
  }
  const path = resolve(flags.record);
  if (!existsSync(dirname(path))) throw new UsageError(`--record ${flags.record}: the directory ${dirname(path)} does not exist`);
  const limits: { segmentBytesMax?: number; segmentsMax?: number } = {};
  if (flags.recordFileBytes !== undefined) {
    limits.segmentBytesMax = flags.recordFileBytes;
  }
  if (flags.recordFiles !== undefined) limits.segmentsMax = flags.recordFiles;
  return { path, limits };
}
