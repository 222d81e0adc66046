/** Plan coordination: which steps of which plans work now. */
import { describe, expect, it } from 'vitest';
import { newPhase, newPlan, newStep } from '../../../kernel/src/sdk/plan.js';
import { PlanCoordinator } from '../../../kernel/src/sdk/planCoordinator.js';
import { deployPlan } from '../../../kernel/src/sdk/planFactory.js';
import { nodeSpec, stateFor } from './sdkHarness.js';

function setUp(count = 2, strategy: 'serial' | 'parallel' = 'serial') {
  const spec = nodeSpec(count, {}, { deployStrategy: { kind: strategy } });
  const { state, context } = stateFor(spec);
  state.plans.push(deployPlan(state, spec, 'deploy'));
  return { state, context, coordinator: new PlanCoordinator(state) };
}

const names = (steps: Array<{ podInstance: string }>) => steps.map((step) => step.podInstance);

describe('PlanCoordinator', () => {
  it('a serial deploy works one step at a time; a parallel one all of them', () => {
    const serial = setUp(3, 'serial');
    serial.coordinator.sync();
    expect(names(serial.coordinator.workingSteps())).toEqual(['node-0']);
    const parallel = setUp(3, 'parallel');
    parallel.coordinator.sync();
    expect(names(parallel.coordinator.workingSteps())).toEqual(['node-0', 'node-1', 'node-2']);
  });

  it('sync reads step statuses from the pod instances (a launched task is STARTING)', () => {
    const { state, coordinator } = setUp(2);
    Object.assign(state.instances.get('node-0')!.tasks.server, { taskId: 't1', state: 'TASK_STAGING' });
    coordinator.sync();
    expect(state.plan('deploy')!.phases[0].steps.map((step) => step.status)).toEqual(['STARTING', 'PENDING']);
  });

  it('a pod instance busy in one plan is left alone by the others; deploy goes first', () => {
    const { state, coordinator } = setUp(2, 'parallel');
    const recovery = newPlan('recovery', 'recovery', [newPhase('node-1', [newStep('node-1', ['server'], 'recover')], { kind: 'serial' })], {
      kind: 'parallel',
    });
    state.plans.push(recovery);
    coordinator.sync();
    // node-1 is worked on by deploy (higher priority), not by recovery too.
    const working = coordinator.workingSteps();
    expect(working.map((step) => `${state.planOf(step)}:${step.podInstance}`)).toEqual(['deploy:node-0', 'deploy:node-1']);
    // Once recovery holds node-1 (STARTING), deploy leaves it alone.
    Object.assign(state.instances.get('node-1')!.tasks.server, { taskId: 't1', state: 'TASK_STAGING' });
    recovery.phases[0].steps[0].status = 'STARTING';
    state.plan('deploy')!.phases[0].steps[1].status = 'PENDING';
    const busy = coordinator.workingSteps();
    expect(busy.map((step) => `${state.planOf(step)}:${step.podInstance}`)).toEqual(['deploy:node-0', 'recovery:node-1']);
  });

  it('a refused config update keeps the deploy plan from acting', () => {
    const { state, coordinator } = setUp(1);
    state.configErrors = ['volumes cannot change'];
    coordinator.sync();
    expect(coordinator.workingSteps()).toEqual([]);
  });

  it('is idle with no working step and no reservation to give back', () => {
    const { state, coordinator } = setUp(1);
    state.plan('deploy')!.phases[0].steps[0].status = 'COMPLETE';
    expect(coordinator.idle()).toBe(true);
    state.garbage.add('r1');
    expect(coordinator.idle()).toBe(false);
  });
});
