/**
 * Kernel issues the property suites found. While one is open its test is
 * pinned as `it.fails`; once fixed it runs as a plain regression test.
 */
import { describe, expect, it } from 'vitest';
import { Master } from '../../../kernel/src/master/master.js';
import { createPrng } from '../../../kernel/src/prng.js';
import { checkInvariants } from '../../../kernel/src/testing/index.js';

describe('kernel issues found by the property suites', () => {
  // Found by the conservation law with `workloadArbitrary({ unreachable: true })`, seed 1 (replay with
  // ALLOT_SEED=1 on a suite using that option). An agent-reported TASK_UNREACHABLE releases the task's
  // resources; the next cycle offers them to another framework; when the agent then reports the task
  // live again, chargeForTransition (master/taskHandlers.ts) takes them back from the agent, which no
  // longer has them free, and Agent.take throws. Mesos never lets an agent report TASK_UNREACHABLE (the
  // master sets it when the whole agent is unreachable and removes the agent from the allocator).
  // Fixed: agent-reported master-only states are rejected with code master_only_state.
  it('a task reported back from TASK_UNREACHABLE after its resources were re-offered: no throw, invariants hold', () => {
    const master = new Master({ prng: createPrng(1) });
    master.step({ type: 'agent.add', nowMs: 0, agent: { id: 'a1', resources: { cpus: 2, mem: 2048 } } });
    // Partition-aware: for the others the master shows TASK_UNREACHABLE as TASK_LOST, which is terminal.
    master.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: 'A', roles: ['eng'], capabilities: ['PARTITION_AWARE'] } });
    master.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: 'B', roles: ['ops'] } });
    master.step({ type: 'tick', nowMs: 0 });
    const offer = [...master.offers.all()].find((candidate) => candidate.frameworkId === 'A')!;
    const task = { taskId: 't1', resources: { scalars: master.layout.vector({ cpus: 1, mem: 1024 }), ports: [], reserved: [] } };
    master.step({
      type: 'offer.accept',
      nowMs: 0,
      frameworkId: 'A',
      offerIds: [offer.id],
      operations: [{ type: 'LAUNCH', tasks: [task] }],
      refuseSeconds: 0,
    });
    master.step({ type: 'task.status', nowMs: 0, agentId: 'a1', frameworkId: 'A', taskId: 't1', state: 'TASK_RUNNING' });
    master.step({ type: 'task.status', nowMs: 0, agentId: 'a1', frameworkId: 'A', taskId: 't1', state: 'TASK_UNREACHABLE' });
    master.step({ type: 'tick', nowMs: 1000 });
    expect(() =>
      master.step({ type: 'task.status', nowMs: 1000, agentId: 'a1', frameworkId: 'A', taskId: 't1', state: 'TASK_RUNNING' }),
    ).not.toThrow();
    expect(checkInvariants(master)).toEqual([]);
  });
});
