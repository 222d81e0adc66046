/**
 * `allot jobs --master URL`: Metronome-style jobs (run now, cron schedules
 * with time zones, restart policies, run history) with Metronome's REST
 * API, until SIGINT/SIGTERM. Its state lives in `<work-dir>/state` or etcd.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { roleNameProblem } from '@allot/kernel';
import { startJobsDaemon } from '../jobs/jobsDaemon.js';
import { UsageError } from './exitCodes.js';
import type { FrameworkDaemonFlags } from './frameworkDaemonFlags.js';
import { addFrameworkDaemonFlags, commonSettings, listenError, runUntilStopped } from './frameworkDaemonFlags.js';

interface JobsFlags extends FrameworkDaemonFlags {
  frameworkName: string;
  role: string;
}

export function registerJobsCommand(program: Command): void {
  const command = program
    .command('jobs')
    .description("run Metronome-style jobs (runs, cron schedules, restart policies, history) with Metronome's REST API")
    .option('--framework-name <name>', 'the framework name (also the store key: jobs-<name>)', 'metronome')
    .option('--role <role>', 'the role jobs run in', 'metronome');
  addFrameworkDaemonFlags(command, 9000).action(async (flags: JobsFlags) => runJobs(flags));
}

async function runJobs(flags: JobsFlags): Promise<void> {
  const roleProblem = roleNameProblem(flags.role);
  if (roleProblem) throw new UsageError(`--role: ${roleProblem}`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(flags.frameworkName))
    throw new UsageError(`--framework-name: letters, digits, dots, dashes and underscores (1-64), got "${flags.frameworkName}"`);
  const settings = commonSettings(flags, `jobs-${flags.frameworkName}`, flags.frameworkName);
  const logger = pino({ name: 'allot-jobs', level: flags.logLevel });
  const running = await startJobsDaemon({
    masters: settings.masters,
    store: settings.store,
    logger,
    ip: flags.ip,
    port: flags.port,
    frameworkName: flags.frameworkName,
    role: flags.role,
    user: flags.user ?? 'nobody',
    ...(flags.failoverTimeout ? { failoverTimeoutSeconds: flags.failoverTimeout } : {}),
    ...(settings.headers ? { headers: settings.headers } : {}),
  }).catch((error) => listenError(error, flags));
  await runUntilStopped(running, settings.store, logger);
}
