/**
 * The human form of `--silos`: the shared cluster against the static
 * partition, side by side (utilisation, work done, what was left waiting,
 * job completion times).
 */
import type { SiloComparison } from '@allot/kernel';
import Table from 'cli-table3';

function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;
}

function jobs(summary: unknown): string {
  const s = summary as { finished?: number; submitted?: number; meanMs?: number; p95Ms?: number } | undefined;
  if (!s || s.meanMs === undefined) return '-';
  return `${s.finished}/${s.submitted} jobs, mean ${(s.meanMs / 1000).toFixed(1)} s, p95 ${((s.p95Ms ?? 0) / 1000).toFixed(1)} s`;
}

export function formatSilos(comparison: SiloComparison): string {
  const table = new Table({ head: ['', 'shared cluster', 'static silos'], style: { head: [] } });
  for (const name of Object.keys(comparison.shared.utilization)) {
    table.push([
      `${name} utilisation (time average)`,
      percent(comparison.shared.utilization[name]),
      percent(comparison.silos.utilization[name]),
    ]);
  }
  table.push(['tasks finished', String(comparison.shared.tasksFinished), String(comparison.silos.tasksFinished)]);
  table.push(['tasks never placed', String(comparison.shared.tasksPending), String(comparison.silos.tasksPending)]);
  for (const id of Object.keys(comparison.shared.frameworks)) {
    const shared = comparison.shared.frameworks[id];
    const silo = comparison.silos.frameworks[id];
    if (shared.jobs !== undefined || silo?.jobs !== undefined) table.push([`${id} jobs`, jobs(shared.jobs), jobs(silo?.jobs)]);
  }
  const partition = Object.entries(comparison.partition)
    .map(([framework, agents]) => `  ${framework}: ${agents.join(', ')}`)
    .join('\n');
  return `\nShared cluster against static silos\n${table.toString()}\nPartition (agent i to framework i mod F):\n${partition}\n`;
}
