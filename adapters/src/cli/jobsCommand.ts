/**
 * `allot jobs --master URL`: Metronome-style jobs (run now, cron schedules
 * with time zones, restart policies, run history) with Metronome's REST
 * API, until SIGINT/SIGTERM. Its state lives in `<work-dir>/state` or etcd.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { startJobsDaemon } from '../jobs/jobsDaemon.js';
import type { FrameworkDaemonFlags } from './frameworkDaemonFlags.js';
import {
  addFrameworkDaemonFlags,
  checkNameAndRole,
  commonSettings,
  daemonBaseOptions,
  listenError,
  runUntilStopped,
} from './frameworkDaemonFlags.js';

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
  checkNameAndRole(flags.frameworkName, flags.role, '--role');
  const settings = commonSettings(flags, `jobs-${flags.frameworkName}`, flags.frameworkName);
  const logger = pino({ name: 'allot-jobs', level: flags.logLevel });
  const running = await startJobsDaemon({
    ...daemonBaseOptions(flags, settings, logger),
    frameworkName: flags.frameworkName,
    role: flags.role,
  }).catch((error) => listenError(error, flags));
  await runUntilStopped(running, settings.store, logger);
}
