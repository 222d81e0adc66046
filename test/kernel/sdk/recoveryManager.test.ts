/** The recovery manager: failure clocks, backoff, essential tasks, transient and permanent recovery. */
import { describe, expect, it } from 'vitest';
import { deployPlan } from '../../../kernel/src/sdk/planFactory.js';
import type { PodInstance } from '../../../kernel/src/sdk/podInstance.js';
import { RecoveryManager } from '../../../kernel/src/sdk/recoveryManager.js';
import type { ServiceSpec } from '../../../kernel/src/sdk/serviceSpec.js';
import { nodeSpec, stateFor } from './sdkHarness.js';

const backoff = { initialMs: 10_000, factor: 2, maxMs: 60_000 };

/** node-0 deployed on a1 (reservation r1, volume v1), its deploy step COMPLETE. */
function setUp(spec: ServiceSpec = nodeSpec(1, {}, { backoff, failureTimeoutMs: 100_000 })) {
  const { state, context } = stateFor(spec);
  state.plans.push(deployPlan(state, spec, 'deploy'));
  let refreshes = 0;
  const recovery = new RecoveryManager(state, () => refreshes++);
  const instance = state.instances.get('node-0')!;
  Object.assign(instance, {
    agentId: 'a1',
    target: { hostname: 'a1', attributes: {} },
    resourceIds: { server: 'r1' },
    volumes: [{ containerPath: 'data', persistenceId: 'p1', resourceId: 'v1', sizeMb: 10 }],
  });
  for (const [name, record] of Object.entries(instance.tasks))
    Object.assign(record, { taskId: `${name}-1`, state: 'TASK_RUNNING', ready: true });
  state.plan('deploy')!.phases[0].steps[0].status = 'COMPLETE';
  return { state, context, recovery, instance, refreshes: () => refreshes };
}

function fail(recovery: RecoveryManager, instance: PodInstance, name = 'server', taskState: 'TASK_FAILED' | 'TASK_LOST' = 'TASK_FAILED') {
  instance.tasks[name].state = taskState;
  recovery.taskEnded(instance, name, taskState);
}

describe('RecoveryManager', () => {
  it('a failure starts the failure clock, backs off, and adds a transient recovery step', () => {
    const { state, context, recovery, instance, refreshes } = setUp();
    context.advance(5_000);
    fail(recovery, instance);
    expect(instance.failedAtMs).toBe(5_000);
    expect(instance.delayedUntilMs).toBe(15_000);
    const step = state.plan('recovery')!.phases[0].steps[0];
    expect([step.podInstance, step.action]).toEqual(['node-0', 'recover']);
    context.advance(15_000);
    expect(refreshes()).toBe(1);
  });

  it('the backoff grows by its factor up to its maximum, and starts over after a stable run', () => {
    const { context, recovery, instance } = setUp();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      fail(recovery, instance);
      delays.push(instance.delayedUntilMs! - context.nowMs);
      context.advance(context.nowMs + 1000);
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 60_000]);
    recovery.recovered(instance);
    context.advance(context.nowMs + 60_000);
    fail(recovery, instance);
    expect(instance.delayedUntilMs! - context.nowMs).toBe(10_000);
  });

  it('a lost task is not backed off, and a task the scheduler killed is no failure', () => {
    const { state, recovery, instance } = setUp();
    state.killRequested.add('server-1');
    fail(recovery, instance, 'server', 'TASK_LOST');
    expect(instance.failedAtMs).toBeNull();
    expect(state.plan('recovery')).toBeUndefined();
    fail(recovery, instance, 'server', 'TASK_LOST');
    expect(instance.failedAtMs).not.toBeNull();
    expect(instance.delayedUntilMs).toBeNull();
  });

  it('an essential task takes its pod down with it; a non-essential one does not', () => {
    const spec = nodeSpec(1, {
      tasks: [
        { name: 'server', cpus: 1, memMb: 256 },
        { name: 'agent', cpus: 0.1, memMb: 32, essential: false },
      ],
    });
    const essential = setUp(spec);
    fail(essential.recovery, essential.instance, 'server');
    expect(essential.context.callsOf('task.kill').map((call) => call.taskId)).toEqual(['agent-1']);
    const optional = setUp(spec);
    fail(optional.recovery, optional.instance, 'agent');
    expect(optional.context.callsOf('task.kill')).toEqual([]);
  });

  it('after the failure timeout a pod still down is replaced: its reservations become garbage, it avoids its old agent', () => {
    const { state, context, recovery, instance } = setUp();
    fail(recovery, instance, 'server', 'TASK_LOST');
    context.advance(99_999);
    expect(instance.agentId).toBe('a1');
    context.advance(100_000);
    expect(instance.agentId).toBeNull();
    expect(instance.avoidAgentId).toBe('a1');
    expect([...state.garbage].sort()).toEqual(['r1', 'v1']);
    expect(state.plan('recovery')!.phases[0].steps[0].action).toBe('replace');
  });

  it('a pod that came back in time is not replaced', () => {
    const { context, recovery, instance } = setUp();
    fail(recovery, instance, 'server', 'TASK_LOST');
    Object.assign(instance.tasks.server, { taskId: 'server-2', state: 'TASK_RUNNING', ready: true });
    recovery.recovered(instance);
    context.advance(200_000);
    expect(instance.agentId).toBe('a1');
  });

  it('the failure clock is re-armed after a restart and keeps its deadline', () => {
    const first = setUp();
    first.context.advance(30_000);
    fail(first.recovery, first.instance, 'server', 'TASK_LOST');
    const second = setUp();
    Object.assign(second.instance, { failedAtMs: 30_000 });
    second.instance.tasks.server.state = 'TASK_LOST';
    second.recovery.rearm(second.instance);
    second.context.advance(129_999);
    expect(second.instance.agentId).toBe('a1');
    second.context.advance(130_000);
    expect(second.instance.agentId).toBeNull();
  });

  it('pod restart relaunches in place at once; pod replace kills and moves it; unknown pods are named', () => {
    const { state, context, recovery, instance } = setUp();
    fail(recovery, instance);
    expect(recovery.podControl('pod.restart', 'node-0')).toMatchObject({ ok: true, message: 'restarting node-0' });
    expect(instance.delayedUntilMs).toBeNull();
    expect(instance.relaunchPending).toBe(true);
    expect(state.plan('recovery')!.phases[0].steps.map((step) => step.action)).toEqual(['restart']);
    Object.assign(instance.tasks.server, { taskId: 'server-2', state: 'TASK_RUNNING' });
    expect(recovery.podControl('pod.replace', 'node-0')).toMatchObject({ ok: true, message: 'replacing node-0' });
    expect(context.callsOf('task.kill').map((call) => call.taskId)).toEqual(['server-2']);
    expect(instance.agentId).toBeNull();
    expect(recovery.podControl('pod.restart', 'node-7')).toEqual({ ok: false, code: 'unknown_pod', message: 'no pod instance node-7' });
  });

  it('a first launch that never happened (lost before any sign of life) is placed afresh at once, its reservations given back', () => {
    const { state, recovery, instance } = setUp();
    instance.unconfirmed = true;
    fail(recovery, instance, 'server', 'TASK_LOST');
    expect(instance).toMatchObject({ agentId: null, failedAtMs: null, unconfirmed: false });
    expect([...state.garbage].sort()).toEqual(['r1', 'v1']);
    expect(state.plan('recovery')).toBeUndefined();
  });
});
