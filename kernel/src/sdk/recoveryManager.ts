/**
 * The recovery manager (SDK `DefaultRecoveryPlanManager`, `TimedFailureMonitor`,
 * `BackOff`). A task of a deployed pod that ends without being asked to
 * starts its pod's failure clock (kept in the pod instance, so it survives a
 * scheduler restart) and puts a recovery step in the recovery plan: a
 * transient recovery relaunches in place, on the pod's own reservations and
 * volumes. A FAILED or ERROR task delays the relaunch by a backoff that grows
 * by `factor` up to `maxMs` and starts over once the pod has run well for a
 * full maximum delay. An essential task takes its pod down with it. When the
 * failure timeout passes with the pod still not back, or on `pod replace`, the
 * recovery is permanent: the instance forgets its placement (its reservations
 * become garbage) and is launched elsewhere, away from the agent it left.
 */
import type { TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';
import type { ControlResult, Step } from './plan.js';
import { newPhase, newPlan, newStep } from './plan.js';
import type { PodInstance } from './podInstance.js';
import { forgetPlacement, ownedResourceIds } from './podInstance.js';
import type { ServiceState } from './serviceState.js';
import { instanceDone } from './stepProgress.js';

export class RecoveryManager {
  constructor(
    private readonly state: ServiceState,
    /** Brings step statuses up to date and revives offers when work appeared (after a timer fired). */
    private readonly refresh: () => void,
  ) {}

  /** A task of the instance ended (or became unreachable) without the scheduler asking. */
  taskEnded(instance: PodInstance, name: string, taskState: TaskState): void {
    const { state } = this;
    const record = instance.tasks[name];
    const readySinceMs = instance.readySinceMs;
    record.ready = false;
    instance.readySinceMs = null;
    if (record.taskId && state.killRequested.delete(record.taskId)) return;
    if (instance.decommissioned) return;
    if (instance.unconfirmed) {
      // The first launch never happened (its offer was gone, the scheduler died before sending it):
      // start over from scratch rather than wait for reservations that may not exist.
      this.#forgetFirstLaunch(instance, name, taskState);
      return;
    }
    const task = state.pod(instance.podType)?.tasks.find((t) => t.name === name);
    if (taskState === 'TASK_FINISHED' && task && task.goal !== 'RUNNING') return;
    // A plan's sidecar task that fails is relaunched by its plan step, not recovered with the pod.
    if (!state.deployTasks(instance).includes(name)) return;
    if (instance.failedAtMs === null) {
      instance.failedAtMs = state.nowMs;
      this.#armFailureClock(instance);
    }
    if (taskState === 'TASK_FAILED' || taskState === 'TASK_ERROR') this.#backOff(instance, readySinceMs);
    // An essential task takes its pod down with it; the pod is relaunched whole.
    if (task?.essential !== false) {
      for (const other of Object.values(instance.tasks)) {
        if (other === record || !other.taskId || !other.state || isTerminal(other.state)) continue;
        state.kill(other.taskId);
      }
    }
    if (this.#deployComplete(instance)) this.#recoveryStep(instance, 'recover');
    state.note(`${instance.name}: ${name} ${taskState}`);
  }

  /** The instance runs as its config wants: its failure clock stops. */
  recovered(instance: PodInstance): void {
    instance.failedAtMs = null;
    instance.readySinceMs = this.state.nowMs;
  }

  /** After a scheduler restart: the instance's failure clock, kept in the state store, ticks again. */
  rearm(instance: PodInstance): void {
    if (instance.failedAtMs !== null) this.#armFailureClock(instance);
  }

  /** `pod restart` (relaunch in place) or `pod replace` (permanent: elsewhere, with new reservations). */
  podControl(type: 'pod.replace' | 'pod.restart', name: string): ControlResult {
    const instance = this.state.instances.get(name);
    if (!instance || instance.decommissioned) return { ok: false, code: 'unknown_pod', message: `no pod instance ${name}` };
    if (type === 'pod.replace') this.#replace(instance, 'pod replace');
    else {
      this.clearDelay(name);
      instance.relaunchPending = true;
      this.#recoveryStep(instance, 'restart');
    }
    return { ok: true, changed: true, message: `${type === 'pod.replace' ? 'replacing' : 'restarting'} ${name}` };
  }

  /** Lets the instance relaunch at once (an operator restarted it). */
  clearDelay(name: string): void {
    const instance = this.state.instances.get(name);
    if (!instance) return;
    instance.delayedUntilMs = null;
    instance.backoffMs = null;
  }

  #forgetFirstLaunch(instance: PodInstance, name: string, taskState: TaskState): void {
    const { state } = this;
    for (const id of ownedResourceIds(instance)) state.garbage.add(id);
    const from = instance.agentId;
    forgetPlacement(instance);
    instance.unconfirmed = false;
    state.note(`${instance.name}: ${name} ${taskState} before it ever ran on ${from}; placing it afresh`);
  }

  #armFailureClock(instance: PodInstance): void {
    const context = this.state.context!;
    const deadline = instance.failedAtMs! + this.state.spec.failureTimeoutMs;
    context.schedule(deadline, () => this.#permanentCheck(instance, deadline));
  }

  /** `readySinceMs`: since when the pod had run well before this failure (null: it had not). */
  #backOff(instance: PodInstance, readySinceMs: number | null): void {
    const { state } = this;
    const { backoff } = state.spec;
    const nowMs = state.nowMs;
    // Backoff grows with each failure and starts over once the pod has run well for a full maximum delay.
    const stable = readySinceMs !== null && nowMs - readySinceMs >= backoff.maxMs;
    instance.backoffMs =
      instance.backoffMs === null || stable ? backoff.initialMs : Math.min(instance.backoffMs * backoff.factor, backoff.maxMs);
    instance.delayedUntilMs = nowMs + instance.backoffMs;
    state.context!.schedule(instance.delayedUntilMs, () => {
      if (!state.retired) this.refresh();
    });
  }

  #deployComplete(instance: PodInstance): boolean {
    return (
      this.state
        .plan('deploy')
        ?.phases.some((phase) => phase.steps.some((step) => step.podInstance === instance.name && step.status === 'COMPLETE')) ?? false
    );
  }

  /** The failure timeout passed and the pod is still not running: replace it elsewhere. */
  #permanentCheck(instance: PodInstance, deadline: number): void {
    const { state } = this;
    if (state.retired) return;
    const pod = state.pod(instance.podType);
    if (
      instance.failedAtMs === null ||
      instance.failedAtMs + state.spec.failureTimeoutMs !== deadline ||
      !pod ||
      instanceDone(instance, pod, state.targetConfigId, state.deployTasks(instance))
    )
      return;
    this.#replace(instance, 'failure timeout');
    this.refresh();
  }

  #replace(instance: PodInstance, why: string): void {
    const { state } = this;
    const from = instance.agentId;
    for (const id of ownedResourceIds(instance)) state.garbage.add(id);
    forgetPlacement(instance);
    instance.avoidAgentId = from;
    for (const record of Object.values(instance.tasks)) {
      if (record.state === null || isTerminal(record.state) || !record.taskId) continue;
      state.kill(record.taskId);
    }
    instance.relaunchPending = true;
    this.#recoveryStep(instance, 'replace');
    const seed = instance.podType === state.spec.pods[0]?.type && instance.index < state.spec.seeds;
    state.note(`permanent replacement of ${instance.name} from ${from ?? 'nowhere'} (${why})${seed ? '; re-seeding the ring' : ''}`);
  }

  /** One phase per pod instance in the recovery plan; a new recovery of the same instance replaces its open step. */
  #recoveryStep(instance: PodInstance, action: Step['action']): void {
    const { state } = this;
    let plan = state.plan('recovery');
    if (!plan) {
      plan = newPlan('recovery', 'recovery', [], { kind: 'parallel' });
      state.plans.push(plan);
    }
    const step = newStep(instance.name, state.pod(instance.podType) ? state.deployTasks(instance) : [], action);
    const open = plan.phases.find((phase) => phase.name === instance.name && phase.steps.some((s) => s.status !== 'COMPLETE'));
    if (open) open.steps.splice(0, open.steps.length, step);
    else plan.phases.push(newPhase(instance.name, [step], { kind: 'serial' }));
    state.unmatched.delete(step.name);
  }
}
