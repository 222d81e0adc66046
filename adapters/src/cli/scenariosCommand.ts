/**
 * `allot scenarios` lists the built-in scenarios; `allot scenarios show NAME`
 * prints one as JSON, in the scenario file format, so it can be saved, edited
 * and run with `allot simulate FILE`.
 */
import type { Command } from 'commander';
import { builtinScenarios } from '@allot/kernel';
import Table from 'cli-table3';
import { builtinScenario } from './scenarioSource.js';

const DESCRIPTION_WIDTH = 72;

export function registerScenariosCommand(program: Command): void {
  const scenarios = program
    .command('scenarios')
    .description('list the built-in scenarios (`scenarios show NAME` prints one as JSON)')
    .option('--json', 'print an array of {name, description} instead of a table')
    .addHelpText(
      'after',
      '\nExamples:\n  allot scenarios\n  allot scenarios show drf-paper > my-scenario.json\n  allot simulate my-scenario.json',
    )
    .action((flags: { json?: boolean }) => {
      const entries = builtinScenarios.map((scenario) => ({ name: scenario.name, description: scenario.description ?? '' }));
      if (flags.json) {
        process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
        return;
      }
      const color = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
      const table = new Table({
        head: ['name', 'description'],
        colWidths: [null, DESCRIPTION_WIDTH],
        wordWrap: true,
        style: { compact: true, head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
      });
      for (const entry of entries) table.push([entry.name, entry.description]);
      process.stdout.write(table.toString() + '\n');
    });

  scenarios
    .command('show')
    .description('print a built-in scenario as JSON (the scenario file format)')
    .argument('<name>', 'the name of a built-in scenario')
    .action((name: string) => {
      process.stdout.write(JSON.stringify(builtinScenario(name), null, 2) + '\n');
    });
}
