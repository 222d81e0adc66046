/**
 * `allot pool --master URL --spec POOL.json`: a Myriad-style elastic pool of
 * workers (any long-running command) flexed up and down by profile through
 * Myriad's REST API, until SIGINT/SIGTERM. Its state lives in
 * `<work-dir>/state` or etcd.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import { roleNameProblem } from '@allot/kernel';
import { startPoolDaemon } from '../pool/poolDaemon.js';
import { readPoolSpec } from '../pool/poolSpec.js';
import { UsageError } from './exitCodes.js';
import type { FrameworkDaemonFlags } from './frameworkDaemonFlags.js';
import { addFrameworkDaemonFlags, commonSettings, daemonBaseOptions, listenError, runUntilStopped } from './frameworkDaemonFlags.js';

interface PoolFlags extends FrameworkDaemonFlags {
  spec?: string;
}

export function registerPoolCommand(program: Command): void {
  const command = program
    .command('pool')
    .description("run a Myriad-style elastic pool of workers (flex up and down by profile) with Myriad's REST API")
    .option('--spec <file>', 'the pool spec (JSON): command, profiles, overhead, nmInstances, maxPerAgent');
  addFrameworkDaemonFlags(command, 8192).action(async (flags: PoolFlags) => runPool(flags));
}

async function runPool(flags: PoolFlags): Promise<void> {
  if (!flags.spec) throw new UsageError('--spec: required, e.g. --spec pool.json');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(flags.spec, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${flags.spec}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const read = readPoolSpec(value);
  if (!read.ok)
    throw new UsageError(
      `${flags.spec} is not a valid pool spec:\n  ${read.problems
        .details()
        .map((d) => `${d.path}: ${d.errors.join('; ')}`)
        .join('\n  ')}`,
    );
  const roleProblem = roleNameProblem(read.spec.role);
  if (roleProblem) throw new UsageError(`${flags.spec}: /role: ${roleProblem}`);
  const settings = commonSettings(flags, `pool-${read.spec.name}`, read.spec.name);
  const logger = pino({ name: 'allot-pool', level: flags.logLevel });
  const running = await startPoolDaemon({
    spec: read.spec,
    ...daemonBaseOptions(flags, settings, logger),
  }).catch((error) => listenError(error, flags));
  await runUntilStopped(running, settings.store, logger);
}
