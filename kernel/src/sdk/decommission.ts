/**
 * Decommission and uninstall (SDK `DecommissionPlanFactory`,
 * `UninstallScheduler`). A pod instance leaves in one step: its tasks are
 * killed (by the plan scheduler), then, once none is live, every reservation
 * and volume it owns goes on the garbage list, given back (DESTROY, UNRESERVE)
 * when next offered. A config update that shrinks a pod makes a decommission
 * plan of the instances past the new count; uninstall interrupts every other
 * plan and decommissions every instance in parallel.
 */
import type { ControlResult, Plan } from './plan.js';
import { newPhase, newPlan, newStep } from './plan.js';
import type { PodInstance } from './podInstance.js';
import { forgetPlacement, ownedResourceIds } from './podInstance.js';
import type { ServiceSpec } from './serviceSpec.js';
import type { ServiceState } from './serviceState.js';
import { liveTasks } from './stepProgress.js';

/** The decommission step's action: once nothing runs, the instance's reservations become garbage. */
export function decommissionStep(state: ServiceState, instance: PodInstance): void {
  if (liveTasks(instance).length > 0 || instance.decommissioned) return;
  for (const id of ownedResourceIds(instance)) state.garbage.add(id);
  forgetPlacement(instance);
  instance.decommissioned = true;
  state.note(`decommissioned ${instance.name}; its reservations are given back when offered`);
}

/** The plan that removes the instances `next` no longer has (null when none). */
export function decommissionPlan(state: ServiceState, previous: ServiceSpec, next: ServiceSpec, configId: number): Plan | null {
  const removed = previous.pods.flatMap((pod) => {
    const count = next.pods.find((p) => p.type === pod.type)?.count ?? 0;
    return [...state.instances.values()].filter((i) => i.podType === pod.type && i.index >= count && !i.decommissioned);
  });
  if (removed.length === 0) return null;
  const steps = removed.map((instance) => newStep(instance.name, Object.keys(instance.tasks), 'decommission'));
  return newPlan(`decommission-${configId}`, 'decommission', [newPhase('decommission', steps, { kind: 'serial' })]);
}

/** Uninstall: every other plan stops, every pod is decommissioned, every reservation given back. */
export function uninstall(state: ServiceState): ControlResult {
  const live = [...state.instances.values()].filter((instance) => !instance.decommissioned);
  if (state.plan('uninstall')) return { ok: true, changed: false, message: 'already done: uninstall is under way' };
  for (const plan of state.plans) plan.strategy.interrupted = true;
  const steps = live.map((instance) => newStep(instance.name, Object.keys(instance.tasks), 'decommission'));
  state.plans.push(newPlan('uninstall', 'decommission', [newPhase('uninstall', steps, { kind: 'parallel' })]));
  return { ok: true, changed: true, message: `uninstalling ${live.length} pod instance(s)` };
}
