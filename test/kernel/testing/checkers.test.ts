/**
 * The invariant checkers have teeth: on a healthy master they find nothing,
 * and each one reports the corruption it is meant to catch (made here by
 * tampering with the master's bookkeeping, as a bug would).
 */
import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '../../../kernel/src/master/events.js';
import { Master } from '../../../kernel/src/master/master.js';
import type { Offer } from '../../../kernel/src/offers/offer.js';
import { createPrng } from '../../../kernel/src/prng.js';
import {
  checkClientAllocations,
  checkConservation,
  checkDrfOrder,
  checkDrfShares,
  checkInvariants,
  checkQuotaAccounting,
  checkQuotaLimits,
  checkReservedOffers,
  quotaLimitLaw,
} from '../../../kernel/src/testing/index.js';
import { Harness } from '../allocator/harness.js';

/** Agent a1 (4 cpus, 1 of them reserved for eng), eng limited to 3 cpus, A in eng, B in ops; one cycle run. */
function arrange(): { master: Master; events: KernelEvent[] } {
  const master = new Master({ prng: createPrng(1), decisionCycles: 1 });
  master.step({ type: 'role.update', nowMs: 0, role: 'eng', quota: { limit: { cpus: 3 } } });
  master.step({
    type: 'agent.add',
    nowMs: 0,
    agent: { id: 'a1', resources: { cpus: 4, mem: 4096 }, reservations: [{ role: 'eng', resources: { cpus: 1, mem: 1024 } }] },
  });
  master.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: 'A', roles: ['eng'] } });
  master.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: 'B', roles: ['ops'] } });
  const { events } = master.step({ type: 'tick', nowMs: 0 });
  return { master, events };
}

function offerTo(master: Master, frameworkId: string): Offer {
  const offer = [...master.offers.all()].find((candidate) => candidate.frameworkId === frameworkId);
  if (!offer) throw new Error(`no offer to ${frameworkId}`);
  return offer;
}

describe('invariant checkers', () => {
  it('find nothing on a healthy master', () => {
    const { master, events } = arrange();
    // A gets 2 unreserved cpus (its limit of 3 minus the reserved one) and the reservation; B the last cpu.
    expect(events.filter((event) => event.type === 'offer.made')).toHaveLength(2);
    expect(checkInvariants(master)).toEqual([]);
    expect(checkQuotaAccounting(master)).toEqual([]);
    expect(checkDrfShares(master, events)).toEqual([]);
    expect(quotaLimitLaw()(master)).toEqual([]);
  });

  it('conservation catches free resources that appear from nowhere', () => {
    const { master } = arrange();
    master.agents.get('a1')!.freeScalars[0] += 1;
    expect(checkConservation(master).map((v) => v.invariant)).toContain('conservation');
  });

  it('allocation catches a sorter that disagrees with offers and tasks', () => {
    const { master } = arrange();
    master.frameworks.get('A')!.clients.get('eng')!.node.allocation[0] += 1;
    expect(checkClientAllocations(master)).toHaveLength(1);
  });

  it('quota catches a consumption above the limit, a wrong ledger and a wrong headroom total', () => {
    const { master } = arrange();
    master.allocator.quota.consumed('eng')[0] = 10;
    expect(checkQuotaLimits(master)[0].message).toContain('above its limit 3');
    expect(checkQuotaAccounting(master)).toHaveLength(1);
    master.allocator.quota.consumed('eng')[0] = 3;
    master.allocator.freeUnreserved[1] += 1;
    expect(checkQuotaAccounting(master)[0].message).toContain('headroom');
  });

  it('the quota step law catches an allocation above the limit, not a reservation that arrives', () => {
    const { master } = arrange();
    const law = quotaLimitLaw();
    expect(law(master)).toEqual([]);
    master.step({
      type: 'agent.add',
      nowMs: 0,
      agent: { id: 'a2', resources: { cpus: 2, mem: 512 }, reservations: [{ role: 'eng', resources: { cpus: 2 } }] },
    });
    expect(law(master)).toEqual([]);
    const offer = offerTo(master, 'A');
    master.offers.add({ ...offer, id: 'forged', resources: { ...offer.resources, reserved: [] } });
    expect(law(master)[0].message).toContain('above its limit 3');
  });

  it('reservations catches reserved resources offered outside their role subtree', () => {
    const { master } = arrange();
    const offer = offerTo(master, 'A');
    master.offers.add({ ...offer, id: 'forged', frameworkId: 'B', role: 'ops' });
    expect(checkReservedOffers(master)[0].message).toContain('reserved for eng');
  });

  it('DRF order catches a recorded share that is not the real one, and roles walked out of order', () => {
    const { master } = arrange();
    master.step({ type: 'agent.add', nowMs: 0, agent: { id: 'a2', resources: { cpus: 4, mem: 4096 } } });
    const { events } = master.step({ type: 'tick', nowMs: 0 });
    expect(checkDrfShares(master, events)).toEqual([]);
    const decisions = master.allocator.decisionLog!.cycles.at(-1)!.decisions;
    // On a2, ops (share 0) comes before eng (share > 0): B gets the agent.
    expect(decisions.map((d) => `${d.role}:${d.outcome}`)).toEqual(['ops:offered', 'eng:no_resources']);
    decisions.reverse();
    expect(
      checkDrfShares(master, events)
        .map((v) => v.message)
        .join('\n'),
    ).toMatch(/role eng came before ops/);
    decisions.reverse();
    decisions[0] = { ...decisions[0], share: 0.5 };
    expect(
      checkDrfShares(master, events)
        .map((v) => v.message)
        .join('\n'),
    ).toMatch(/recorded share 0.5 of B/);
    expect(checkDrfOrder(master)).toEqual([]);
  });

  it('the quota step law takes back a task an agent reports on re-registering, above a lowered limit, but not a new offer', () => {
    const h = new Harness({ agentUnreachableTimeoutMs: 10_000 }).agent('a1', { cpus: 4, mem: 4096 });
    h.framework('pa', ['eng'], { capabilities: ['PARTITION_AWARE'] });
    h.launch(h.tick().get('pa')![0], 'y', { cpus: 1 }, 0);
    h.status('a1', 'pa', 'y', 'TASK_RUNNING', 'u1');
    const law = quotaLimitLaw();
    const stepOf = (type: string) => ({ command: { type } });
    expect(law(h.master, stepOf('task.status'))).toEqual([]);
    h.step({ type: 'role.update', role: 'eng', quota: { limit: { cpus: 0, mem: 0 } } });
    h.step({ type: 'agent.unreachable', agentId: 'a1' });
    expect(law(h.master, stepOf('agent.unreachable'))).toEqual([]);
    h.step({
      type: 'agent.reregister',
      agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } },
      tasks: [{ taskId: 'y', frameworkId: 'pa', role: 'eng', state: 'TASK_RUNNING', resources: h.unreserved({ cpus: 1 }) }],
    });
    // The running task comes back whatever the quota (as in Mesos); the allocator offers eng nothing more.
    expect(h.task('pa', 'y').state).toBe('TASK_RUNNING');
    expect(law(h.master, stepOf('agent.reregister'))).toEqual([]);
    expect(h.tick(1000).get('pa')).toBeUndefined();
    expect(law(h.master, stepOf('tick'))).toEqual([]);

    // The same raise in any other step is the allocator's doing, and a violation.
    const blind = quotaLimitLaw();
    h.step({ type: 'agent.unreachable', agentId: 'a1' });
    blind(h.master);
    h.step({
      type: 'agent.reregister',
      agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } },
      tasks: [{ taskId: 'y', frameworkId: 'pa', role: 'eng', state: 'TASK_RUNNING', resources: h.unreserved({ cpus: 1 }) }],
    });
    expect(blind(h.master)[0].message).toContain('allocation raised unreserved cpus from 0 to 1');
  });
});
