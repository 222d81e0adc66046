/** Plan controls: interrupt, continue, restart, force-complete; start and stop of custom plans. */
import { describe, expect, it } from 'vitest';
import { controlPlan, startPlan, stopPlan } from '../../../kernel/src/sdk/planControls.js';
import { customPlans, deployPlan } from '../../../kernel/src/sdk/planFactory.js';
import { serviceSpec, stateFor } from './sdkHarness.js';

function setUp() {
  const spec = serviceSpec({
    pods: [
      {
        type: 'node',
        count: 2,
        tasks: [
          { name: 'server', cpus: 1, memMb: 256 },
          { name: 'backup', goal: 'FINISH', cpus: 0.5, memMb: 64 },
        ],
      },
    ],
    plans: [{ name: 'backup', phases: [{ name: 'b', pod: 'node', tasks: ['backup'] }] }],
  });
  const { state, context } = stateFor(spec);
  state.plans.push(deployPlan(state, spec, 'deploy'), ...customPlans(state, spec));
  return { state, context };
}

describe('plan controls', () => {
  it('interrupt and continue; a second interrupt is already done; unknown plans and phases are named', () => {
    const { state } = setUp();
    const cleared: string[] = [];
    const control = (type: 'plan.interrupt' | 'plan.continue', plan: string, phase?: string) =>
      controlPlan(state, { type, plan, ...(phase ? { phase } : {}) }, (name) => cleared.push(name));
    expect(control('plan.interrupt', 'deploy')).toEqual({ ok: true, changed: true, message: 'interrupted deploy' });
    expect(control('plan.interrupt', 'deploy')).toEqual({ ok: true, changed: false, message: 'already done: deploy is interrupted' });
    expect(control('plan.continue', 'deploy')).toEqual({ ok: true, changed: true, message: 'continued deploy' });
    expect(control('plan.interrupt', 'nope')).toEqual({ ok: false, code: 'unknown_plan', message: 'no plan nope' });
    expect(control('plan.interrupt', 'deploy', 'nope')).toMatchObject({ ok: false, code: 'unknown_phase' });
  });

  it('restart of a step clears its backoff; force-complete marks it COMPLETE', () => {
    const { state } = setUp();
    const cleared: string[] = [];
    const result = controlPlan(state, { type: 'plan.restart', plan: 'deploy', step: 'node-1' }, (name) => cleared.push(name));
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(cleared).toEqual(['node-1']);
    controlPlan(state, { type: 'plan.forceComplete', plan: 'deploy', phase: 'node', step: 'node-0' }, () => {});
    expect(state.plan('deploy')!.phases[0].steps[0].status).toBe('COMPLETE');
  });

  it('start runs a custom plan with its parameters; stop kills what it runs; each says when nothing changed', () => {
    const { state, context } = setUp();
    expect(startPlan(state, 'deploy', {})).toEqual({ ok: false, code: 'unknown_plan', message: 'no custom plan deploy' });
    expect(startPlan(state, 'backup', { TARGET: 's3' })).toEqual({ ok: true, changed: true, message: 'started backup with TARGET=s3' });
    expect(state.planParameters.get('backup')).toEqual({ TARGET: 's3' });
    expect(startPlan(state, 'backup', {})).toEqual({ ok: true, changed: false, message: 'already done: backup is running' });
    Object.assign(state.instances.get('node-0')!.tasks.backup, { taskId: 'b-1', state: 'TASK_RUNNING' });
    expect(stopPlan(state, 'backup')).toEqual({ ok: true, changed: true, message: 'stopped backup, killing 1 task(s)' });
    expect(context.callsOf('task.kill').map((call) => call.taskId)).toEqual(['b-1']);
    expect(stopPlan(state, 'backup')).toEqual({ ok: true, changed: false, message: 'already done: backup is stopped' });
  });
});
