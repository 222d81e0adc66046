/** Decommission and uninstall: reservations given back only once nothing runs. */
import { describe, expect, it } from 'vitest';
import { decommissionPlan, decommissionStep, uninstall } from '../../../kernel/src/sdk/decommission.js';
import { deployPlan } from '../../../kernel/src/sdk/planFactory.js';
import { nodeSpec, stateFor } from './sdkHarness.js';

function setUp(count = 3) {
  const spec = nodeSpec(count, { allowDecommission: true });
  const { state } = stateFor(spec);
  state.plans.push(deployPlan(state, spec, 'deploy'));
  for (const instance of state.instances.values()) {
    Object.assign(instance, { agentId: `a-${instance.index}`, resourceIds: { server: `r-${instance.index}` } });
    Object.assign(instance.tasks.server, { taskId: `t-${instance.index}`, state: 'TASK_RUNNING' });
  }
  return { state, spec };
}

describe('decommission', () => {
  it('waits for the instance to stop, then puts its reservations on the garbage list once', () => {
    const { state } = setUp();
    const instance = state.instances.get('node-2')!;
    decommissionStep(state, instance);
    expect(state.garbage.size).toBe(0);
    instance.tasks.server.state = 'TASK_KILLED';
    decommissionStep(state, instance);
    expect([...state.garbage]).toEqual(['r-2']);
    expect(instance).toMatchObject({ decommissioned: true, agentId: null, resourceIds: {} });
    state.garbage.clear();
    decommissionStep(state, instance);
    expect(state.garbage.size).toBe(0);
  });

  it('a shrinking config makes a serial plan of the instances past the new count', () => {
    const { state, spec } = setUp(3);
    const plan = decommissionPlan(state, spec, nodeSpec(1, { allowDecommission: true }), 2)!;
    expect(plan.name).toBe('decommission-2');
    expect(plan.phases[0].steps.map((step) => `${step.podInstance}:${step.action}`)).toEqual([
      'node-1:decommission',
      'node-2:decommission',
    ]);
    expect(decommissionPlan(state, spec, spec, 2)).toBeNull();
  });

  it('uninstall interrupts every plan and decommissions every instance in parallel; a second one is already done', () => {
    const { state } = setUp(2);
    expect(uninstall(state)).toEqual({ ok: true, changed: true, message: 'uninstalling 2 pod instance(s)' });
    expect(state.plan('deploy')!.strategy.interrupted).toBe(true);
    const plan = state.plan('uninstall')!;
    expect(plan.phases[0].strategy.spec.kind).toBe('parallel');
    expect(plan.phases[0].steps.map((step) => step.podInstance)).toEqual(['node-0', 'node-1']);
    expect(uninstall(state)).toEqual({ ok: true, changed: false, message: 'already done: uninstall is under way' });
  });
});
