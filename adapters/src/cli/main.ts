/**
 * The `allot` command line: a commander program with one file per command.
 * Commands report user mistakes by throwing UsageError (printed as one line,
 * exit 2) and set process.exitCode rather than calling process.exit, so that
 * piped output is always flushed before the process ends.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBenchCommand } from './benchCommand.js';
import { EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from './exitCodes.js';
import { registerAgentCommand } from './agentCommand.js';
import { registerFleetCommand } from './fleetCommand.js';
import { registerExplainCommand } from './explainCommand.js';
import { registerForkCommand } from './forkCommand.js';
import { registerJobsCommand } from './jobsCommand.js';
import { registerMarathonCommand } from './marathonCommand.js';
import { registerMasterCommand } from './masterCommand.js';
import { registerPoolCommand } from './poolCommand.js';
import { registerReplayCommand } from './replayCommand.js';
import { registerScenariosCommand } from './scenariosCommand.js';
import { registerServiceCommand } from './serviceCommand.js';
import { registerSimulateCommand } from './simulateCommand.js';
import { registerTaskCommand } from './taskCommand.js';
import { registerUpCommand } from './upCommand.js';

function buildProgram(): Command {
  const program = new Command('allot');
  // Settings made before .command() are inherited by every subcommand.
  program
    .description('allot: a Mesos-style datacenter scheduling kernel (DRF offers, simulator, benchmarks)')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);
  registerSimulateCommand(program);
  registerScenariosCommand(program);
  registerBenchCommand(program);
  registerMasterCommand(program);
  registerAgentCommand(program);
  registerUpCommand(program);
  registerTaskCommand(program);
  registerServiceCommand(program);
  registerMarathonCommand(program);
  registerJobsCommand(program);
  registerPoolCommand(program);
  registerFleetCommand(program);
  registerReplayCommand(program);
  registerForkCommand(program);
  registerExplainCommand(program);
  return program;
}

function packageVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`allot simulate x --json | head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help) to the right stream.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write('error: internal error (a bug in allot). Please report it with the command line that caused it:\n');
  console.error(error);
  return EXIT_INTERNAL;
}

await main(process.argv);
