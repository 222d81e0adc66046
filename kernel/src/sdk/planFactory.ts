/**
 * The plans a service spec asks for (SDK `DeployPlanFactory`, `PlanGenerator`):
 * a deploy plan with one step per pod instance, in one phase per pod type
 * (serial over phases) or in the phases the spec names; and the spec's custom plans, each step running a
 * phase's sidecar tasks on one pod instance, started interrupted (an operator
 * starts them). Building a plan makes the pod instances it names.
 */
import type { Plan } from './plan.js';
import { newPhase, newPlan, newStep } from './plan.js';
import type { PodSpec, ServiceSpec } from './serviceSpec.js';
import { deployTaskNames } from './serviceSpec.js';
import type { ServiceState } from './serviceState.js';
import type { StrategySpec } from './strategy.js';

/**
 * The deploy plan, or the one that rolls a config update out (`update`): the
 * spec's named phases when it has them, else one phase per pod type with the
 * deploy (or update) strategy.
 */
export function deployPlan(state: ServiceState, spec: ServiceSpec, purpose: 'deploy' | 'update'): Plan {
  const shape = (purpose === 'update' ? spec.updatePlan : null) ?? spec.deployPlan;
  const strategy: StrategySpec = purpose === 'update' ? spec.updateStrategy : spec.deployStrategy;
  const phaseOf = (name: string, pod: PodSpec, phaseStrategy: StrategySpec) =>
    newPhase(
      name,
      Array.from({ length: pod.count }, (_, i) => newStep(state.instance(pod, i).name, deployTaskNames(spec, pod), 'launch')),
      phaseStrategy,
    );
  if (!shape)
    return newPlan(
      'deploy',
      'deploy',
      spec.pods.map((pod) => phaseOf(pod.type, pod, strategy)),
      { kind: 'serial' },
    );
  const phases = shape.phases.map((phase) => phaseOf(phase.name, spec.pods.find((pod) => pod.type === phase.pod)!, phase.strategy));
  return newPlan('deploy', 'deploy', phases, shape.strategy);
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
