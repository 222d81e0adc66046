/** The reconciliation case table of docs/semantics.md ("Tasks and status updates"). */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../kernel/src/index.js';
import { restoreMaster, snapshotMaster } from '../../../kernel/src/master/snapshot.js';
import { createPrng } from '../../../kernel/src/prng.js';
import { Harness } from '../allocator/harness.js';

const replies = (effects: Effect[]): string[] =>
  effects.flatMap((e) =>
    e.type === 'framework.update' ? [`${e.status.taskId}:${e.status.state}:${e.status.reason ?? ''}:${e.status.uuid ?? ''}`] : [],
  );

function cluster(partitionAware: boolean): Harness {
  const h = new Harness({ agentUnreachableTimeoutMs: 1000 });
  h.agent('a1', { cpus: 4, mem: 4096 }).agent('a2', { cpus: 4, mem: 4096 }).agent('a3', { cpus: 4, mem: 4096 });
  h.framework('f', ['r'], partitionAware ? { capabilities: ['PARTITION_AWARE'] } : {});
  const offers = h.tick().get('f')!;
  const onA1 = offers.find((o) => o.agentId === 'a1')!;
  h.launch(onA1, 'live', { cpus: 1 });
  h.status('a1', 'f', 'live', 'TASK_RUNNING', 'u1');
  h.step({ type: 'agent.disconnect', agentId: 'a2' });
  h.nowMs += 1000;
  h.tick(); // a2 turns unreachable
  h.step({ type: 'agent.markGone', agentId: 'a3' });
  return h;
}

describe('reconciliation', () => {
  it('implicit: the latest state of every live task, with no uuid', () => {
    const h = cluster(true);
    const result = h.step({ type: 'framework.reconcile', frameworkId: 'f', tasks: [] });
    expect(replies(result.effects)).toEqual(['live:TASK_RUNNING:REASON_RECONCILIATION:']);
  });

  it('explicit, partition-aware: known, registered, unreachable, gone and unknown agents', () => {
    const h = cluster(true);
    const result = h.step({
      type: 'framework.reconcile',
      frameworkId: 'f',
      tasks: [
        { taskId: 'live', agentId: 'a1' },
        { taskId: 'x1', agentId: 'a1' },
        { taskId: 'x2', agentId: 'a2' },
        { taskId: 'x3', agentId: 'a3' },
        { taskId: 'x4', agentId: 'nowhere' },
        { taskId: 'x5' },
      ],
    });
    expect(replies(result.effects)).toEqual([
      'live:TASK_RUNNING:REASON_RECONCILIATION:',
      'x1:TASK_GONE:REASON_RECONCILIATION:',
      'x2:TASK_UNREACHABLE:REASON_RECONCILIATION:',
      'x3:TASK_GONE_BY_OPERATOR:REASON_RECONCILIATION:',
      'x4:TASK_UNKNOWN:REASON_RECONCILIATION:',
      'x5:TASK_UNKNOWN:REASON_RECONCILIATION:',
    ]);
  });

  it('explicit, not partition-aware: the finer states read as LOST', () => {
    const h = cluster(false);
    const result = h.step({
      type: 'framework.reconcile',
      frameworkId: 'f',
      tasks: [
        { taskId: 'x1', agentId: 'a1' },
        { taskId: 'x2', agentId: 'a2' },
        { taskId: 'x4', agentId: 'nowhere' },
      ],
    });
    expect(replies(result.effects)).toEqual([
      'x1:TASK_LOST:REASON_RECONCILIATION:',
      'x2:TASK_LOST:REASON_RECONCILIATION:',
      'x4:TASK_LOST:REASON_RECONCILIATION:',
    ]);
  });

  it('after a failover: no answer for tasks on agents still re-registering', () => {
    const h = cluster(true);
    const restored = restoreMaster(snapshotMaster(h.master), { prng: createPrng(2) }, h.nowMs);
    const result = restored.step({
      type: 'framework.reconcile',
      nowMs: h.nowMs,
      frameworkId: 'f',
      tasks: [{ taskId: 'live', agentId: 'a1' }, { taskId: 'x5' }, { taskId: 'x2', agentId: 'a2' }],
    });
    expect(replies(result.effects)).toEqual(['x2:TASK_UNREACHABLE:REASON_RECONCILIATION:']);
  });
});
