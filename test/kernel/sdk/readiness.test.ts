/** Readiness: ready at once, or after the readiness delay if the same task still runs. */
import { describe, expect, it } from 'vitest';
import { deployPlan } from '../../../kernel/src/sdk/planFactory.js';
import { Readiness } from '../../../kernel/src/sdk/readiness.js';
import { RecoveryManager } from '../../../kernel/src/sdk/recoveryManager.js';
import { nodeSpec, stateFor } from './sdkHarness.js';

function setUp(readinessDelayMs: number | null) {
  const spec = nodeSpec(1, { tasks: [{ name: 'server', cpus: 1, memMb: 256, readinessDelayMs }] });
  const { state, context } = stateFor(spec);
  state.plans.push(deployPlan(state, spec, 'deploy'));
  let refreshes = 0;
  const recovery = new RecoveryManager(state, () => refreshes++);
  const readiness = new Readiness(state, recovery, () => refreshes++);
  const instance = state.instances.get('node-0')!;
  Object.assign(instance.tasks.server, { taskId: 't1', state: 'TASK_RUNNING' });
  instance.failedAtMs = 0;
  return { state, context, readiness, instance, refreshes: () => refreshes };
}

describe('Readiness', () => {
  it('without a readiness check a running task is ready at once and its pod has recovered', () => {
    const { readiness, instance, state } = setUp(null);
    readiness.taskRunning(instance, 'server');
    expect(instance.tasks.server.ready).toBe(true);
    expect(instance.failedAtMs).toBeNull();
    expect(state.log.at(-1)!.what).toBe('node-0 is ready');
  });

  it('with a readiness delay the task is ready that long after RUNNING', () => {
    const { readiness, instance, context, refreshes } = setUp(5_000);
    readiness.taskRunning(instance, 'server');
    context.advance(4_999);
    expect(instance.tasks.server.ready).toBe(false);
    context.advance(5_000);
    expect(instance.tasks.server.ready).toBe(true);
    expect(refreshes()).toBe(1);
  });

  it('a task that ended or was replaced before its delay is not made ready', () => {
    const { readiness, instance, context } = setUp(5_000);
    readiness.taskRunning(instance, 'server');
    Object.assign(instance.tasks.server, { taskId: 't2' });
    context.advance(10_000);
    expect(instance.tasks.server.ready).toBe(false);
  });
});

describe('Readiness with a readiness check the agent runs', () => {
  function withCheck() {
    const spec = nodeSpec(1, { tasks: [{ name: 'server', cpus: 1, memMb: 256, readinessCheck: { cmd: 'test -f ready' } }] });
    const { state } = stateFor(spec);
    state.plans.push(deployPlan(state, spec, 'deploy'));
    const recovery = new RecoveryManager(state, () => {});
    const readiness = new Readiness(state, recovery, () => {});
    const instance = state.instances.get('node-0')!;
    Object.assign(instance.tasks.server, { taskId: 't1', state: 'TASK_RUNNING' });
    return { readiness, instance };
  }

  it('is not ready while the check has no result or fails, and ready once it exits 0', () => {
    const { readiness, instance } = withCheck();
    readiness.taskRunning(instance, 'server');
    readiness.taskRunning(instance, 'server', { exitCode: null });
    readiness.taskRunning(instance, 'server', { exitCode: 1 });
    expect(instance.tasks.server.ready).toBe(false);
    readiness.taskRunning(instance, 'server', { exitCode: 0 });
    expect(instance.tasks.server.ready).toBe(true);
  });
});
