/**
 * The human-readable form of a simulation report: a table of frameworks, a
 * table of cluster resources, the master's counters, and the invariant
 * violations ("none" when the run was clean). The JSON report is the contract;
 * this text is for reading and may change.
 */
import type { SimulationReport } from '@allot/kernel';
import Table from 'cli-table3';

type Quantities = Record<string, number>;

export interface SummaryOptions {
  color: boolean;
  /** The command line that replays this run, shown with any violations. */
  replayCommand: string;
}

export function formatReport(report: SimulationReport, options: SummaryOptions): string {
  const { color } = options;
  const lines: string[] = [];
  lines.push(`Scenario ${report.scenario}, seed ${report.seed}, ${formatSeconds(report.simulatedMs)} simulated`);
  lines.push('', 'Frameworks', frameworksTable(report, color).toString());
  lines.push('', 'Cluster', clusterTable(report, color).toString());
  lines.push('', 'Counters', countersTable(report, color).toString());
  lines.push('', ...violationLines(report, options.replayCommand));
  return lines.join('\n') + '\n';
}

function frameworksTable(report: SimulationReport, color: boolean): Table.Table {
  const table = newTable(['id', 'role', 'tasks by state', 'pending', 'allocated', 'dominant share'], color);
  for (const framework of report.frameworks) {
    const tasks = Object.entries(framework.tasks).map(([state, count]) => `${state} ${count}`);
    table.push([
      framework.id,
      framework.role,
      tasks.length === 0 ? '-' : tasks.join('\n'),
      String(framework.pendingTasks),
      formatQuantities(framework.allocated),
      framework.dominantShare.toFixed(4),
    ]);
  }
  return table;
}

function clusterTable(report: SimulationReport, color: boolean): Table.Table {
  const { cluster } = report;
  const table = newTable(['resource', 'total', 'allocated', 'utilisation'], color);
  const total: Quantities = cluster.total;
  const allocated: Quantities = cluster.allocated;
  const utilization: Quantities = cluster.utilization;
  for (const name of Object.keys(total)) {
    const share = utilization[name];
    table.push([
      name,
      formatNumber(total[name]),
      formatNumber(allocated[name] ?? 0),
      share === undefined ? '-' : `${(share * 100).toFixed(1)}%`,
    ]);
  }
  table.push([{ colSpan: 4, content: `${cluster.agents} agent${cluster.agents === 1 ? '' : 's'}` }]);
  return table;
}

function countersTable(report: SimulationReport, color: boolean): Table.Table {
  const table = newTable(['counter', 'value'], color);
  for (const [name, value] of Object.entries(report.counters)) table.push([name, String(value)]);
  return table;
}

function violationLines(report: SimulationReport, replayCommand: string): string[] {
  const violations = report.invariantViolations;
  if (violations.length === 0) return ['Invariant violations: none'];
  const lines = [`Invariant violations: ${violations.length}`];
  for (const violation of violations) lines.push(`  at ${violation.atMs} ms, ${violation.invariant}: ${violation.message}`);
  lines.push(`Replay with: ${replayCommand}`);
  return lines;
}

function newTable(head: string[], color: boolean): Table.Table {
  // Colour codes only on a terminal: piped output is compared and grepped.
  return new Table({ head, style: { compact: true, head: color ? ['cyan'] : [], border: color ? ['grey'] : [] } });
}

function formatQuantities(quantities: Quantities): string {
  const entries = Object.entries(quantities).filter(([, amount]) => amount !== 0);
  return entries.length === 0 ? '-' : entries.map(([name, amount]) => `${name} ${formatNumber(amount)}`).join('\n');
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

function formatSeconds(durationMs: number): string {
  return `${formatNumber(durationMs / 1000)} s`;
}
