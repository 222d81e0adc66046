/**
 * Runs one benchmark from the registry without the `allot` CLI:
 *
 *   npx tsx benchmarks/run.ts NAME [--json] [--quick] [benchmark options...]
 *   npx tsx benchmarks/run.ts decline-offers --agents 10000 --frameworks 1000 --json
 *
 * Without NAME it lists the benchmarks. Exit code 2 is a usage error.
 */
import { UsageError } from './declineOffers.js';
import { benchmarks } from './index.js';

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === '--list') {
    const list = benchmarks.map((benchmark) => `  ${benchmark.name}: ${benchmark.description}`).join('\n');
    process.stdout.write(`usage: npx tsx benchmarks/run.ts NAME [--json] [--quick] [options]\nbenchmarks:\n${list}\n`);
    return;
  }
  const benchmark = benchmarks.find((candidate) => candidate.name === name);
  if (!benchmark) throw new UsageError(`no benchmark named "${name}"; known: ${benchmarks.map((candidate) => candidate.name).join(', ')}`);
  // --json and --quick are the registry's common options; the rest goes to the benchmark as is.
  const json = rest.includes('--json');
  const quick = rest.includes('--quick');
  await benchmark.run({ json, quick, argv: rest.filter((arg) => arg !== '--json' && arg !== '--quick') });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof UsageError ? error.message : (error as Error).stack}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
