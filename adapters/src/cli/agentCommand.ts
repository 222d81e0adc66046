/**
 * `allot agent`: runs an agent daemon that registers with a master and runs
 * its tasks as real processes (cgroups where the host allows, else posix with
 * a warning). SIGINT/SIGTERM stop the agent and leave its tasks running, so
 * that a restarted agent on the same work dir recovers them (Mesos's rule);
 * `--kill-tasks-on-exit` kills them instead.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { IsolationMode } from '../agent/isolation/createIsolator.js';
import { DEFAULT_TASK_MEM_MB } from '../agent/taskMemory.js';
import { EXECUTOR_REREGISTRATION_TIMEOUT_MS } from '../agent/executorProtocol.js';
import { parseMegabytes, parsePort, parseSeconds, untilSignal } from './daemonFlags.js';
import { UsageError } from './exitCodes.js';

interface AgentFlags {
  master?: string;
  ip: string;
  port: number;
  hostname?: string;
  workDir?: string;
  resources?: string;
  attributes?: string;
  isolation: string;
  secret?: string;
  tlsCert?: string;
  tlsKey?: string;
  security?: string;
  killTasksOnExit?: boolean;
  defaultTaskMem?: number;
  requireTaskMem?: boolean;
  privateTmp: boolean;
  cgroupsEnableCfs?: boolean;
  executorReregistrationTimeout?: number;
  logLevel: string;
}

const ISOLATION: Record<string, IsolationMode> = { auto: 'auto', cgroups: 'cgroups', posix: 'posix' };

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('run an agent daemon that registers with a master and launches tasks as real processes')
    .option('--master <url>', 'the master to register with, e.g. http://127.0.0.1:5050 (HA masters: several, comma-separated)')
    .option('--ip <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'HTTP port for /health and /state (0 = any free port)', parsePort, 5051)
    .option('--hostname <name>', "hostname advertised in offers (default: this host's name)")
    .option('--work-dir <dir>', 'where the agent keeps sandboxes and checkpoints (default: a directory under the system temp dir)')
    .option('--resources <spec>', 'e.g. "cpus:2;mem:2048;disk:4096;ports:[31000-32000]" (default: detected)')
    .option('--attributes <spec>', 'e.g. "rack:r1;zone:a"')
    .option('--isolation <kind>', 'auto (cgroups when possible, else posix with a warning), cgroups or posix', 'auto')
    .option('--secret <secret>', 'shared secret the master expects (default: none)')
    .option('--tls-cert <file>', 'serve /health and /state over HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option(
      '--security <file>',
      "credentials and rules for the agent's own endpoints (sandbox files, /state, /api/v1); the master's format",
    )
    .option(
      '--default-task-mem <mb>',
      `memory limit of a task that asks for no mem, in MB; 0 = unlimited (default ${DEFAULT_TASK_MEM_MB})`,
      parseMegabytes,
    )
    .option('--require-task-mem', 'refuse (TASK_ERROR) a task that asks for no mem instead of giving it the default limit')
    .option('--no-private-tmp', "let tasks share the host's /tmp (by default, on a root agent, each has its own inside its sandbox)")
    .option(
      '--cgroups-enable-cfs',
      "also cap each task's CPU time at its cpus with a CFS quota (cgroups only; Mesos's --cgroups_enable_cfs)",
    )
    .option(
      '--executor-reregistration-timeout <seconds>',
      `how long an executor has to subscribe again after the agent restarts before it is killed (default ${EXECUTOR_REREGISTRATION_TIMEOUT_MS / 1000}; Mesos's --executor_reregistration_timeout)`,
      parseSeconds,
    )
    .option('--kill-tasks-on-exit', 'kill every task when the agent stops (default: leave them for the next agent)')
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .action(async (flags: AgentFlags) => {
      await runAgent(flags);
    });
}

async function runAgent(flags: AgentFlags): Promise<void> {
  // Imported here, not at the top, so that the rest of the CLI starts without loading the agent daemon.
  const [{ default: pino }, { startAgent }, { httpsOptionsFromFiles }, { loadSecurityConfig }, { SecurityConfigError }] = await Promise.all(
    [
      import('pino'),
      import('../agentDaemon/agentDaemon.js'),
      import('../security/tlsOptions.js'),
      import('../security/securityConfig.js'),
      import('../security/configReader.js'),
    ],
  );
  if (!flags.master) throw new UsageError('--master: the master URL is required, e.g. --master http://127.0.0.1:5050');
  for (const url of flags.master.split(','))
    if (!/^https?:\/\/[^/\s,]+\/?$/.test(url.trim()))
      throw new UsageError(`--master: expected a URL like http://127.0.0.1:5050 (or several, comma-separated), got "${url}"`);
  const tls = httpsOptionsFromFiles(flags);
  if (!tls.ok) throw new UsageError(tls.message);
  let security = null;
  try {
    security = flags.security === undefined ? null : loadSecurityConfig(flags.security);
  } catch (error) {
    if (error instanceof SecurityConfigError) throw new UsageError(error.message);
    throw error;
  }
  const isolation = ISOLATION[flags.isolation];
  if (!isolation) throw new UsageError(`--isolation: expected auto, cgroups or posix, got "${flags.isolation}"`);
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(flags.logLevel))
    throw new UsageError(`--log-level: expected trace, debug, info, warn or error, got "${flags.logLevel}"`);
  const logger = pino({ name: 'allot-agent', level: flags.logLevel });
  let started: Awaited<ReturnType<typeof startAgent>>;
  try {
    started = await startAgent({
      masterUrl: flags.master,
      workDir: flags.workDir ?? join(tmpdir(), `allot-agent-${flags.port}`),
      ip: flags.ip,
      port: flags.port,
      hostname: flags.hostname,
      resources: flags.resources,
      attributes: flags.attributes,
      isolation,
      secret: flags.secret ?? null,
      https: tls.https,
      security,
      logger,
      taskMemory: {
        defaultMemMb: flags.defaultTaskMem === undefined ? DEFAULT_TASK_MEM_MB : flags.defaultTaskMem === 0 ? null : flags.defaultTaskMem,
        requireMem: flags.requireTaskMem === true,
      },
      ...(flags.privateTmp ? {} : { privateTmp: false }),
      ...(flags.cgroupsEnableCfs ? { cfsQuota: true } : {}),
      ...(flags.executorReregistrationTimeout !== undefined
        ? { executorReregistrationTimeoutMs: flags.executorReregistrationTimeout * 1000 }
        : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new UsageError(`cannot listen on ${flags.ip}:${flags.port}: ${code}`, 1);
    throw error;
  }
  if (!started.ok) throw new UsageError(started.message);
  const agent = started.agent;
  const outcome = await Promise.race([untilSignal().then((signal) => ({ signal })), agent.stopped.then((reason) => ({ reason }))]);
  if ('signal' in outcome) {
    logger.info({ signal: outcome.signal }, 'agent shutting down');
    await agent.close({ killTasks: flags.killTasksOnExit === true });
    return;
  }
  throw new UsageError(`agent stopped: ${outcome.reason}`, 1);
}
