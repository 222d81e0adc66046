/**
 * The service scheduler's state store: everything it must keep across its own
 * restart (configs, pod instances with their reservations and failure clocks,
 * plans with their strategies' progress, reservations to give back), as plain
 * JSON. Placement constraints hold RegExps, so they are rebuilt from the raw
 * `placement` on the way back.
 */
import type { PlacementConstraint } from './constraints.js';
import { parseConstraint } from './constraints.js';
import type { Plan, Step } from './plan.js';
import { newPhase, newPlan } from './plan.js';
import type { PodInstance } from './podInstance.js';
import type { PodSpec, ServiceSpec } from './serviceSpec.js';
import type { StrategySpec } from './strategy.js';

interface StrategyState {
  spec: StrategySpec;
  interrupted: boolean;
  proceeded: number;
}

export interface ServiceSchedulerSnapshot {
  configs: Array<[number, ServiceSpec]>;
  targetConfigId: number;
  configErrors: string[];
  instances: PodInstance[];
  garbage: string[];
  ids: number;
  log: Array<{ atMs: number; what: string }>;
  plans: Array<{
    name: string;
    kind: Plan['kind'];
    strategy: StrategyState;
    phases: Array<{ name: string; strategy: StrategyState; steps: Step[] }>;
  }>;
}

export interface SchedulerState {
  configs: Map<number, ServiceSpec>;
  targetConfigId: number;
  configErrors: string[];
  instances: Map<string, PodInstance>;
  garbage: Set<string>;
  ids: number;
  log: Array<{ atMs: number; what: string }>;
  plans: Plan[];
}

function strategyState(strategy: Plan['strategy']): StrategyState {
  return { spec: strategy.spec, interrupted: strategy.interrupted, proceeded: strategy.proceeded };
}

export function toSnapshot(state: SchedulerState): ServiceSchedulerSnapshot {
  const snapshot: ServiceSchedulerSnapshot = {
    configs: [...state.configs],
    targetConfigId: state.targetConfigId,
    configErrors: state.configErrors,
    instances: [...state.instances.values()],
    garbage: [...state.garbage],
    ids: state.ids,
    log: state.log,
    plans: state.plans.map((plan) => ({
      name: plan.name,
      kind: plan.kind,
      strategy: strategyState(plan.strategy),
      phases: plan.phases.map((phase) => ({ name: phase.name, strategy: strategyState(phase.strategy), steps: phase.steps })),
    })),
  };
  // Plain JSON: a state store keeps text, and the copy shares nothing with the live scheduler.
  return JSON.parse(JSON.stringify(snapshot)) as ServiceSchedulerSnapshot;
}

function reparseConstraints(placement: PodSpec['placement']): PlacementConstraint[] {
  return placement.flatMap((raw) => {
    const parsed = parseConstraint(raw);
    return parsed.ok ? [parsed.constraint] : [];
  });
}

export function fromSnapshot(snapshot: ServiceSchedulerSnapshot): SchedulerState {
  const copy = JSON.parse(JSON.stringify(snapshot)) as ServiceSchedulerSnapshot;
  for (const [, spec] of copy.configs) for (const pod of spec.pods) pod.constraints = reparseConstraints(pod.placement);
  const plans = copy.plans.map((saved) => {
    const phases = saved.phases.map((phase) => {
      const rebuilt = newPhase(phase.name, phase.steps, phase.strategy.spec);
      Object.assign(rebuilt.strategy, { interrupted: phase.strategy.interrupted, proceeded: phase.strategy.proceeded });
      return rebuilt;
    });
    const plan = newPlan(saved.name, saved.kind, phases, saved.strategy.spec);
    Object.assign(plan.strategy, { interrupted: saved.strategy.interrupted, proceeded: saved.strategy.proceeded });
    return plan;
  });
  return {
    configs: new Map(copy.configs),
    targetConfigId: copy.targetConfigId,
    configErrors: copy.configErrors,
    instances: new Map(copy.instances.map((instance) => [instance.name, instance])),
    garbage: new Set(copy.garbage),
    ids: copy.ids,
    log: copy.log,
    plans,
  };
}
