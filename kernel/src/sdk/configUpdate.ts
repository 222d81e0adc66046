/**
 * Config updates (SDK `DefaultConfigurationUpdater`): a new target spec is
 * checked against the one in force with the config validators
 * (`specChangeProblems`); a refused one keeps the old target and puts the
 * deploy plan in ERROR with the reasons. An accepted one gets the next config
 * id, a new deploy plan with the update strategy (each step relaunches its
 * instance under the new config, unless its pod's tasks did not change),
 * the new spec's custom plans, and a decommission plan for the instances the
 * new spec no longer has.
 */
import { decommissionPlan } from './decommission.js';
import type { ControlResult } from './plan.js';
import { customPlans, deployPlan } from './planFactory.js';
import type { ServiceSpec } from './serviceSpec.js';
import { specChangeProblems } from './configValidators.js';
import type { ServiceState } from './serviceState.js';

export function updateConfig(state: ServiceState, spec: ServiceSpec): ControlResult {
  const problems = specChangeProblems(state.spec, spec);
  if (problems.length > 0) {
    state.configErrors = problems;
    return { ok: false, code: 'invalid_config', message: problems.join('; ') };
  }
  state.configErrors = [];
  const previous = state.spec;
  const previousId = state.targetConfigId;
  state.targetConfigId = Math.max(...state.configs.keys()) + 1;
  state.configs.set(state.targetConfigId, spec);
  carryOverUnchanged(state, previous, spec, previousId);
  const plans = state.plans;
  plans.splice(
    plans.findIndex((plan) => plan.kind === 'deploy'),
    1,
    deployPlan(state, spec, 'update'),
  );
  // The new spec's custom plans replace the old ones (stopped, like every new custom plan).
  for (let i = plans.length - 1; i >= 0; i--) if (plans[i].kind === 'custom') plans.splice(i, 1);
  plans.push(...customPlans(state, spec));
  const decommission = decommissionPlan(state, previous, spec, state.targetConfigId);
  if (decommission) plans.push(decommission);
  return { ok: true, changed: true, message: `config ${state.targetConfigId} is the target` };
}

/**
 * Pods whose tasks the new config does not change are not relaunched (SDK:
 * a step whose pod spec is unchanged is complete at once): their instances
 * and task records move to the new config id as they run.
 */
function carryOverUnchanged(state: ServiceState, previous: ServiceSpec, next: ServiceSpec, previousId: number): void {
  for (const pod of next.pods) {
    const before = previous.pods.find((candidate) => candidate.type === pod.type);
    if (!before || JSON.stringify(before.tasks) !== JSON.stringify(pod.tasks)) continue;
    for (const instance of state.instances.values()) {
      if (instance.podType !== pod.type || instance.decommissioned || instance.configId !== previousId) continue;
      instance.configId = state.targetConfigId;
      for (const record of Object.values(instance.tasks)) if (record.configId === previousId) record.configId = state.targetConfigId;
    }
  }
}
