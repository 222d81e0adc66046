/**
 * Custom executors' own resources (issue 13): taken from the offer with the
 * first task of an executor on an agent, not again for its later tasks,
 * refused when the offer cannot cover task + executor, and given back when
 * the agent reports the executor exited (the framework hears it), when the
 * agent is removed, or when the framework is torn down.
 */
import { describe, expect, it } from 'vitest';
import type { Offer, StepResult, TaskSpec } from '../../../kernel/src/index.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { Harness } from '../allocator/harness.js';

const EXECUTOR = { cpus: 0.5, mem: 128 };

function cluster(): Harness {
  const h = new Harness().agent('a1', { cpus: 4, mem: 1024 });
  h.framework('f', ['r']);
  return h;
}

function spec(h: Harness, taskId: string, quantities: Record<string, number>, executorId = 'ex'): TaskSpec {
  return { taskId, executorId, resources: h.unreserved(quantities), executorResources: h.unreserved(EXECUTOR) };
}

function accept(h: Harness, offer: Offer, tasks: TaskSpec[], group = false): StepResult {
  return h.step({
    type: 'offer.accept',
    frameworkId: 'f',
    offerIds: [offer.id],
    operations: [{ type: group ? 'LAUNCH_GROUP' : 'LAUNCH', tasks }],
    refuseSeconds: 0,
  });
}

const free = (h: Harness) => h.master.layout.quantities(h.master.agents.get('a1')!.freeScalars);
const offerOf = (h: Harness) => h.tick(1000).get('f')![0];

describe('executor resources in offers', () => {
  it('takes the executor once, with its first task, and gives it back when the executor exits', () => {
    const h = cluster();
    const launched = accept(h, offerOf(h), [spec(h, 't1', { cpus: 1, mem: 256 }), spec(h, 't2', { cpus: 1, mem: 256 })]);
    expect(launched.ok).toBe(true);
    expect(launched.events.filter((event) => event.type === 'executor.started')).toHaveLength(1);
    // Two tasks and one executor: 4 - 2.5 cpus, 1024 - 640 mem.
    const later = offerOf(h);
    expect(h.quantities(later)).toEqual({ cpus: 1.5, mem: 384 });
    expect(checkInvariants(h.master)).toEqual([]);

    // A later task for the running executor takes only its own.
    accept(h, later, [spec(h, 't3', { cpus: 0.5, mem: 128 })]);
    const rest = offerOf(h);
    expect(h.quantities(rest)).toEqual({ cpus: 1, mem: 256 });
    h.decline(rest, 0);

    for (const id of ['t1', 't2', 't3']) h.status('a1', 'f', id, 'TASK_FINISHED', `u-${id}`);
    expect(free(h)).toEqual({ cpus: 3.5, mem: 896 }); // tasks back, the executor still holds its share
    expect(h.master.executors.size).toBe(1);
    // An idle executor can still be shut down: it runs until the agent reports it exited.
    expect(h.step({ type: 'executor.shutdown', agentId: 'a1', frameworkId: 'f', executorId: 'ex' }).ok).toBe(true);

    const exited = h.step({ type: 'executor.exited', agentId: 'a1', frameworkId: 'f', executorId: 'ex', status: 0 });
    expect(exited.ok).toBe(true);
    expect(exited.effects).toEqual([{ type: 'framework.executorExited', frameworkId: 'f', agentId: 'a1', executorId: 'ex', status: 0 }]);
    expect(free(h)).toEqual({ cpus: 4, mem: 1024 });
    expect(h.master.executors.size).toBe(0);
    expect(checkInvariants(h.master)).toEqual([]);
    expect(h.step({ type: 'executor.exited', agentId: 'a1', frameworkId: 'f', executorId: 'ex' }).rejection?.code).toBe('unknown_executor');
  });

  it('refuses a task whose offer cannot cover task + executor, and takes nothing', () => {
    const h = cluster();
    const offer = offerOf(h);
    const result = accept(h, offer, [spec(h, 'big', { cpus: 3.75, mem: 256 })]);
    expect(result.effects).toMatchObject([{ type: 'framework.update', status: { taskId: 'big', state: 'TASK_ERROR' } }]);
    expect((result.effects[0] as any).status.message).toMatch(/and its executor ex need more resources/);
    expect(h.master.executors.size).toBe(0);
    expect(free(h)).toEqual({ cpus: 4, mem: 1024 });
    // The same task fits without an executor of its own to start.
    expect(h.quantities(offerOf(h))).toEqual({ cpus: 4, mem: 1024 });
  });

  it('charges a LAUNCH_GROUP executor once for the whole group', () => {
    const h = cluster();
    accept(h, offerOf(h), [spec(h, 'g1', { cpus: 1, mem: 128 }, 'gx'), spec(h, 'g2', { cpus: 1, mem: 128 }, 'gx')], true);
    expect(h.quantities(offerOf(h))).toEqual({ cpus: 1.5, mem: 640 });
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('refuses a task naming a running executor with other resources', () => {
    const h = cluster();
    accept(h, offerOf(h), [spec(h, 't1', { cpus: 1, mem: 128 })]);
    const other = { ...spec(h, 't2', { cpus: 1, mem: 128 }), executorResources: h.unreserved({ cpus: 1, mem: 128 }) };
    const result = accept(h, offerOf(h), [other]);
    expect(result.effects).toMatchObject([{ type: 'framework.update', status: { taskId: 't2', state: 'TASK_ERROR' } }]);
  });

  it('releases executors when their agent is removed or their framework torn down', () => {
    const h = cluster();
    accept(h, offerOf(h), [spec(h, 't1', { cpus: 1, mem: 128 })]);
    h.step({ type: 'framework.teardown', frameworkId: 'f' });
    expect(h.master.executors.size).toBe(0);
    expect(free(h)).toEqual({ cpus: 4, mem: 1024 });
    expect(checkInvariants(h.master)).toEqual([]);

    h.framework('f', ['r']);
    accept(h, offerOf(h), [spec(h, 't9', { cpus: 1, mem: 128 })]);
    h.step({ type: 'agent.remove', agentId: 'a1' });
    expect(h.master.executors.size).toBe(0);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('adopts the executors an agent reports when it registers again, and ends the ones it no longer has (FAILURE)', () => {
    const h = cluster();
    const report = { frameworkId: 'f', executorId: 'ex', role: 'r', resources: h.unreserved(EXECUTOR) };
    h.step({ type: 'agent.add', agent: { id: 'a2', resources: { cpus: 2, mem: 512 } }, executors: [report] });
    expect(h.master.executors.get('f', 'a2', 'ex')).toBeDefined();
    expect(h.master.layout.quantities(h.master.agents.get('a2')!.freeScalars)).toEqual({ cpus: 1.5, mem: 384 });
    expect(checkInvariants(h.master)).toEqual([]);
    const agent = { id: 'a2', resources: { cpus: 2, mem: 512 } };
    const again = h.step({ type: 'agent.reregister', agent, tasks: [], executors: [] });
    expect(h.master.executors.size).toBe(0);
    expect(h.master.layout.quantities(h.master.agents.get('a2')!.freeScalars)).toEqual({ cpus: 2, mem: 512 });
    // As the ExitedExecutorMessage a Mesos agent sends for an executor it did not recover.
    expect(again.effects).toContainEqual({ type: 'framework.executorExited', frameworkId: 'f', agentId: 'a2', executorId: 'ex' });
    expect(again.events).toContainEqual(
      expect.objectContaining({ type: 'executor.exited', frameworkId: 'f', agentId: 'a2', executorId: 'ex' }),
    );
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('ends a DEFAULT executor with its last task, and keeps it when the agent does not list it', () => {
    const h = cluster();
    const member = (taskId: string) => ({ ...spec(h, taskId, { cpus: 1, mem: 128 }, 'dx'), defaultExecutor: true });
    accept(h, offerOf(h), [member('d1'), member('d2')], true);
    expect(h.master.executors.get('f', 'a1', 'dx')?.endsWithTasks).toBe(true);
    // Agents report only the executors they run as processes: a DEFAULT one stays while its tasks run.
    const reported = ['d1', 'd2'].map((taskId) => ({
      taskId,
      frameworkId: 'f',
      role: 'r',
      resources: h.unreserved({ cpus: 1, mem: 128 }),
      state: 'TASK_RUNNING' as const,
      executorId: 'dx',
    }));
    h.step({ type: 'agent.reregister', agent: { id: 'a1', resources: { cpus: 4, mem: 1024 } }, tasks: reported, executors: [] });
    expect(h.master.executors.get('f', 'a1', 'dx')).toBeDefined();

    const first = h.status('a1', 'f', 'd1', 'TASK_FINISHED', 'u1');
    expect(first.effects.some((effect) => effect.type === 'framework.executorExited')).toBe(false);
    const last = h.status('a1', 'f', 'd2', 'TASK_FINISHED', 'u2');
    expect(last.effects).toContainEqual({ type: 'framework.executorExited', frameworkId: 'f', agentId: 'a1', executorId: 'dx', status: 0 });
    expect(free(h)).toEqual({ cpus: 4, mem: 1024 });
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('adopts a reported DEFAULT executor only with a live task, and ends it with that task', () => {
    const h = cluster();
    const executor = { frameworkId: 'f', executorId: 'dx', role: 'r', resources: h.unreserved(EXECUTOR), endsWithTasks: true };
    const task = {
      taskId: 'd1',
      frameworkId: 'f',
      role: 'r',
      resources: h.unreserved({ cpus: 1, mem: 128 }),
      state: 'TASK_RUNNING' as const,
      executorId: 'dx',
    };
    h.step({ type: 'agent.add', agent: { id: 'a2', resources: { cpus: 2, mem: 512 } }, tasks: [task], executors: [executor] });
    expect(h.master.executors.get('f', 'a2', 'dx')?.endsWithTasks).toBe(true);
    h.step({ type: 'agent.add', agent: { id: 'a3', resources: { cpus: 2, mem: 512 } }, tasks: [], executors: [executor] });
    expect(h.master.executors.get('f', 'a3', 'dx')).toBeUndefined();
    expect(checkInvariants(h.master)).toEqual([]);
    const ended = h.status('a2', 'f', 'd1', 'TASK_FINISHED', 'u1');
    expect(ended.effects).toContainEqual({
      type: 'framework.executorExited',
      frameworkId: 'f',
      agentId: 'a2',
      executorId: 'dx',
      status: 0,
    });
    expect(h.master.layout.quantities(h.master.agents.get('a2')!.freeScalars)).toEqual({ cpus: 2, mem: 512 });
  });
});
