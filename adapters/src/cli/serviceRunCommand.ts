/**
 * `allot service run SPEC --master URL`: runs one SDK service (a svc.yml or
 * the JSON service spec) against a real cluster until SIGINT/SIGTERM, with
 * its HTTP API on --port. Its state lives in `<work-dir>/state` (file store)
 * or in etcd, so a scheduler killed with `kill -9` and started again carries
 * on where it stopped.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { parseMasterUrls } from '../scheduler/redirects.js';
import { startServiceDaemon } from '../service/serviceDaemon.js';
import { parseCorsOrigins } from '../service/serviceCors.js';
import { loadServiceSpec } from '../service/serviceSpecFile.js';
import { parseOptions } from '../service/specTemplate.js';
import { parsePort, parseSeconds, untilSignal } from './daemonFlags.js';
import { credentials, openStore } from './frameworkDaemonFlags.js';
import { UsageError } from './exitCodes.js';

interface RunFlags {
  master?: string;
  ip: string;
  port: number;
  corsOrigin: string;
  workDir?: string;
  store: string;
  etcd?: string;
  etcdPrefix: string;
  option: string[];
  role?: string;
  user?: string;
  failoverTimeout?: number;
  secretFile?: string;
  tokenFile?: string;
  logLevel: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerServiceRunCommand(service: Command): void {
  service
    .command('run')
    .description('run an SDK service scheduler (svc.yml or JSON service spec) against a cluster, with the DC/OS Commons HTTP API')
    .argument('<spec>', 'a DC/OS Commons svc.yml (.yml, .yaml) or a JSON service spec (.json)')
    .option('--master <urls>', 'the master(s), comma-separated, e.g. http://127.0.0.1:5050')
    .option('--ip <address>', 'address of the HTTP API', '127.0.0.1')
    .option('--port <port>', 'port of the HTTP API (0 = any free port)', parsePort, 8080)
    .option(
      '--cors-origin <origins>',
      'pages that may read the API from another origin (the playground): *, none, or comma-separated origins; writes stay same-origin',
      '*',
    )
    .option('--work-dir <dir>', 'with the file store: where the scheduler keeps its state (default: under the system temp dir)')
    .option('--store <kind>', 'where the scheduler state lives: file (default) or etcd (with --etcd)', 'file')
    .option('--etcd <urls>', 'with --store etcd: etcd endpoints, comma-separated')
    .option('--etcd-prefix <prefix>', 'with --store etcd: key prefix', '/allot/')
    .option('--option <key=value>', 'a {{KEY}} value of the spec (repeatable; the environment fills the rest)', collect, [])
    .option('--role <role>', 'the role it reserves for (default: <name>-role)')
    .option('--user <user>', 'FrameworkInfo.user (default: scheduler.user of the svc.yml, else nobody)')
    .option(
      '--failover-timeout <seconds>',
      'how long the master keeps the tasks of a scheduler that is gone (default two weeks)',
      parseSeconds,
    )
    .option('--secret-file <file>', "a secured master: the framework principal's secret (HTTP basic authentication)")
    .option('--token-file <file>', 'a secured master: a bearer token of the framework principal')
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .action(async (spec: string, flags: RunFlags) => runService(spec, flags));
}

async function runService(specPath: string, flags: RunFlags): Promise<void> {
  if (!flags.master) throw new UsageError('--master: required, e.g. --master http://127.0.0.1:5050');
  const masters = parseMasterUrls(flags.master);
  if (!masters.ok) throw new UsageError(`--master: ${masters.message}`);
  const corsOrigins = parseCorsOrigins(flags.corsOrigin);
  if (!corsOrigins.ok) throw new UsageError(`--cors-origin: ${corsOrigins.message}`);
  const options = parseOptions(flags.option);
  if (!options.ok) throw new UsageError(options.message);
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(flags.logLevel))
    throw new UsageError(`--log-level: expected trace, debug, info, warn or error, got "${flags.logLevel}"`);
  let text: string;
  try {
    text = readFileSync(specPath, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${specPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const loaded = loadServiceSpec(text, basename(specPath), (name) => options.values[name] ?? process.env[name]);
  if (!loaded.ok)
    throw new UsageError(`${specPath} is not a valid service spec (${loaded.errors.length} errors):\n  ${loaded.errors.join('\n  ')}`);
  const headers = credentials(flags, loaded.spec.principal ?? loaded.spec.name);
  const store = openStore(flags, `allot-service-${loaded.spec.name}`);
  const logger = pino({ name: 'allot-service', level: flags.logLevel });
  let running: Awaited<ReturnType<typeof startServiceDaemon>>;
  try {
    running = await startServiceDaemon({
      spec: loaded.spec,
      masters: masters.urls,
      store,
      logger,
      ip: flags.ip,
      port: flags.port,
      corsOrigins: corsOrigins.value,
      ...(flags.role ? { role: flags.role } : {}),
      user: flags.user ?? loaded.user ?? 'nobody',
      ...(flags.failoverTimeout ? { failoverTimeoutSeconds: flags.failoverTimeout } : {}),
      ...(headers ? { headers } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new UsageError(`cannot listen on ${flags.ip}:${flags.port}: ${code}`, 1);
    throw error;
  }
  const outcome = await Promise.race([untilSignal().then((signal) => ({ signal })), running.stopped.then((reason) => ({ reason }))]);
  logger.info(outcome, 'service scheduler shutting down');
  await running.close();
  await store.close();
  if ('reason' in outcome) throw new UsageError(outcome.reason, 1);
}
