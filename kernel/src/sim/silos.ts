/**
 * Shared cluster against static silos (the Mesos paper's motivation): runs a
 * scenario as written, then again with the agents split into one fixed
 * partition per framework, and compares time-averaged utilisation and the
 * work done. Utilisation is sampled once per allocation interval.
 */
import { allScalarsInto } from '../resources/resourceSet.js';
import type { Scenario } from './scenario.js';
import { Simulation } from './simulation.js';

export interface RunFigures {
  /** Time-averaged share of each scalar in use (offered or running), 0..1. */
  utilization: Record<string, number>;
  tasksFinished: number;
  tasksRunningAtEnd: number;
  /** Tasks the frameworks still wanted to launch at the end. */
  tasksPending: number;
  /** Per framework: what it still wanted at the end, and its job completion summary when it runs jobs. */
  frameworks: Record<string, { pendingTasks: number; jobs?: unknown }>;
}

export interface SiloComparison {
  scenario: string;
  shared: RunFigures;
  silos: RunFigures;
  /** Which agents each framework got in the static partition. */
  partition: Record<string, string[]>;
}

function measure(scenario: Scenario): RunFigures {
  const simulation = new Simulation(scenario, { invariants: 'off' });
  const layout = simulation.master.layout;
  const sums = new Float64Array(layout.size);
  let samples = 0;
  const scratch = layout.zero();
  for (let t = 0; t <= scenario.durationMs; t += scenario.allocationIntervalMs) {
    simulation.runUntil(t);
    const total = simulation.master.allocator.total;
    const free = layout.zero();
    for (const agent of simulation.master.agents.values()) {
      allScalarsInto(scratch, agent.free);
      for (let i = 0; i < free.length; i++) free[i] += scratch[i];
    }
    for (let i = 0; i < sums.length; i++) if (total[i] > 0) sums[i] += (total[i] - free[i]) / total[i];
    samples++;
  }
  const utilization: Record<string, number> = {};
  const totalEnd = simulation.master.allocator.total;
  layout.names.forEach((name, slot) => {
    if (totalEnd[slot] > 0) utilization[name] = Math.round((sums[slot] / samples) * 10000) / 10000;
  });
  let finished = 0;
  let running = 0;
  let pending = 0;
  const frameworks: RunFigures['frameworks'] = {};
  for (const model of simulation.frameworks.values()) {
    pending += model.pendingTasks;
    const jobs = (model.details?.() as { summary?: unknown } | undefined)?.summary;
    frameworks[model.id] = { pendingTasks: model.pendingTasks, ...(jobs !== undefined ? { jobs } : {}) };
    for (const state of model.taskStates.values()) {
      if (state === 'TASK_FINISHED') finished++;
      if (state === 'TASK_RUNNING') running++;
    }
  }
  return { utilization, tasksFinished: finished, tasksRunningAtEnd: running, tasksPending: pending, frameworks };
}

/** The same scenario on a static partition: agent i goes to framework i mod F. */
export function siloScenarios(scenario: Scenario): Array<{ framework: string; scenario: Scenario }> {
  const frameworks = scenario.frameworks;
  return frameworks.map((framework, f) => ({
    framework: framework.id,
    scenario: {
      ...scenario,
      name: `${scenario.name}/silo-${framework.id}`,
      agents: scenario.agents.filter((_, i) => i % frameworks.length === f),
      frameworks: [framework],
      // Faults name agents and frameworks of the shared run; silos run without them.
      faults: [],
    },
  }));
}

export function compareWithSilos(scenario: Scenario): SiloComparison {
  const shared = measure(scenario);
  const silos = siloScenarios(scenario);
  const runs = silos.map((silo) => ({ silo, figures: measure(silo.scenario) }));
  // Utilisation of the whole partitioned cluster: each silo weighted by its share of the agents' resources.
  const utilization: Record<string, number> = {};
  for (const name of Object.keys(shared.utilization)) {
    let used = 0;
    let total = 0;
    for (const { silo, figures } of runs) {
      const capacity = silo.scenario.agents.reduce((sum, agent) => sum + (agent.resources[name] ?? 0), 0);
      used += (figures.utilization[name] ?? 0) * capacity;
      total += capacity;
    }
    utilization[name] = total > 0 ? Math.round((used / total) * 10000) / 10000 : 0;
  }
  return {
    scenario: scenario.name,
    shared,
    silos: {
      utilization,
      tasksFinished: runs.reduce((sum, run) => sum + run.figures.tasksFinished, 0),
      tasksRunningAtEnd: runs.reduce((sum, run) => sum + run.figures.tasksRunningAtEnd, 0),
      tasksPending: runs.reduce((sum, run) => sum + run.figures.tasksPending, 0),
      frameworks: Object.assign({}, ...runs.map((run) => run.figures.frameworks)) as RunFigures['frameworks'],
    },
    partition: Object.fromEntries(silos.map((silo) => [silo.framework, silo.scenario.agents.map((agent) => agent.id)])),
  };
}
