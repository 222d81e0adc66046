/**
 * Kernel bugs the property suites found and that are fixed, pinned by their
 * shrunk counterexamples so they stay fixed (the seeds reproduce them with
 * the fix reverted):
 * - a role added under a role that already had a client (framework in "eng",
 *   then one in "eng/web") left the allocator holding a stale sorter node, and
 *   the next recovery threw "BlockList.remove: item not found" (any law, e.g.
 *   ALLOT_SEED=1 on drfOrder.test.ts);
 * - a suppressed client's share was not recomputed when the cluster total
 *   changed, so after REVIVE it was sorted by a stale share (DRF order,
 *   ALLOT_RUNS=5000 ALLOT_SEED=1 on drfOrder.test.ts);
 * - a status update from an agent the master no longer has registered
 *   (unreachable) made a task live again without charging its resources
 *   (allocation, ALLOT_SEED=1 on accounting.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { Master } from '../../../kernel/src/master/master.js';
import type { Command } from '../../../kernel/src/master/commands.js';
import { createPrng } from '../../../kernel/src/prng.js';
import { checkInvariants } from '../../../kernel/src/testing/index.js';

type Step = Command extends infer C ? (C extends { nowMs: number } ? Omit<C, 'nowMs'> : never) : never;

function arrange(): { master: Master; step: (command: Step, nowMs?: number) => ReturnType<Master['step']> } {
  const master = new Master({ prng: createPrng(1), decisionCycles: 1 });
  const step = (command: Step, nowMs = master.nowMs) => master.step({ ...command, nowMs } as Command);
  return { master, step };
}

describe('fixed kernel bugs', () => {
  it('a client in a child role of a role that has clients: recovery works and accounting holds', () => {
    const { master, step } = arrange();
    step({ type: 'agent.add', agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } } });
    step({ type: 'framework.subscribe', framework: { id: 'A', roles: ['eng'] } });
    const offer = step({ type: 'tick' }).events.flatMap((event) => (event.type === 'offer.made' ? [event.offer] : []))[0];
    step({ type: 'framework.subscribe', framework: { id: 'B', roles: ['eng/web'] } });
    expect(step({ type: 'offer.decline', frameworkId: 'A', offerIds: [offer.id], refuseSeconds: 0 }).ok).toBe(true);
    step({ type: 'tick' }, 1000);
    expect(checkInvariants(master)).toEqual([]);
  });

  it('a suppressed client revived after the cluster grew is sorted by its current share', () => {
    const { master, step } = arrange();
    step({ type: 'agent.add', agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } } });
    step({ type: 'framework.subscribe', framework: { id: 'A', roles: ['r'] } });
    step({ type: 'tick' });
    step({ type: 'framework.suppress', frameworkId: 'A' });
    step({ type: 'agent.add', agent: { id: 'a2', resources: { cpus: 4, mem: 4096 } } });
    step({ type: 'framework.revive', frameworkId: 'A' });
    const client = master.frameworks.get('A')!.clients.get('r')!;
    // A holds the offer of a1: half of the cluster now.
    expect(client.node.share).toBeCloseTo(0.5, 9);
    expect(client.role.node.share).toBeCloseTo(0.5, 9);
  });

  it('a status update from an agent that is not registered is rejected, and accounting holds', () => {
    const { master, step } = arrange();
    step({ type: 'agent.add', agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } } });
    step({ type: 'framework.subscribe', framework: { id: 'A', roles: ['r'], capabilities: ['PARTITION_AWARE'] } });
    const offer = step({ type: 'tick' }).events.flatMap((event) => (event.type === 'offer.made' ? [event.offer] : []))[0];
    const task = { taskId: 't1', resources: { scalars: master.layout.vector({ cpus: 1 }), ports: [], reserved: [] } };
    step({ type: 'offer.accept', frameworkId: 'A', offerIds: [offer.id], operations: [{ type: 'LAUNCH', tasks: [task] }] });
    step({ type: 'agent.unreachable', agentId: 'a1' });
    const update = step({ type: 'task.status', agentId: 'a1', frameworkId: 'A', taskId: 't1', state: 'TASK_RUNNING' });
    expect(update.rejection?.code).toBe('unknown_agent');
    expect(checkInvariants(master)).toEqual([]);
  });
});
