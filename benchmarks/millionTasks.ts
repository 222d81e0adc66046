/**
 * One million tasks: 1000 batch jobs x 1000 long-running tasks of 0.05 cpu and
 * 30 MB on 5000 agents of 32 cpus and 64 GB, simulated until every task is
 * TASK_RUNNING: through offers, accepts, agent status updates with uuids and
 * acknowledgements, exactly as in any other simulation. Reports placements
 * per second (wall clock) and peak heap, next to Nomad's C1M/C2M and
 * Kubernetes scheduler_perf figures.
 *
 *   npx tsx benchmarks/millionTasks.ts [--quick] [--jobs N --tasks N --agents N] [--json]
 */
import { pathToFileURL } from 'node:url';
import { parseScenario } from '@allot/kernel';
import type { ScenarioInput } from '@allot/kernel';
import type { BenchmarkOptions } from './lib/benchmarkArgs.js';
import { integerOption, parseBenchmarkArgs } from './lib/benchmarkArgs.js';
import { loadAverage1m, machineInfo } from './lib/machine.js';
import { createProgress } from './lib/progress.js';
import { runToAllRunning } from './lib/runToAllRunning.js';
import { bytesToMb } from './lib/stats.js';

const ANCHORS = [
  { system: 'Nomad C1M (1M containers, 5000 hosts)', placementsPerSecond: 3750 },
  { system: 'Nomad C2M (2M containers, 6100 hosts)', placementsPerSecond: 1500 },
  { system: 'Kubernetes scheduler_perf', placementsPerSecond: 680 },
];
const TARGET = { placementsPerSecond: 100_000, peakHeapMb: 2048 };

export interface MillionTasksReport {
  workload: 'MillionTasks';
  parameters: {
    jobs: number;
    tasksPerJob: number;
    agents: number;
    taskCpus: number;
    taskMemMb: number;
    agentCpus: number;
    agentMemMb: number;
  };
  machine: ReturnType<typeof machineInfo> & { loadAverage1mAtEnd: number };
  tasks: number;
  running: number;
  wallSeconds: number;
  /** CPU time of this process (user + system, GC threads included): less sensitive to a busy machine than wall time. */
  cpuSeconds: number;
  placementsPerCpuSecond: number;
  simulatedMs: number;
  placementsPerSecond: number;
  peakHeapMb: number;
  /** Heap after a full collection at the end (needs node --expose-gc), null when unavailable. */
  retainedHeapMb: number | null;
  masterSteps: number;
  anchors: Array<{ system: string; placementsPerSecond: number; speedup: number }>;
  target: { placementsPerSecond: number; peakHeapMb: number; met: boolean };
}

export function millionTasksScenario(jobs: number, tasksPerJob: number, agents: number): ScenarioInput {
  return {
    name: 'million-tasks',
    description: `${jobs} batch jobs of ${tasksPerJob} long-running tasks on ${agents} agents.`,
    seed: 1,
    durationMs: 3_600_000,
    agents: [{ id: 'agent', count: agents, resources: { cpus: 32, mem: 65536 } }],
    frameworks: Array.from({ length: jobs }, (_, i) => ({
      id: `job-${i}`,
      role: 'batch',
      kind: 'batch' as const,
      tasks: { count: tasksPerJob, resources: { cpus: 0.05, mem: 30 }, durationMs: null },
      maxTasksPerOffer: tasksPerJob,
      refuseSeconds: 5,
    })),
  };
}

export async function runMillionTasks(options: BenchmarkOptions): Promise<MillionTasksReport> {
  const { values, json, quick } = parseBenchmarkArgs(
    'million-tasks',
    options,
    { jobs: { type: 'string' }, tasks: { type: 'string' }, agents: { type: 'string' } },
    `--jobs N    batch jobs (default 1000; --quick: 100)
     --tasks N   tasks per job (default 1000)
     --agents N  agents (default 5000; --quick: 500)`,
  );
  const jobs = values.jobs === undefined ? (quick ? 100 : 1000) : integerOption(values.jobs, '--jobs', 1);
  const tasksPerJob = values.tasks === undefined ? 1000 : integerOption(values.tasks, '--tasks', 1);
  const agents = values.agents === undefined ? (quick ? 500 : 5000) : integerOption(values.agents, '--agents', 1);
  const progress = createProgress();
  const machine = machineInfo();
  const parsed = parseScenario(millionTasksScenario(jobs, tasksPerJob, agents));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const total = jobs * tasksPerJob;
  const { simulation, running, wallSeconds, cpuSeconds, peakHeapBytes } = runToAllRunning(
    parsed.scenario,
    total,
    progress,
    'million-tasks',
  );
  const peakHeap = peakHeapBytes;
  const placementsPerSecond = Math.round(running / wallSeconds);
  // With --expose-gc, what stays after a full collection: the state a million tasks really need.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedHeapMb = gc ? bytesToMb(process.memoryUsage().heapUsed) : null;
  const peakHeapMb = bytesToMb(peakHeap);
  const report: MillionTasksReport = {
    workload: 'MillionTasks',
    parameters: { jobs, tasksPerJob, agents, taskCpus: 0.05, taskMemMb: 30, agentCpus: 32, agentMemMb: 65536 },
    machine: { ...machine, loadAverage1mAtEnd: loadAverage1m() },
    tasks: total,
    running,
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    placementsPerCpuSecond: Math.round(running / cpuSeconds),
    simulatedMs: simulation.nowMs,
    placementsPerSecond,
    peakHeapMb,
    retainedHeapMb,
    masterSteps: simulation.steps,
    anchors: ANCHORS.map((anchor) => ({ ...anchor, speedup: Math.round((placementsPerSecond / anchor.placementsPerSecond) * 10) / 10 })),
    target: { ...TARGET, met: running === total && placementsPerSecond > TARGET.placementsPerSecond && peakHeapMb < TARGET.peakHeapMb },
  };
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(report);
  return report;
}

function printReport(report: MillionTasksReport): void {
  const lines = [
    `MillionTasks: ${report.parameters.jobs} jobs x ${report.parameters.tasksPerJob} tasks on ${report.parameters.agents} agents (${report.machine.cpus} cpus, ${report.machine.model}, load ${report.machine.loadAverage1mAtStart} -> ${report.machine.loadAverage1mAtEnd})`,
    `  ${report.running.toLocaleString()} of ${report.tasks.toLocaleString()} tasks RUNNING after ${report.simulatedMs} ms simulated, in ${report.wallSeconds} s wall clock (${report.masterSteps.toLocaleString()} master steps)`,
    `  ${report.placementsPerSecond.toLocaleString()} placements/s (wall), ${report.placementsPerCpuSecond.toLocaleString()} per cpu-second (${report.cpuSeconds} s cpu), peak heap ${report.peakHeapMb} MB${report.retainedHeapMb !== null ? `, ${report.retainedHeapMb} MB retained` : ''}`,
    ...report.anchors.map((a) => `  vs ${a.system}: ${a.placementsPerSecond.toLocaleString()}/s -> ${a.speedup}x`),
    `  target: over ${report.target.placementsPerSecond.toLocaleString()}/s and under ${report.target.peakHeapMb} MB heap: ${report.target.met ? 'met' : 'NOT met'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  await runMillionTasks({ json, quick, argv: argv.filter((arg) => arg !== '--json' && arg !== '--quick') });
}
