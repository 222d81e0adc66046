/**
 * Plan coordination (SDK `DefaultPlanCoordinator`): which steps of which plans
 * work now. Plans are taken by priority (deploy, recovery, decommission,
 * custom); a pod instance a plan is busy with (a step PREPARED or STARTING) is
 * left alone by the others, and each pod instance is worked on by one step at
 * a time. A refused config update keeps the deploy plan from acting. `sync`
 * brings every step's status up to date with its pod instance first.
 */
import type { Plan, Step } from './plan.js';
import { activeSteps } from './plan.js';
import type { ServiceState } from './serviceState.js';
import { stepProgress } from './stepProgress.js';

const PLAN_PRIORITY: Record<Plan['kind'], number> = { deploy: 0, recovery: 1, decommission: 2, custom: 3 };

export class PlanCoordinator {
  constructor(private readonly state: ServiceState) {}

  /** Brings every step's status up to date with its pod instance. */
  sync(): void {
    const { state } = this;
    for (const plan of state.plans) {
      for (const phase of plan.phases) {
        for (const step of phase.steps) {
          const instance = state.instances.get(step.podInstance);
          step.status = stepProgress(
            step,
            instance,
            instance ? state.pod(instance.podType) : undefined,
            state.targetConfigId,
            state.nowMs,
            state.unmatched.has(step.name),
          );
        }
      }
    }
  }

  /** Steps to act on now, by plan priority; a pod instance busy in one plan is left alone by the others. */
  workingSteps(): Step[] {
    const plans = [...this.state.plans].sort((a, b) => PLAN_PRIORITY[a.kind] - PLAN_PRIORITY[b.kind]);
    const busy = new Map<string, Plan>();
    for (const plan of plans)
      for (const phase of plan.phases)
        for (const step of phase.steps)
          if ((step.status === 'PREPARED' || step.status === 'STARTING') && !busy.has(step.podInstance)) busy.set(step.podInstance, plan);
    const taken = new Set<string>();
    const out: Step[] = [];
    for (const plan of plans) {
      if (plan.kind === 'deploy' && this.state.configErrors.length > 0) continue;
      for (const step of activeSteps(plan)) {
        const owner = busy.get(step.podInstance);
        if ((owner && owner !== plan) || taken.has(step.podInstance) || step.status === 'COMPLETE' || step.status === 'DELAYED') continue;
        taken.add(step.podInstance);
        out.push(step);
      }
    }
    return out;
  }

  /** Nothing to do: no working step and no reservation to give back (offers can be suppressed). */
  idle(): boolean {
    return this.workingSteps().length === 0 && this.state.garbage.size === 0;
  }
}
