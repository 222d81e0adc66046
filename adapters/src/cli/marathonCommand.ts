/**
 * `allot marathon --master URL`: a long-running app scheduler speaking
 * Marathon's REST API (apps, tasks, deployments, groups, queue, events),
 * until SIGINT/SIGTERM. Its state lives in `<work-dir>/state` or in etcd,
 * so `kill -9` and a restart keep every app, version and deployment.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { startMarathonDaemon } from '../marathon/marathonDaemon.js';
import type { FrameworkDaemonFlags } from './frameworkDaemonFlags.js';
import {
  addFrameworkDaemonFlags,
  checkNameAndRole,
  commonSettings,
  daemonBaseOptions,
  listenError,
  runUntilStopped,
} from './frameworkDaemonFlags.js';

interface MarathonFlags extends FrameworkDaemonFlags {
  frameworkName: string;
  mesosRole: string;
}

export function registerMarathonCommand(program: Command): void {
  const command = program
    .command('marathon')
    .description("run a long-running app scheduler with Marathon's REST API (apps, deployments, groups, queue, events)")
    .option('--framework-name <name>', 'the framework name (also the store key: marathon-<name>)', 'marathon')
    .option('--mesos-role <role>', 'the role apps run in', 'marathon');
  addFrameworkDaemonFlags(command, 8080).action(async (flags: MarathonFlags) => runMarathon(flags));
}

async function runMarathon(flags: MarathonFlags): Promise<void> {
  checkNameAndRole(flags.frameworkName, flags.mesosRole, '--mesos-role');
  const settings = commonSettings(flags, `marathon-${flags.frameworkName}`, flags.frameworkName);
  const logger = pino({ name: 'allot-marathon', level: flags.logLevel });
  const running = await startMarathonDaemon({
    ...daemonBaseOptions(flags, settings, logger),
    frameworkName: flags.frameworkName,
    role: flags.mesosRole,
  }).catch((error) => listenError(error, flags));
  await runUntilStopped(running, settings.store, logger);
}
