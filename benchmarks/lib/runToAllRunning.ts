/**
 * Runs a simulation one allocation interval at a time until every task of the
 * workload is TASK_RUNNING (or the scenario ends), counting RUNNING updates,
 * sampling the heap and measuring wall and CPU time: the shared loop of the
 * million-tasks and multi-framework benchmarks.
 */
import { getHeapStatistics } from 'node:v8';
import { Simulation } from '@allot/kernel';
import type { Scenario } from '@allot/kernel';
import type { Progress } from './progress.js';

export interface RunToAllRunning {
  simulation: Simulation;
  running: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakHeapBytes: number;
}

/** `decisionCycles` > 0 keeps the allocator's decision log, as `allot master` does for explain (default 0: off). */
export function runToAllRunning(scenario: Scenario, total: number, progress: Progress, label: string, decisionCycles = 0): RunToAllRunning {
  let running = 0;
  let peakHeapBytes = getHeapStatistics().used_heap_size;
  const startNs = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  const simulation = new Simulation(scenario, {
    invariants: 'off',
    decisionCycles,
    onEvent: (event) => {
      if (event.type === 'task.updated' && event.status.state === 'TASK_RUNNING' && event.previous !== 'TASK_RUNNING') running++;
    },
  });
  while (running < total && simulation.nowMs < scenario.durationMs) {
    simulation.runUntil(simulation.nowMs + scenario.allocationIntervalMs);
    peakHeapBytes = Math.max(peakHeapBytes, getHeapStatistics().used_heap_size);
    progress.update(`${label}: ${running.toLocaleString()} / ${total.toLocaleString()} running at ${simulation.nowMs} ms simulated`);
  }
  const wallSeconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  const cpu = process.cpuUsage(startCpu);
  progress.done();
  return { simulation, running, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakHeapBytes };
}
