/**
 * Runs one benchmark from the registry without the `allot` CLI (`allot bench`
 * is the usual way; the decline-offers grid runs each point through this file
 * in a child process):
 *
 *   npx tsx benchmarks/run.ts NAME [--json] [--quick] [benchmark options...]
 *   npx tsx benchmarks/run.ts decline-offers --agents 10000 --frameworks 1000 --json
 *
 * Without NAME it lists the benchmarks. Exit code 2 is a usage error. The
 * benchmarks measure the built kernel (`@allot/kernel` resolves to
 * kernel/dist here, as for any user), so a stale build is rebuilt first.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HelpRequested, UsageError } from './lib/benchmarkArgs.js';
import { benchmarks } from './index.js';

execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === '--list') {
    const list = benchmarks.map((benchmark) => `  ${benchmark.name}: ${benchmark.description}`).join('\n');
    process.stdout.write(`usage: npx tsx benchmarks/run.ts NAME [--json] [--quick] [options]\nbenchmarks:\n${list}\n`);
    return;
  }
  const benchmark = benchmarks.find((candidate) => candidate.name === name);
  if (!benchmark) throw new UsageError(`no benchmark named "${name}"; known: ${benchmarks.map((candidate) => candidate.name).join(', ')}`);
  // --json and --quick are options of every benchmark (benchmarks/lib/benchmarkArgs.ts).
  await benchmark.run({ json: false, quick: false, argv: rest });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof HelpRequested) process.stdout.write(`${error.message}\n`);
  else process.stderr.write(`${error instanceof UsageError ? error.message : (error as Error).stack}\n`);
  process.exitCode = error instanceof UsageError ? error.exitCode : 1;
});
