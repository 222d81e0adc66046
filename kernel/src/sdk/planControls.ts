/**
 * Operator controls of plans (SDK `PlansResource`): interrupt, continue,
 * restart and force-complete a plan, a phase or a step; start a custom plan
 * (every step runs again from the start, the parameters go to its tasks'
 * environment) and stop one (interrupted, what its steps run killed). A
 * control that changes nothing answers "already done".
 */
import { isTerminal } from '../tasks/taskState.js';
import type { ControlResult } from './plan.js';
import { forceComplete, interrupt, proceed, restart } from './plan.js';
import type { ServiceState } from './serviceState.js';

/** Interrupt, continue, restart or force-complete a plan, or one phase or step of it. */
export type PlanControl = {
  type: 'plan.interrupt' | 'plan.continue' | 'plan.restart' | 'plan.forceComplete';
  plan: string;
  phase?: string;
  step?: string;
};

/** `clearDelay` lets a restarted step's pod instance relaunch at once (no backoff). */
export function controlPlan(state: ServiceState, command: PlanControl, clearDelay: (podInstance: string) => void): ControlResult {
  const plan = state.plan(command.plan);
  if (!plan) return { ok: false, code: 'unknown_plan', message: `no plan ${command.plan}` };
  switch (command.type) {
    case 'plan.interrupt':
      return interrupt(plan, command.phase);
    case 'plan.continue':
      return proceed(plan, command.phase);
    case 'plan.restart':
      for (const step of plan.phases.flatMap((p) => p.steps))
        if (command.step === undefined || command.step === step.podInstance || command.step === step.name) clearDelay(step.podInstance);
      return restart(plan, command.phase, command.step);
    case 'plan.forceComplete':
      return forceComplete(plan, command.phase, command.step);
  }
}

export function startPlan(state: ServiceState, name: string, parameters: Record<string, string>): ControlResult {
  const plan = state.plan(name);
  if (plan?.kind !== 'custom') return { ok: false, code: 'unknown_plan', message: `no custom plan ${name}` };
  const steps = plan.phases.flatMap((phase) => phase.steps);
  if (!plan.strategy.interrupted && steps.some((step) => step.status !== 'COMPLETE'))
    return { ok: true, changed: false, message: `already done: ${name} is running` };
  state.planParameters.set(name, parameters);
  for (const step of steps) {
    Object.assign(step, { status: 'PENDING', interrupted: false, reasons: [] });
    const instance = state.instances.get(step.podInstance);
    for (const task of step.tasks)
      if (instance?.tasks[task]) Object.assign(instance.tasks[task], { taskId: null, state: null, ready: false });
  }
  for (const phase of plan.phases) phase.strategy.interrupted = false;
  plan.strategy.interrupted = false;
  const words = Object.entries(parameters).map(([key, value]) => `${key}=${value}`);
  return { ok: true, changed: true, message: `started ${name}${words.length ? ` with ${words.join(' ')}` : ''}` };
}

export function stopPlan(state: ServiceState, name: string): ControlResult {
  const plan = state.plan(name);
  if (plan?.kind !== 'custom') return { ok: false, code: 'unknown_plan', message: `no custom plan ${name}` };
  const running = plan.phases
    .flatMap((phase) => phase.steps)
    .flatMap((step) => step.tasks.map((task) => state.instances.get(step.podInstance)?.tasks[task]))
    .filter((record) => record?.taskId && record.state && !isTerminal(record.state));
  const toKill = running.filter((record) => !state.killRequested.has(record!.taskId!));
  if (plan.strategy.interrupted && toKill.length === 0) return { ok: true, changed: false, message: `already done: ${name} is stopped` };
  plan.strategy.interrupted = true;
  for (const record of toKill) state.kill(record!.taskId!);
  return { ok: true, changed: true, message: `stopped ${name}${toKill.length ? `, killing ${toKill.length} task(s)` : ''}` };
}
