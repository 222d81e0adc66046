/**
 * The plans a service spec asks for (SDK `DeployPlanFactory`, `PlanGenerator`):
 * a deploy plan with one phase per pod type and one step per pod instance,
 * serial over phases; and the spec's custom plans, each step running a
 * phase's sidecar tasks on one pod instance, started interrupted (an operator
 * starts them). Building a plan makes the pod instances it names.
 */
import type { Plan } from './plan.js';
import { newPhase, newPlan, newStep } from './plan.js';
import type { ServiceSpec } from './serviceSpec.js';
import { deployTaskNames } from './serviceSpec.js';
import type { ServiceState } from './serviceState.js';
import type { StrategySpec } from './strategy.js';

export function deployPlan(state: ServiceState, spec: ServiceSpec, strategy: StrategySpec): Plan {
  const phases = spec.pods.map((pod) =>
    newPhase(
      pod.type,
      Array.from({ length: pod.count }, (_, i) => newStep(state.instance(pod, i).name, deployTaskNames(spec, pod), 'launch')),
      strategy,
    ),
  );
  return newPlan('deploy', 'deploy', phases, { kind: 'serial' });
}

export function customPlans(state: ServiceState, spec: ServiceSpec): Plan[] {
  return spec.plans.map((custom) =>
    newPlan(
      custom.name,
      'custom',
      custom.phases.map((phase) => {
        const pod = spec.pods.find((candidate) => candidate.type === phase.pod)!;
        return newPhase(
          phase.name,
          Array.from({ length: pod.count }, (_, i) => newStep(state.instance(pod, i).name, phase.tasks, 'run')),
          phase.strategy,
        );
      }),
      custom.strategy,
    ),
  );
}
