/**
 * docs/semantics.md "Tasks and status updates" on a real Master: status updates, uuids and
 * acknowledgements, kills, partition-aware states, teardown.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { Harness } from '../allocator/harness.js';

function running(options: { capabilities?: string[] } = {}): Harness {
  const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
  h.framework('f', ['r'], options);
  h.launch(h.tick().get('f')![0], 't1', { cpus: 1, mem: 512 });
  h.status('a1', 'f', 't1', 'TASK_RUNNING', 'u1');
  return h;
}

const free = (h: Harness): Record<string, number> => h.master.layout.quantities(h.master.agents.get('a1')!.freeScalars);

describe('status updates', () => {
  it('recovers resources once, on the first move into a terminal state', () => {
    const h = running();
    expect(free(h)).toEqual({ cpus: 3, mem: 3584 });
    expect(h.status('a1', 'f', 't1', 'TASK_FINISHED', 'u2').ok).toBe(true);
    expect(free(h)).toEqual({ cpus: 4, mem: 4096 });
    const again = h.status('a1', 'f', 't1', 'TASK_FAILED');
    expect(again.rejection?.code).toBe('illegal_transition'); // terminal states are sticky
    expect(free(h)).toEqual({ cpus: 4, mem: 4096 });
    expect(h.task('f', 't1').history.map((entry) => entry.state)).toEqual(['TASK_STAGING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('forwards a resent update again without changing state', () => {
    const h = running();
    const resent = h.status('a1', 'f', 't1', 'TASK_RUNNING', 'u1');
    expect(resent.ok).toBe(true);
    expect(resent.events).toEqual([]);
    expect(resent.effects).toMatchObject([{ type: 'framework.update', status: { state: 'TASK_RUNNING', uuid: 'u1' } }]);
  });

  it('tracks acknowledgements and forwards them to the agent', () => {
    const h = running();
    expect(h.task('f', 't1').unacknowledged).toEqual(['u1']);
    const ack = h.step({ type: 'task.acknowledge', frameworkId: 'f', agentId: 'a1', taskId: 't1', uuid: 'u1' });
    expect(ack.effects).toEqual([{ type: 'agent.acknowledge', agentId: 'a1', frameworkId: 'f', taskId: 't1', uuid: 'u1' }]);
    expect(h.task('f', 't1').unacknowledged).toEqual([]);
  });

  it('forwards an agent update for a task the master already ended, so it gets acknowledged', () => {
    const h = running();
    h.status('a1', 'f', 't1', 'TASK_LOST');
    const late = h.status('a1', 'f', 't1', 'TASK_FINISHED', 'u9');
    expect(late.ok).toBe(true);
    expect(late.effects).toMatchObject([{ type: 'framework.update', status: { state: 'TASK_FINISHED', uuid: 'u9' } }]);
    expect(h.task('f', 't1').state).toBe('TASK_LOST');
  });

  it('accepts TASK_KILLING only from frameworks with TASK_KILLING_STATE', () => {
    expect(running().status('a1', 'f', 't1', 'TASK_KILLING', 'u2').rejection?.code).toBe('unsupported_state');
    expect(running({ capabilities: ['TASK_KILLING_STATE'] }).status('a1', 'f', 't1', 'TASK_KILLING', 'u2').ok).toBe(true);
  });
});

describe('kill, shutdown and teardown', () => {
  it('asks the agent to kill with the grace period and the killing-state flag', () => {
    const h = running({ capabilities: ['TASK_KILLING_STATE'] });
    const kill = h.step({ type: 'task.kill', frameworkId: 'f', taskId: 't1', gracePeriodMs: 7000 });
    expect(kill.effects).toEqual([
      { type: 'agent.kill', agentId: 'a1', frameworkId: 'f', taskId: 't1', gracePeriodMs: 7000, killingState: true },
    ]);
  });

  it('answers a kill of an unknown task with its reconciliation', () => {
    const h = running();
    const kill = h.step({ type: 'task.kill', frameworkId: 'f', taskId: 'nope', agentId: 'a1' });
    expect(kill.effects).toMatchObject([
      { type: 'framework.update', status: { taskId: 'nope', state: 'TASK_LOST', reason: 'REASON_RECONCILIATION' } },
    ]);
  });

  it('shuts down every task of an executor', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    const offer = h.tick().get('f')![0];
    const task = (id: string) => ({ taskId: id, executorId: 'exec', resources: h.unreserved({ cpus: 1 }) });
    h.step({
      type: 'offer.accept',
      frameworkId: 'f',
      offerIds: [offer.id],
      operations: [{ type: 'LAUNCH_GROUP', tasks: [task('x'), task('y')] }],
    });
    const shutdown = h.step({ type: 'executor.shutdown', frameworkId: 'f', agentId: 'a1', executorId: 'exec' });
    expect(shutdown.effects.map((e) => (e.type === 'agent.kill' ? e.taskId : e.type))).toEqual(['x', 'y']);
  });

  it('a framework that subscribes again (failover) loses the offers of its old subscription, and gets them offered anew', () => {
    const h = running();
    h.agent('a2', { cpus: 2, mem: 1024 });
    expect(h.tick().get('f')?.length).toBe(1);
    const again = h.step({ type: 'framework.subscribe', framework: { id: 'f', roles: ['r'] } });
    expect(again.effects.map((e) => e.type)).toEqual(['framework.rescind']);
    expect(h.master.offers.size).toBe(0);
    expect(checkInvariants(h.master)).toEqual([]);
    expect(h.tick().get('f')?.length).toBe(1);
  });

  it('teardown kills tasks, rescinds offers and leaves nothing allocated', () => {
    const h = running();
    h.agent('a2', { cpus: 2, mem: 1024 });
    expect(h.tick().get('f')?.length).toBe(1);
    const teardown = h.step({ type: 'framework.teardown', frameworkId: 'f' });
    expect(teardown.effects.map((e) => e.type)).toEqual(['framework.rescind', 'agent.kill', 'framework.update']);
    expect(h.master.frameworks.has('f')).toBe(false);
    expect(free(h)).toEqual({ cpus: 4, mem: 4096 });
    expect(checkInvariants(h.master)).toEqual([]);
  });
});

describe('LAUNCH_GROUP', () => {
  it('starts all tasks of a group or none', () => {
    const h = new Harness().agent('a1', { cpus: 2, mem: 1024 });
    h.framework('f', ['r']);
    const offer = h.tick().get('f')![0];
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'f',
      offerIds: [offer.id],
      operations: [
        {
          type: 'LAUNCH_GROUP',
          tasks: [
            { taskId: 'a', resources: h.unreserved({ cpus: 1 }) },
            { taskId: 'b', resources: h.unreserved({ cpus: 5 }) },
          ],
        },
      ],
    });
    const states = result.effects
      .filter((e) => e.type === 'framework.update')
      .map((e) => (e.type === 'framework.update' ? `${e.status.taskId}:${e.status.state}` : ''));
    expect(states).toEqual(['a:TASK_ERROR', 'b:TASK_ERROR']);
    expect(h.master.frameworks.get('f')!.tasks.size).toBe(0);
  });
});
