/**
 * `allot bench [NAME]`: runs benchmarks from the registry in benchmarks/index.ts
 * (all of them without NAME). Each benchmark prints its own output, human or
 * JSON; this command only picks, orders and reports failures. The registry is
 * loaded lazily so that the rest of the CLI works in a checkout without it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT_USAGE, UsageError } from './exitCodes.js';

export interface BenchmarkOptions {
  json: boolean;
  quick: boolean;
  argv: string[];
}

export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchmarkOptions): Promise<unknown>;
}

// From adapters/src/cli/ up to the repository root. A computed URL rather than a
// literal import, so the type checker does not require the file to exist.
const REGISTRY_URL = new URL('../../../benchmarks/index.ts', import.meta.url);

interface BenchFlags {
  json?: boolean;
  quick?: boolean;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run the benchmarks (all, or the one named); each prints its results')
    .argument('[name]', 'the benchmark to run; omit to run all')
    .argument('[args...]', 'arguments passed on to the benchmark (put them after --)')
    .option('--json', 'benchmarks print JSON only')
    .option('--quick', 'smaller workloads, for a fast smoke run')
    .addHelpText(
      'after',
      '\nExamples:\n  allot bench --quick\n  allot bench NAME --json > result.json\n  allot bench NAME -- --extra-benchmark-flag',
    )
    .action(async (name: string | undefined, args: string[], flags: BenchFlags) => {
      const benchmarks = await loadRegistry();
      const selected = name === undefined ? benchmarks : [findBenchmark(benchmarks, name)];
      const options: BenchmarkOptions = { json: Boolean(flags.json), quick: Boolean(flags.quick), argv: args };
      for (const benchmark of selected) {
        // Headers go to stderr under --json, so stdout holds nothing but the benchmarks' JSON.
        const header = `== ${benchmark.name}: ${benchmark.description}\n`;
        if (options.json) process.stderr.write(header);
        else process.stdout.write(header);
        await runBenchmark(benchmark, options);
      }
    });
}

/**
 * A benchmark reports a mistake in its options with its own UsageError
 * (benchmarks/lib/benchmarkArgs.ts, which this package cannot import): known by
 * its name and exit code, it becomes the CLI's usage error (exit 2), and
 * `--help` (exit code 0) prints the benchmark's usage.
 */
async function runBenchmark(benchmark: Benchmark, options: BenchmarkOptions): Promise<void> {
  try {
    await benchmark.run(options);
  } catch (error) {
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    if (!(error instanceof Error) || error.name !== 'UsageError' || typeof exitCode !== 'number') throw error;
    if (exitCode === 0) {
      process.stdout.write(`${error.message}\n`);
      return;
    }
    throw new UsageError(error.message, exitCode);
  }
}

async function loadRegistry(): Promise<Benchmark[]> {
  const path = fileURLToPath(REGISTRY_URL);
  if (!existsSync(path)) {
    throw new UsageError(`no benchmarks available: the benchmark registry ${path} does not exist in this checkout.`, EXIT_USAGE);
  }
  // The benchmarks are TypeScript that lives in the repository, not in the package: they load through tsx,
  // a development dependency of the repository (the rest of the CLI is built JavaScript and needs no loader).
  const { register } = await import('tsx/esm/api');
  register();
  const module = (await import(REGISTRY_URL.href)) as { benchmarks?: unknown };
  if (!Array.isArray(module.benchmarks)) throw new Error(`${path} does not export a "benchmarks" array`);
  return module.benchmarks as Benchmark[];
}

function findBenchmark(benchmarks: Benchmark[], name: string): Benchmark {
  const benchmark = benchmarks.find((candidate) => candidate.name === name);
  if (benchmark === undefined) {
    const names = benchmarks.map((candidate) => `  ${candidate.name}`).join('\n');
    throw new UsageError(`no benchmark named "${name}". Benchmarks:\n${names || '  (none)'}`);
  }
  return benchmark;
}
