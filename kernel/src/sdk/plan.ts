/**
 * Plans → phases → steps, the fixed three levels of the SDK. A step works on
 * one pod instance; its stored status is moved by task updates (see
 * stepStatus.ts) and shown WAITING while interrupted. Phase and plan statuses
 * are derived from their children with the aggregation rules. Controls answer
 * "already done" when they change nothing (the SDK's HTTP 208).
 */
import type { Prng } from '../prng.js';
import type { Status } from './status.js';
import { aggregateStatus } from './status.js';
import type { StrategySpec } from './strategy.js';
import { Strategy } from './strategy.js';

export type PlanKind = 'deploy' | 'recovery' | 'decommission' | 'custom';

export interface Step {
  readonly name: string;
  /** "<pod>-<index>": the pod instance the step works on. */
  readonly podInstance: string;
  /** What the step does to its pod instance. */
  readonly action: 'launch' | 'recover' | 'replace' | 'decommission' | 'restart' | 'run';
  /** The pod's tasks this step launches. */
  readonly tasks: readonly string[];
  status: Status;
  interrupted: boolean;
  /** Why it is not done yet: the latest offer evaluation, in words. */
  reasons: string[];
}

export interface Phase {
  readonly name: string;
  readonly steps: Step[];
  readonly strategy: Strategy;
}

export interface Plan {
  readonly name: string;
  readonly kind: PlanKind;
  readonly phases: Phase[];
  readonly strategy: Strategy;
}

/** The report's and the playground's view of a plan (the report's `plans`, docs/scenario-format.md). */
export interface PlanView {
  /** The framework that runs the plan; set by the scheduler. */
  framework?: string;
  name: string;
  kind: PlanKind;
  status: Status;
  strategy: string;
  phases: Array<{ name: string; status: Status; strategy: string; steps: Array<{ name: string; status: Status; reasons: string[] }> }>;
  /** Why the latest config update was refused (the deploy plan is ERROR while these stand). */
  errors?: string[];
}

export function newStep(podInstance: string, tasks: readonly string[], action: Step['action']): Step {
  return {
    name: `${podInstance}:[${tasks.join(', ')}]`,
    podInstance,
    action,
    tasks: [...tasks],
    status: 'PENDING',
    interrupted: false,
    reasons: [],
  };
}

export function newPhase(name: string, steps: Step[], strategy: StrategySpec, prng: Prng | null = null): Phase {
  return { name, steps, strategy: new Strategy(strategy, prng) };
}

export function newPlan(name: string, kind: PlanKind, phases: Phase[], strategy: StrategySpec = { kind: 'serial' }): Plan {
  const plan: Plan = { name, kind, phases, strategy: new Strategy(strategy) };
  // Custom plans start interrupted: an operator starts them.
  if (kind === 'custom') plan.strategy.interrupted = true;
  return plan;
}

export function stepStatus(phase: Phase, index: number): Status {
  const step = phase.steps[index];
  if (step.status === 'COMPLETE') return 'COMPLETE';
  // An interrupted phase lets running steps finish; those not yet started wait.
  const held = phase.strategy.interrupted && (step.status === 'PENDING' || step.status === 'PREPARED');
  return step.interrupted || held || phase.strategy.awaitingProceed(index) ? 'WAITING' : step.status;
}

export function phaseStatus(phase: Phase): Status {
  const children = phase.steps.map((_, i) => stepStatus(phase, i));
  const candidates = phase.strategy
    .candidates(phase.steps.map((step, i) => ({ name: step.name, status: children[i] })))
    .map((i) => children[i]);
  return aggregateStatus(children, candidates, phase.strategy.interrupted).status;
}

export function planStatus(plan: Plan): Status {
  const children = plan.phases.map(phaseStatus);
  const candidates = plan.strategy
    .candidates(plan.phases.map((phase, i) => ({ name: phase.name, status: children[i] })))
    .map((i) => children[i]);
  return aggregateStatus(children, candidates, plan.strategy.interrupted).status;
}

/** Steps that may act now: in candidate phases, candidates of their phase, not waiting. */
export function activeSteps(plan: Plan): Step[] {
  if (plan.strategy.interrupted) return [];
  const phaseStatuses = plan.phases.map(phaseStatus);
  const phases = plan.strategy
    .candidates(plan.phases.map((phase, i) => ({ name: phase.name, status: phaseStatuses[i] })))
    .map((i) => plan.phases[i]);
  const out: Step[] = [];
  for (const phase of phases) {
    const statuses = phase.steps.map((_, i) => stepStatus(phase, i));
    for (const i of phase.strategy.candidates(phase.steps.map((step, j) => ({ name: step.name, status: statuses[j] })))) {
      if (statuses[i] !== 'WAITING') out.push(phase.steps[i]);
    }
  }
  return out;
}

export function planView(plan: Plan): PlanView {
  return {
    name: plan.name,
    kind: plan.kind,
    status: planStatus(plan),
    strategy: plan.strategy.spec.kind,
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      status: phaseStatus(phase),
      strategy: phase.strategy.spec.kind,
      steps: phase.steps.map((step, i) => ({ name: step.name, status: stepStatus(phase, i), reasons: [...step.reasons] })),
    })),
  };
}

export type ControlResult = { ok: true; changed: boolean; message: string } | { ok: false; code: string; message: string };

const done = (message: string): ControlResult => ({ ok: true, changed: false, message: `already done: ${message}` });
const changed = (message: string): ControlResult => ({ ok: true, changed: true, message });

function selectPhases(plan: Plan, phaseName?: string): Phase[] | ControlResult {
  if (phaseName === undefined) return plan.phases;
  const phase = plan.phases.find((candidate) => candidate.name === phaseName);
  return phase ? [phase] : { ok: false, code: 'unknown_phase', message: `plan ${plan.name} has no phase ${phaseName}` };
}

export function interrupt(plan: Plan, phaseName?: string): ControlResult {
  const strategy = phaseName === undefined ? plan.strategy : plan.phases.find((p) => p.name === phaseName)?.strategy;
  if (!strategy) return { ok: false, code: 'unknown_phase', message: `plan ${plan.name} has no phase ${phaseName}` };
  if (strategy.interrupted) return done(`${phaseName ?? plan.name} is interrupted`);
  strategy.interrupted = true;
  return changed(`interrupted ${phaseName ?? plan.name}`);
}

/** Continue: un-interrupts, or lets the next canary step go. */
export function proceed(plan: Plan, phaseName?: string): ControlResult {
  if (phaseName === undefined && plan.strategy.interrupted) {
    plan.strategy.interrupted = false;
    return changed(`continued ${plan.name}`);
  }
  const phases = selectPhases(plan, phaseName);
  if (!Array.isArray(phases)) return phases;
  for (const phase of phases) {
    if (phase.strategy.interrupted) {
      phase.strategy.interrupted = false;
      return changed(`continued ${phase.name}`);
    }
    if (phase.strategy.proceeded < phase.strategy.canaries && phase.steps.some((_, i) => phase.strategy.awaitingProceed(i))) {
      phase.strategy.proceeded++;
      return changed(`canary step ${phase.strategy.proceeded} of ${phase.name} may go`);
    }
  }
  return done(`${phaseName ?? plan.name} is not waiting`);
}

export function restart(plan: Plan, phaseName?: string, stepName?: string): ControlResult {
  const phases = selectPhases(plan, phaseName);
  if (!Array.isArray(phases)) return phases;
  const steps = phases
    .flatMap((phase) => phase.steps)
    .filter((step) => stepName === undefined || step.name === stepName || step.podInstance === stepName);
  if (steps.length === 0) return { ok: false, code: 'unknown_step', message: `no step ${stepName} in ${plan.name}` };
  for (const step of steps) Object.assign(step, { status: 'PENDING', interrupted: false, reasons: [] });
  for (const phase of phases) phase.strategy.interrupted = false;
  plan.strategy.interrupted = false;
  return changed(`restarted ${steps.length} step(s) of ${plan.name}`);
}

export function forceComplete(plan: Plan, phaseName?: string, stepName?: string): ControlResult {
  const phases = selectPhases(plan, phaseName);
  if (!Array.isArray(phases)) return phases;
  const steps = phases
    .flatMap((phase) => phase.steps)
    .filter((step) => stepName === undefined || step.name === stepName || step.podInstance === stepName);
  if (steps.length === 0) return { ok: false, code: 'unknown_step', message: `no step ${stepName} in ${plan.name}` };
  const open = steps.filter((step) => step.status !== 'COMPLETE');
  if (open.length === 0) return done(`${stepName ?? phaseName ?? plan.name} is complete`);
  for (const step of open) step.status = 'COMPLETE';
  return changed(`forced ${open.length} step(s) of ${plan.name} complete`);
}
