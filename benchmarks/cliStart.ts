/**
 * CLI start: how long `allot --version` and `allot scenarios` take as whole
 * processes (`node adapters/bin/allot.js ...`, as `npx allot` runs it, minus
 * npx's own start), next to a bare `node -e ""` for Node's own start-up.
 * Target: each under 0.5 s on an idle machine. Anchor: the first launcher
 * compiled the TypeScript at every start, 2.5-11 s per call. Each run is one
 * fresh process, one after another; the load average is reported beside the
 * figures because on 2 cores other work moves every number here.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchmarkOptions } from './lib/benchmarkArgs.js';
import { integerOption, parseBenchmarkArgs } from './lib/benchmarkArgs.js';
import type { MachineInfo } from './lib/machine.js';
import { loadAverage1m, machineInfo } from './lib/machine.js';
import type { Summary } from './lib/stats.js';
import { summarize } from './lib/stats.js';
import { cell, formatTable } from './lib/table.js';

const LAUNCHER = fileURLToPath(new URL('../adapters/bin/allot.js', import.meta.url));
const TARGET_MS = 500;
const ANCHOR = 'the first launcher compiled the TypeScript through tsx at every start: 2.5-11 s per call';

interface Measured {
  command: string;
  /** Wall time of each run, spawn to exit. */
  wallMs: Summary;
  /** Target: median under TARGET_MS (null for the bare Node baseline). */
  targetMet: boolean | null;
}

export interface CliStartReport {
  workload: 'CliStart';
  parameters: { runs: number; launcher: string };
  machine: MachineInfo & { loadAverage1mAtEnd: number };
  results: Measured[];
  target: { medianMsBelow: number; met: boolean };
  anchor: string;
}

export async function runCliStart(options: BenchmarkOptions): Promise<CliStartReport> {
  const { values, json, quick } = parseBenchmarkArgs(
    'cli-start',
    options,
    { runs: { type: 'string' } },
    '--runs N  processes per command (default 20; --quick: 5)',
  );
  const runs = values.runs === undefined ? (quick ? 5 : 20) : integerOption(values.runs, '--runs', 1);
  const machine = machineInfo();
  // One untimed call first: a stale checkout rebuilds here (see the launcher), not inside the measurement.
  time([LAUNCHER, '--version']);
  const commands: Array<{ label: string; args: string[]; baseline: boolean }> = [
    { label: 'node -e ""', args: ['-e', ''], baseline: true },
    { label: 'allot --version', args: [LAUNCHER, '--version'], baseline: false },
    { label: 'allot scenarios', args: [LAUNCHER, 'scenarios'], baseline: false },
  ];
  const results = commands.map(({ label, args, baseline }): Measured => {
    const samplesMs = Array.from({ length: runs }, () => time(args));
    const wallMs = summarize(samplesMs);
    return { command: label, wallMs, targetMet: baseline ? null : wallMs.medianMs < TARGET_MS };
  });
  const report: CliStartReport = {
    workload: 'CliStart',
    parameters: { runs, launcher: LAUNCHER },
    machine: { ...machine, loadAverage1mAtEnd: loadAverage1m() },
    results,
    target: { medianMsBelow: TARGET_MS, met: results.every((result) => result.targetMet !== false) },
    anchor: ANCHOR,
  };
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const rows = results.map((r) => [r.command, cell(r.wallMs.minMs), cell(r.wallMs.medianMs), cell(r.wallMs.p90Ms), cell(r.wallMs.maxMs)]);
    process.stdout.write(
      [
        formatTable(['command', 'min ms', 'median ms', 'p90 ms', 'max ms'], rows),
        `${runs} processes each; load average ${machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end (2 cores: above ~1 means other work competed)`,
        `target: median under ${TARGET_MS} ms: ${report.target.met ? 'met' : 'NOT met'}; anchor: ${ANCHOR}`,
      ].join('\n') + '\n',
    );
  }
  return report;
}

/** Wall time of one process, spawn to exit; a failure is a bug worth stopping for. */
function time(args: string[]): number {
  const startMs = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsedMs = performance.now() - startMs;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status ?? run.signal}: ${run.stderr}`);
  return elapsedMs;
}
