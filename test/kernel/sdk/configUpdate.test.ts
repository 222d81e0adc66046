/** Config updates: validated against the target in force; an accepted one rolls through a new deploy plan. */
import { describe, expect, it } from 'vitest';
import { updateConfig } from '../../../kernel/src/sdk/configUpdate.js';
import { customPlans, deployPlan } from '../../../kernel/src/sdk/planFactory.js';
import { nodeSpec, stateFor } from './sdkHarness.js';

function setUp() {
  const spec = nodeSpec(3, { volumes: [{ containerPath: 'data', sizeMb: 100 }] });
  const { state } = stateFor(spec);
  state.plans.push(deployPlan(state, spec, 'deploy'), ...customPlans(state, spec));
  return state;
}

describe('updateConfig', () => {
  it('refuses a change the validators reject, keeps the old target and says why', () => {
    const state = setUp();
    const result = updateConfig(state, nodeSpec(3, { volumes: [{ containerPath: 'data', sizeMb: 200 }] }));
    expect(result).toMatchObject({ ok: false, code: 'invalid_config' });
    expect(state.configErrors.join()).toMatch(/volumes cannot change/);
    expect(state.targetConfigId).toBe(1);
    const shrink = updateConfig(state, nodeSpec(2, { volumes: [{ containerPath: 'data', sizeMb: 100 }] }));
    expect(shrink.ok ? '' : shrink.message).toMatch(/cannot shrink from 3 to 2 without allowDecommission/);
  });

  it('accepts a valid change as the next config, with a new deploy plan using the update strategy', () => {
    const state = setUp();
    state.configErrors = ['an earlier refusal'];
    const next = nodeSpec(4, { volumes: [{ containerPath: 'data', sizeMb: 100 }] }, { updateStrategy: { kind: 'canary', canaries: 1 } });
    expect(updateConfig(state, next)).toEqual({ ok: true, changed: true, message: 'config 2 is the target' });
    expect(state.configErrors).toEqual([]);
    expect(state.targetConfigId).toBe(2);
    const deploy = state.plan('deploy')!;
    expect(deploy.phases[0].strategy.spec.kind).toBe('canary');
    expect(deploy.phases[0].steps.map((step) => step.podInstance)).toEqual(['node-0', 'node-1', 'node-2', 'node-3']);
    expect(state.plans.filter((plan) => plan.kind === 'decommission')).toEqual([]);
  });

  it('a shrink allowed by allowDecommission adds a decommission plan', () => {
    const spec = nodeSpec(3, { allowDecommission: true });
    const { state } = stateFor(spec);
    state.plans.push(deployPlan(state, spec, 'deploy'));
    expect(updateConfig(state, nodeSpec(1, { allowDecommission: true })).ok).toBe(true);
    expect(state.plan('decommission-2')!.phases[0].steps.map((step) => step.podInstance)).toEqual(['node-1', 'node-2']);
  });

  it('instances of a pod whose tasks did not change carry over to the new config; changed ones relaunch', () => {
    const state = setUp();
    for (const instance of state.instances.values())
      Object.assign(instance.tasks.server, { taskId: `t-${instance.index}`, state: 'TASK_RUNNING', ready: true });
    expect(updateConfig(state, nodeSpec(4, { volumes: [{ containerPath: 'data', sizeMb: 100 }] })).ok).toBe(true);
    const node0 = state.instances.get('node-0')!;
    expect([node0.configId, node0.tasks.server.configId]).toEqual([2, 2]);
    expect(state.instances.get('node-3')!.tasks.server.state).toBeNull();
    const changed = nodeSpec(4, { volumes: [{ containerPath: 'data', sizeMb: 100 }], tasks: [{ name: 'server', cpus: 2, memMb: 256 }] });
    expect(updateConfig(state, changed).ok).toBe(true);
    expect([node0.configId, node0.tasks.server.configId]).toEqual([2, 2]);
    expect(state.targetConfigId).toBe(3);
  });
});
