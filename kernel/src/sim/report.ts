/**
 * The simulation report (docs/scenario-format.md, "The report"): per framework its tasks by state,
 * allocation and dominant share; the cluster's totals and utilisation; the
 * master's counters; and every invariant violation seen (must be empty).
 */
import type { ResourceQuantities } from '../resources/layout.js';
import { allScalarsInto } from '../resources/resourceSet.js';
import { dominantShare } from '../resources/vector.js';
import type { PlanView } from '../sdk/plan.js';
import type { TaskState } from '../tasks/taskState.js';
import type { InvariantViolation, Simulation } from './simulation.js';

export interface FrameworkReport {
  id: string;
  role: string;
  tasks: Partial<Record<TaskState, number>>;
  allocated: ResourceQuantities;
  /** Unweighted: the largest fraction of any (non-excluded) resource the framework holds. */
  dominantShare: number;
  /** Tasks the framework still wanted to launch when the run ended. */
  pendingTasks: number;
  /** Kind-specific figures (e.g. job completion times for batch jobs), when the kind has any. */
  details?: Record<string, unknown>;
}

export interface SimulationReport {
  scenario: string;
  seed: number;
  simulatedMs: number;
  frameworks: FrameworkReport[];
  cluster: { agents: number; total: ResourceQuantities; allocated: ResourceQuantities; utilization: ResourceQuantities };
  counters: {
    allocationCycles: number;
    offersMade: number;
    offersDeclined: number;
    offersAccepted: number;
    offersRescinded: number;
    tasksLaunched: number;
  };
  plans: PlanView[];
  invariantViolations: InvariantViolation[];
}

export function buildReport(simulation: Simulation): SimulationReport {
  const { master } = simulation;
  const layout = master.layout;
  const allocator = master.allocator;
  const frameworks: FrameworkReport[] = simulation.scenario.frameworks.map((spec) => {
    const state = master.frameworks.get(spec.id);
    // Counted as the framework saw them: the master forgets finished tasks when it fails over.
    const tasks: Partial<Record<TaskState, number>> = {};
    const model = simulation.frameworks.get(spec.id);
    for (const taskState of model?.taskStates.values() ?? []) tasks[taskState] = (tasks[taskState] ?? 0) + 1;
    const allocated = layout.zero();
    if (state)
      for (const client of state.clients.values()) for (let i = 0; i < allocated.length; i++) allocated[i] += client.node.allocation[i];
    return {
      id: spec.id,
      role: spec.role,
      tasks: sortedStates(tasks),
      allocated: layout.quantities(allocated),
      dominantShare: roundTo(dominantShare(allocated, allocator.total, allocator.excluded, 1), 4),
      pendingTasks: model?.pendingTasks ?? 0,
      ...(model?.details ? { details: model.details() } : {}),
    };
  });
  const total = allocator.total;
  const free = layout.zero();
  const scratch = layout.zero();
  for (const agent of master.agents.values()) {
    allScalarsInto(scratch, agent.free);
    for (let i = 0; i < free.length; i++) free[i] += scratch[i];
  }
  const allocated = total.map((amount, slot) => Math.max(0, amount - free[slot]));
  const utilization: ResourceQuantities = {};
  total.forEach((amount, slot) => {
    if (amount > 0) utilization[layout.names[slot]] = roundTo(allocated[slot] / amount, 4);
  });
  const counter = (key: keyof typeof master.counters): number => master.counters[key] + simulation.retiredCounters[key];
  const [allocationCycles, offersMade, offersDeclined, offersAccepted, offersRescinded, tasksLaunched] = (
    ['allocationCycles', 'offersMade', 'offersDeclined', 'offersAccepted', 'offersRescinded', 'tasksLaunched'] as const
  ).map(counter);
  return {
    scenario: simulation.scenario.name,
    seed: simulation.seed,
    simulatedMs: simulation.nowMs,
    frameworks,
    cluster: { agents: master.agents.size, total: layout.quantities(total), allocated: layout.quantities(allocated), utilization },
    counters: { allocationCycles, offersMade, offersDeclined, offersAccepted, offersRescinded, tasksLaunched },
    plans: [...simulation.frameworks.values()].flatMap((model) => (model.plans?.() ?? []) as PlanView[]),
    invariantViolations: [...simulation.violations],
  };
}

function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function sortedStates(tasks: Partial<Record<TaskState, number>>): Partial<Record<TaskState, number>> {
  return Object.fromEntries(Object.entries(tasks).sort(([a], [b]) => (a < b ? -1 : 1)));
}
