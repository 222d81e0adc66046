/**
 * DeclineOffers: Mesos's `HierarchicalAllocator_BENCHMARK_Test.DeclineOffers`
 * on allot's kernel, over an agents x frameworks grid, with the lower-bound
 * scan of every agent's free vector folded into each point (see README.md).
 *
 *   npx tsx benchmarks/declineOffers.ts [--quick] [--agents 10000 --frameworks 1000] [--json] [--reference]
 *
 * Each grid point runs in its own child process unless there is only one
 * point (or --in-process). With --json, stdout holds only the JSON report.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { HelpRequested, integerOption, parseBenchmarkArgs, UsageError } from './lib/benchmarkArgs.js';
import type { BenchmarkOptions } from './lib/benchmarkArgs.js';
import type { AnchorComparison, TargetCheck } from './lib/declineOffersAnchors.js';
import { anchorFor, anchorPoints, comparisonLines, targetFor } from './lib/declineOffersAnchors.js';
import type { Estimate, GridPoint } from './lib/declineOffersGrid.js';
import {
  crossGrid,
  estimate,
  FULL_AGENTS,
  FULL_FRAMEWORKS,
  QUICK_GRID,
  runPointInChild,
  skipReason,
  withPoints,
} from './lib/declineOffersGrid.js';
import type { PointOptions, PointResult } from './lib/declineOffersPoint.js';
import { runPoint } from './lib/declineOffersPoint.js';
import type { MachineInfo } from './lib/machine.js';
import { loadAverage1m, machineInfo } from './lib/machine.js';
import { createProgress } from './lib/progress.js';
import { formatDuration } from './lib/stats.js';
import { cell, formatTable } from './lib/table.js';
import { ALLOCATION_INTERVAL_MS, YEAR_SECONDS } from './lib/cluster.js';

export type { BenchmarkOptions } from './lib/benchmarkArgs.js';

export type PointEntry =
  | (PointResult & { anchor: AnchorComparison | null; target: TargetCheck | null; estimate: Estimate })
  | { agents: number; frameworks: number; skipped: string; estimate: Estimate }
  | { agents: number; frameworks: number; failed: string; estimate: Estimate };

export interface DeclineOffersReport {
  workload: 'DeclineOffers';
  parameters: {
    grid: 'quick' | 'full' | 'custom';
    fastPaths: boolean;
    taskPorts: number;
    seed: number;
    allocationIntervalMs: number;
    refuseSeconds: number;
    rounds: string;
    maxMinutesPerPoint: number;
    isolation: 'child process per point' | 'in process';
    gcBetweenRounds: boolean;
  };
  machine: MachineInfo & { loadAverage1mAtEnd: number };
  results: PointEntry[];
  comparisons: string[];
  durationS: number;
}

const OPTIONS_USAGE = `--agents N[,N...]     agent counts (default: the full grid ${FULL_AGENTS.join(',')}, plus the 5000 x 500 anchor point)
--frameworks N[,N...] framework counts (default ${FULL_FRAMEWORKS.join(',')})
--reference           the reference path (fastPaths: false)
--task-ports N        ports held by each pre-allocated task (default 0; Mesos's own benchmark: 16)
--rounds N            timed rounds per point (default 2 x frameworks)
--seed N              (default 1)
--max-minutes N       skip points estimated to take longer (default 20; 0 = no limit)
--heap-mb N           heap of each point's child process (default 8192)
--in-process          run every point in this process
--gc                  collect garbage between rounds (untimed)
--rounds-detail       keep every round's time in the JSON
--out FILE            also write the JSON report to FILE`;

interface Args {
  points: GridPoint[];
  grid: DeclineOffersReport['parameters']['grid'];
  json: boolean;
  reference: boolean;
  taskPorts: number;
  rounds: number | null;
  seed: number;
  maxMinutes: number;
  heapMb: number;
  inProcess: boolean;
  gc: boolean;
  roundsDetail: boolean;
  /** Also write the JSON report to this file. */
  outFile: string | null;
  child: boolean;
}

export function parseDeclineOffersArgs(options: BenchmarkOptions): Args {
  const { values, json, quick } = parseBenchmarkArgs(
    'decline-offers',
    options,
    {
      agents: { type: 'string' },
      frameworks: { type: 'string' },
      reference: { type: 'boolean' },
      'task-ports': { type: 'string' },
      rounds: { type: 'string' },
      seed: { type: 'string' },
      'max-minutes': { type: 'string' },
      'heap-mb': { type: 'string' },
      'in-process': { type: 'boolean' },
      gc: { type: 'boolean' },
      'rounds-detail': { type: 'boolean' },
      out: { type: 'string' },
      // Internal: the parent runs each point as `decline-offers --child` in a fresh process.
      child: { type: 'boolean' },
    },
    OPTIONS_USAGE,
  );
  let points: GridPoint[];
  let grid: Args['grid'];
  if (values.agents !== undefined || values.frameworks !== undefined) {
    const agents = values.agents !== undefined ? integerList(values.agents, '--agents') : quick ? [1000] : FULL_AGENTS;
    const frameworks =
      values.frameworks !== undefined ? integerList(values.frameworks, '--frameworks') : quick ? [50, 200] : FULL_FRAMEWORKS;
    points = withPoints(crossGrid(agents, frameworks), []);
    grid = 'custom';
  } else if (quick) {
    points = [...QUICK_GRID];
    grid = 'quick';
  } else {
    points = withPoints(crossGrid(FULL_AGENTS, FULL_FRAMEWORKS), anchorPoints());
    grid = 'full';
  }
  const rounds = values.rounds === undefined ? null : integer(values.rounds, '--rounds', 1);
  return {
    points,
    grid,
    json,
    reference: Boolean(values.reference),
    taskPorts: values['task-ports'] === undefined ? 0 : integer(values['task-ports'], '--task-ports', 0),
    rounds,
    seed: values.seed === undefined ? 1 : integer(values.seed, '--seed', 0),
    maxMinutes: values['max-minutes'] === undefined ? 20 : integer(values['max-minutes'], '--max-minutes', 0),
    heapMb: values['heap-mb'] === undefined ? 8192 : integer(values['heap-mb'], '--heap-mb', 256),
    inProcess: Boolean(values['in-process']) || Boolean(values.child) || points.length === 1,
    gc: Boolean(values.gc),
    roundsDetail: Boolean(values['rounds-detail']),
    outFile: values.out ?? null,
    child: Boolean(values.child),
  };
}

export { UsageError } from './lib/benchmarkArgs.js';

export async function runDeclineOffers(options: BenchmarkOptions): Promise<DeclineOffersReport | PointResult> {
  const args = parseDeclineOffersArgs(options);
  if (args.child) {
    // Internal: one point for a parent process, which parses this JSON.
    const result = runPoint(pointOptions(args, args.points[0]), createProgress());
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result;
  }
  const startMs = performance.now();
  const machine = machineInfo();
  const progress = createProgress();
  const out = (text: string): void => {
    if (!args.json) process.stdout.write(`${text}\n`);
  };
  out(
    `DeclineOffers on ${machine.cpus} x ${machine.model}, ${machine.totalMemGb} GB, Node ${machine.node}; load average ${machine.loadAverage1mAtStart} at start`,
  );
  out(
    `${args.reference ? 'reference path (fastPaths: false)' : 'fast paths'}; ${args.points.length} grid point(s); each round times one allocation cycle\n`,
  );
  const results: PointEntry[] = [];
  for (const [index, point] of args.points.entries()) {
    const options_ = pointOptions(args, point);
    const cost = estimate(point, options_.rounds, options_.fastPaths, !args.inProcess);
    const tag = `[${index + 1}/${args.points.length}] ${point.agents} x ${point.frameworks}`;
    const reason = skipReason(point, cost, args.maxMinutes);
    if (reason !== null) {
      results.push({ ...point, skipped: reason, estimate: cost });
      progress.note(`${tag}: skipped (${reason})`);
      out(`${tag}: skipped: ${reason}`);
      continue;
    }
    progress.note(`${tag}: ${options_.rounds} rounds, estimated ${formatDuration(cost.seconds * 1000)}, ${cost.memoryMb} MB`);
    try {
      const pointStartMs = performance.now();
      const result = args.inProcess
        ? runPoint(options_, progress)
        : await runPointInChild(options_, { heapMb: args.heapMb, timeoutMs: Math.max(10 * 60_000, cost.seconds * 1000 * 3) });
      const entry = { ...result, anchor: anchorFor(result), target: targetFor(result), estimate: cost };
      results.push(entry);
      out(
        `${tag}: first 10 median ${result.first10.medianMs} ms (CPU ${result.cpu.first10MedianMs} ms), all median ${result.all.medianMs} ms, max ${result.all.maxMs} ms (took ${formatDuration(performance.now() - pointStartMs)}, estimated ${formatDuration(cost.seconds * 1000)})`,
      );
    } catch (error) {
      results.push({ ...point, failed: (error as Error).message, estimate: cost });
      progress.note(`${tag}: failed: ${(error as Error).message}`);
      out(`${tag}: failed: ${(error as Error).message}`);
    }
  }
  const comparisons = results.flatMap((entry) => ('first10' in entry ? comparisonLines(entry, entry.anchor, entry.target) : []));
  const report: DeclineOffersReport = {
    workload: 'DeclineOffers',
    parameters: {
      grid: args.grid,
      fastPaths: !args.reference,
      taskPorts: args.taskPorts,
      seed: args.seed,
      allocationIntervalMs: ALLOCATION_INTERVAL_MS,
      refuseSeconds: YEAR_SECONDS,
      rounds: args.rounds === null ? '2 x frameworks' : String(args.rounds),
      maxMinutesPerPoint: args.maxMinutes,
      isolation: args.inProcess ? 'in process' : 'child process per point',
      gcBetweenRounds: args.gc,
    },
    machine: { ...machine, loadAverage1mAtEnd: loadAverage1m() },
    results,
    comparisons,
    durationS: Math.round((performance.now() - startMs) / 100) / 10,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.outFile !== null) writeFileSync(args.outFile, json);
  if (args.json) process.stdout.write(json);
  else out(`\n${humanReport(report)}`);
  return report;
}

function pointOptions(args: Args, point: GridPoint): PointOptions {
  return {
    ...point,
    fastPaths: !args.reference,
    taskPorts: args.taskPorts,
    seed: args.seed,
    rounds: args.rounds ?? 2 * point.frameworks,
    gcBetweenRounds: args.gc,
    keepRounds: args.roundsDetail,
  };
}

function humanReport(report: DeclineOffersReport): string {
  const header = [
    'agents',
    'fws',
    'rounds',
    'f10 min',
    'f10 med',
    'f10 max',
    'f10 cpu',
    'all min',
    'all med',
    'all max',
    'offers 1st',
    'offers last',
    'skipped last',
    'scan ms',
    'cycle/scan',
    'heap MB',
    'took',
  ];
  const rows = report.results.map((entry) => {
    if (!('first10' in entry))
      return [String(entry.agents), String(entry.frameworks), 'skipped' in entry ? `skipped: ${entry.skipped}` : `failed: ${entry.failed}`];
    const { first10, all } = entry;
    return [
      String(entry.agents),
      String(entry.frameworks),
      String(entry.rounds),
      cell(first10.minMs),
      cell(first10.medianMs),
      cell(first10.maxMs),
      cell(entry.cpu.first10MedianMs),
      cell(all.minMs),
      cell(all.medianMs),
      cell(all.maxMs),
      String(entry.offers.firstRound),
      String(entry.offers.lastRound),
      String(entry.agentsSkippedLastRound),
      cell(entry.scanMs),
      cell(entry.cycleToScanRatio),
      cell(entry.heapUsedMb),
      formatDuration(entry.wallMs),
    ];
  });
  const lines = [
    'Per-cycle ms (one timed tick per round): f10 = first 10 rounds, all = every round, f10 cpu = median process CPU time of the first 10; offers made in the first and last round; agents the fast path skipped in the last round.',
    formatTable(header, rows),
    '',
    ...report.comparisons,
    '',
    `load average ${report.machine.loadAverage1mAtStart} at start, ${report.machine.loadAverage1mAtEnd} at end (2 cores: above ~1 means other work competed); total ${formatDuration(report.durationS * 1000)}`,
  ];
  return lines.join('\n');
}

const integer = integerOption;

function integerList(text: string, flag: string): number[] {
  return text.split(',').map((part) => integer(part.trim(), flag, 1));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runDeclineOffers({ json: false, quick: false, argv: process.argv.slice(2) }).catch((error: unknown) => {
    if (error instanceof HelpRequested) process.stdout.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof UsageError ? error.message : (error as Error).stack}\n`);
    process.exitCode = error instanceof UsageError ? error.exitCode : 1;
  });
}
