/**
 * Scan: the lower bound of an allocation cycle on its own, one pass reading
 * every agent's free vector, for each agent count of the DeclineOffers grid.
 * DeclineOffers measures the same scan on its final state at every grid
 * point; this entry measures it without running any rounds (seconds, not minutes).
 */
import type { BenchmarkOptions } from './lib/benchmarkArgs.js';
import { parseBenchmarkArgs, UsageError } from './lib/benchmarkArgs.js';
import { buildCluster, freeVectors } from './lib/cluster.js';
import { FULL_AGENTS } from './lib/declineOffersGrid.js';
import { measureScan } from './lib/freeScan.js';
import type { MachineInfo } from './lib/machine.js';
import { machineInfo } from './lib/machine.js';
import { createProgress } from './lib/progress.js';
import { cell, formatTable } from './lib/table.js';

export interface ScanEntry {
  agents: number;
  scanMs: number;
  scanMinMs: number;
  scanFlatMs: number;
  repetitions: number;
  nsPerAgent: number;
  /** Bytes of free vectors read per second by the per-agent pass. */
  gbPerS: number;
}

export interface ScanReport {
  workload: 'Scan';
  machine: MachineInfo;
  results: ScanEntry[];
}

const QUICK_AGENTS: readonly number[] = [1000, 10000];

export async function runScan(options: BenchmarkOptions): Promise<ScanReport> {
  const { values, json, quick } = parseBenchmarkArgs(
    'scan',
    options,
    { agents: { type: 'string' } },
    `--agents N[,N...]  agent counts (default ${FULL_AGENTS.join(',')}; --quick: ${QUICK_AGENTS.join(',')})`,
  );
  const agentCounts = values.agents !== undefined ? values.agents.split(',').map(Number) : quick ? QUICK_AGENTS : FULL_AGENTS;
  if (agentCounts.some((count) => !Number.isInteger(count) || count < 1))
    throw new UsageError(`--agents must be a list of positive integers, got "${values.agents}"`);
  const progress = createProgress();
  const results: ScanEntry[] = [];
  for (const agents of agentCounts) {
    progress.update(`scan: ${agents} agents`);
    // Free vectors as DeclineOffers leaves them at set-up: every agent partly used.
    const master = buildCluster({ agents, frameworks: 1, fastPaths: true, taskPorts: 0, seed: 1 });
    const timing = measureScan(freeVectors(master));
    results.push({
      agents,
      scanMs: timing.scanMs,
      scanMinMs: timing.scanMinMs,
      scanFlatMs: timing.scanFlatMs,
      repetitions: timing.repetitions,
      nsPerAgent: Math.round((timing.scanMs * 1e6) / agents),
      gbPerS: Math.round((timing.bytesRead / (timing.scanMs / 1000) / 1e9) * 10) / 10,
    });
  }
  progress.done();
  const report: ScanReport = { workload: 'Scan', machine: machineInfo(), results };
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const rows = results.map((r) => [
      String(r.agents),
      cell(r.scanMs),
      cell(r.scanMinMs),
      cell(r.scanFlatMs),
      String(r.nsPerAgent),
      cell(r.gbPerS),
      String(r.repetitions),
    ]);
    process.stdout.write(`${formatTable(['agents', 'scan ms', 'min ms', 'flat ms', 'ns/agent', 'GB/s', 'reps'], rows)}\n`);
  }
  return report;
}
