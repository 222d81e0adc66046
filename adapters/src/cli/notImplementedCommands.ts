/**
 * The daemons of DESIGN.md ("Command line") that are not built yet (the
 * master has its own file now). They are
 * registered so that `allot --help` shows the whole intended surface, and they
 * exit 2 with a plain message rather than pretending to start.
 */
import type { Command } from 'commander';
import { UsageError } from './exitCodes.js';

export function registerNotImplementedCommands(program: Command): void {
  program
    .command('agent')
    .description('run an agent daemon that launches tasks as real processes [not implemented yet]')
    .option('--master <url>', 'the master to register with')
    .option('--port <port>', 'HTTP port', '5051')
    .option('--work-dir <dir>', 'where the agent keeps sandboxes and checkpoints')
    .option('--resources <spec>', 'e.g. "cpus:2;mem:2048;disk:4096;ports:[31000-32000]"')
    .option('--attributes <spec>', 'e.g. "rack:r1"')
    .option('--isolation <kind>', 'cgroups or posix')
    .action(() => notImplemented('agent'));

  program
    .command('up')
    .description('start a local master and agents together [not implemented yet]')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notImplemented('up'));
}

function notImplemented(command: string): never {
  throw new UsageError(`"allot ${command}" is not implemented yet; try "allot simulate" for now.`);
}
