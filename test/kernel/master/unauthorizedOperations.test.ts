/**
 * An ACCEPT whose host refused some operations at authorization (Mesos's
 * launch_tasks, run_tasks and reservation ACLs): the refused operations stay
 * in their place as UNAUTHORIZED. Each task of a refused LAUNCH ends
 * TASK_ERROR with REASON_TASK_UNAUTHORIZED (REASON_TASK_GROUP_UNAUTHORIZED for
 * a group), a refused reservation is dropped, the other operations go ahead,
 * and what is left of the offer goes back to the agent.
 */
import { describe, expect, it } from 'vitest';
import type { Offer } from '../../../kernel/src/offers/offer.js';
import type { TaskSpec } from '../../../kernel/src/tasks/task.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { Harness } from '../allocator/harness.js';

function offered(): { h: Harness; offer: Offer } {
  const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
  h.framework('f', ['r']);
  return { h, offer: h.tick().get('f')![0] };
}

const spec = (h: Harness, taskId: string): TaskSpec => ({
  taskId,
  resources: { scalars: h.master.layout.vector({ cpus: 1, mem: 256 }), ports: [], reserved: [] },
});

describe('operations the host refused', () => {
  it('fail the tasks of a refused LAUNCH with REASON_TASK_UNAUTHORIZED and launch the rest', () => {
    const { h, offer } = offered();
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'f',
      offerIds: [offer.id],
      operations: [
        {
          type: 'UNAUTHORIZED',
          operation: 'LAUNCH',
          tasks: [spec(h, 'refused')],
          message: 'principal "p" may not launch tasks in role "r"',
        },
        { type: 'LAUNCH', tasks: [spec(h, 'allowed')] },
      ],
    });

    expect(result.ok).toBe(true);
    expect(result.effects).toContainEqual(
      expect.objectContaining({
        type: 'framework.update',
        status: expect.objectContaining({
          taskId: 'refused',
          state: 'TASK_ERROR',
          reason: 'REASON_TASK_UNAUTHORIZED',
          message: 'principal "p" may not launch tasks in role "r"',
        }),
      }),
    );
    expect(h.task('f', 'allowed').state).toBe('TASK_STAGING');
    expect(h.master.layout.quantities(h.master.agents.get('a1')!.freeScalars)).toEqual({ cpus: 3, mem: 3840 });
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('fail every task of a refused LAUNCH_GROUP with REASON_TASK_GROUP_UNAUTHORIZED', () => {
    const { h, offer } = offered();
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'f',
      offerIds: [offer.id],
      operations: [{ type: 'UNAUTHORIZED', operation: 'LAUNCH_GROUP', tasks: [spec(h, 'g1'), spec(h, 'g2')], message: 'no' }],
    });

    const errors = result.effects.flatMap((effect) =>
      effect.type === 'framework.update' ? [[effect.status.taskId, effect.status.state, effect.status.reason]] : [],
    );
    expect(errors).toEqual([
      ['g1', 'TASK_ERROR', 'REASON_TASK_GROUP_UNAUTHORIZED'],
      ['g2', 'TASK_ERROR', 'REASON_TASK_GROUP_UNAUTHORIZED'],
    ]);
    expect(h.master.layout.quantities(h.master.agents.get('a1')!.freeScalars)).toEqual({ cpus: 4, mem: 4096 });
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('drop a refused reservation without changing the agent, and use up the offer', () => {
    const { h, offer } = offered();
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'f',
      offerIds: [offer.id],
      operations: [{ type: 'UNAUTHORIZED', operation: 'RESERVE', tasks: [], message: 'no reserve_resources rule' }],
    });

    expect(result.ok).toBe(true);
    expect(h.master.offers.get(offer.id)).toBeUndefined();
    expect(h.master.agents.get('a1')!.total.reserved).toEqual([]);
    expect(h.master.layout.quantities(h.master.agents.get('a1')!.freeScalars)).toEqual({ cpus: 4, mem: 4096 });
  });
});
