/**
 * Config updates (SDK `DefaultConfigurationUpdater`): a new target spec is
 * checked against the one in force with the config validators
 * (`specChangeProblems`); a refused one keeps the old target and puts the
 * deploy plan in ERROR with the reasons. An accepted one gets the next config
 * id, a new deploy plan with the update strategy (each step relaunches its
 * instance under the new config), the new spec's custom plans, and a
 * decommission plan for the instances the new spec no longer has.
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
  state.targetConfigId = Math.max(...state.configs.keys()) + 1;
  state.configs.set(state.targetConfigId, spec);
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
