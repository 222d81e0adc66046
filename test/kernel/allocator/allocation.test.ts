/**
 * docs/semantics.md "Allocation", rule by rule, on a real Master. Expected shares are written
 * as comments, as in Mesos's allocator tests.
 */
import { describe, expect, it } from 'vitest';
import { explainAllocation, filterDurationMs } from '../../../kernel/src/index.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { Harness } from './harness.js';

describe('offers: the first framework in DRF order gets the whole agent', () => {
  it('offers each agent whole, to the lowest-share framework, re-sorting after each agent', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 }).agent('a2', { cpus: 4, mem: 4096 });
    h.framework('f1', ['r']).framework('f2', ['r']);
    const offers = h.tick();
    // Total cpus 8, mem 8192. Agent one goes whole to f1 (0 = 0, name), making f1 0.5; agent two to f2.
    expect(offers.get('f1')!.map((o) => h.quantities(o))).toEqual([{ cpus: 4, mem: 4096 }]);
    expect(offers.get('f2')!.map((o) => h.quantities(o))).toEqual([{ cpus: 4, mem: 4096 }]);
    expect(h.share('f1', 'r')).toBe(0.5); // offered counts as allocated
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('serves roles before frameworks: the lowest-share role first', () => {
    const h = new Harness().agent('a1', { cpus: 10, mem: 1000 });
    h.framework('big', ['r1']).framework('small', ['r2']);
    const first = h.tick();
    h.launch(first.get('big')![0], 't1', { cpus: 6, mem: 100 }); // r1 = 0.6
    h.nowMs += 1000;
    const second = h.tick();
    // r2 (0) < r1 (0.6): the remaining cpus 4, mem 900 go to r2, although big's filter is only 5 s.
    expect(second.get('small')!.map((o) => h.quantities(o))).toEqual([{ cpus: 4, mem: 900 }]);
  });

  it('weights divide role shares', () => {
    const h = new Harness().agent('a1', { cpus: 10, mem: 1000 }).agent('a2', { cpus: 10, mem: 1000 }).agent('a3', { cpus: 10, mem: 1000 });
    h.step({ type: 'role.update', role: 'gold', weight: 2 });
    h.framework('g', ['gold']).framework('s', ['silver']);
    const offers = h.tick();
    // gold gets agent 1 (tie at 0, name): 1/3 / 2 = 0.1667; silver gets agent 2: 0.3333;
    // agent 3 goes to gold again (0.1667 < 0.3333): gold 2/3 / 2 = 0.3333.
    expect(offers.get('g')!.length).toBe(2);
    expect(offers.get('s')!.length).toBe(1);
    expect(h.share('g', 'gold')).toBeCloseTo(2 / 3, 12); // within its role: unweighted
    expect(h.master.allocator.roleSorter.client('gold')!.share).toBeCloseTo(1 / 3, 12);
  });
});

describe('filters', () => {
  it('applies the refuse_seconds rules', () => {
    expect(filterDurationMs(undefined, 1000)).toBe(5000); // absent: the 5 s default
    expect(filterDurationMs(0, 1000)).toBe(0); // 0: no filter
    expect(filterDurationMs(-3, 1000)).toBe(5000); // negative: default
    expect(filterDurationMs(Number.NaN, 1000)).toBe(5000); // invalid: default
    expect(filterDurationMs(Number.POSITIVE_INFINITY, 1000)).toBe(5000);
    expect(filterDurationMs(10 * 365 * 24 * 3600, 1000)).toBe(365 * 24 * 3600 * 1000); // capped at a year
    expect(filterDurationMs(0.2, 1000)).toBe(1000); // below the interval: the interval
    expect(filterDurationMs(30, 1000)).toBe(30000);
  });

  it('holds a declined agent back from the framework until the filter expires', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    const offer = h.tick().get('f')![0];
    h.decline(offer, 10);
    for (let t = 1; t < 10; t++) expect(h.tick(1000).size, `at ${t} s`).toBe(0);
    expect(h.tick(1000).get('f')!.length).toBe(1); // at 10 s the filter has expired
  });

  it('holds only while the refused resources contain what would be offered (superset test)', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']).framework('g', ['r']);
    const first = h.tick();
    const launched = h.launch(first.get('f')![0], 't1', { cpus: 2, mem: 1024 }, 60); // f refuses cpus 2, mem 3072 for 60 s
    expect(launched.ok).toBe(true);
    h.step({ type: 'framework.suppress', frameworkId: 'g' });
    expect(h.tick(1000).size).toBe(0); // cpus 2, mem 3072 free: filtered for f
    h.step({ type: 'task.status', agentId: 'a1', frameworkId: 'f', taskId: 't1', state: 'TASK_FINISHED' });
    const regained = h.tick(1000); // cpus 4, mem 4096 free: more than refused, so offered again
    expect(regained.get('f')!.map((o) => h.quantities(o))).toEqual([{ cpus: 4, mem: 4096 }]);
  });

  it('installs no filter for rescinded offers (offer timeout)', () => {
    const h = new Harness({ offerTimeoutMs: 3000 }).agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    const offer = h.tick().get('f')![0];
    h.nowMs = 3000;
    const result = h.step({ type: 'tick' });
    expect(result.events.some((e) => e.type === 'offer.rescinded' && e.offerId === offer.id && e.reason === 'offer_timeout')).toBe(true);
    // Rescinded with no filter: the same cycle offers the agent again.
    expect(result.events.filter((e) => e.type === 'offer.made').length).toBe(1);
  });
});

describe('suppress, revive and deactivation', () => {
  it('a suppressed framework gets no offers; revive clears its filters and allocates at once', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    h.decline(h.tick().get('f')![0], 3600);
    h.step({ type: 'framework.suppress', frameworkId: 'f' });
    expect(h.tick(5000).size).toBe(0);
    h.nowMs += 1;
    h.step({ type: 'framework.revive', frameworkId: 'f' });
    // The revive triggers a batched cycle at the next tick, before the periodic one is due.
    expect(h.tick().get('f')!.length).toBe(1);
  });

  it('suppressing leaves outstanding offers in place', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    h.tick();
    h.step({ type: 'framework.suppress', frameworkId: 'f' });
    expect(h.master.offers.size).toBe(1);
  });

  it('disconnecting rescinds offers and clears filters', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 }).agent('a2', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    const offers = h.tick().get('f')!;
    h.decline(offers[0], 3600);
    const result = h.step({ type: 'framework.disconnect', frameworkId: 'f' });
    expect(result.events.filter((e) => e.type === 'offer.rescinded').length).toBe(1);
    expect(h.tick(1000).size).toBe(0);
    h.step({ type: 'framework.subscribe', framework: { id: 'f', roles: ['r'] } });
    expect(h.tick().get('f')!.length).toBe(2); // the year-long filter is gone
  });
});

describe('triggers', () => {
  it('runs a batched cycle after subscribe or agent add, but not after resource recovery', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.nowMs = 100;
    h.framework('f', ['r']);
    h.agent('a2', { cpus: 4, mem: 4096 });
    const result = h.step({ type: 'tick' });
    const cycles = result.events.filter((e) => e.type === 'allocation.completed');
    expect(cycles).toHaveLength(1); // bursts collapse into one cycle
    expect(cycles[0]).toMatchObject({ trigger: 'event', offers: 2 });
    const offer = result.events.find((e) => e.type === 'offer.made')!;
    h.nowMs = 200;
    if (offer.type === 'offer.made') h.decline(offer.offer, 0);
    expect(h.master.nextWakeMs()).toBe(1000); // recovery waits for the periodic cycle
  });

  it('an agent-triggered cycle looks at that agent only', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    h.decline(h.tick().get('f')![0], 0);
    h.nowMs = 10;
    h.agent('a2', { cpus: 1, mem: 1024 });
    const offers = h.tick();
    expect(offers.get('f')!.map((o) => o.agentId)).toEqual(['a2']);
  });
});

describe('minimum allocatable resources and capabilities', () => {
  it('skips resources below the global minimum (cpus 0.01 or mem 32)', () => {
    const h = new Harness().agent('tiny', { cpus: 0.005, mem: 16 }).agent('enough', { cpus: 0.01, mem: 0 });
    h.framework('f', ['r']);
    expect(
      h
        .tick()
        .get('f')!
        .map((o) => o.agentId),
    ).toEqual(['enough']);
    expect(explainAllocation(h.master, 'f', 'tiny').outcome).toBe('not_allocatable');
  });

  it('uses a framework role minimum over the global one', () => {
    const h = new Harness().agent('a1', { cpus: 1, mem: 1024 });
    h.framework('picky', ['r'], { minAllocatable: { r: [{ cpus: 2 }] } }).framework('easy', ['r']);
    expect([...h.tick().keys()]).toEqual(['easy']);
  });

  it('offers agents with GPUs only to GPU-capable frameworks', () => {
    const h = new Harness().agent('gpu', { cpus: 4, mem: 4096, gpus: 1 }).agent('plain', { cpus: 4, mem: 4096 });
    h.framework('a-cpu', ['r']).framework('b-gpu', ['r'], { capabilities: ['GPU_RESOURCES'] });
    const offers = h.tick();
    expect(offers.get('a-cpu')!.map((o) => o.agentId)).toEqual(['plain']);
    expect(offers.get('b-gpu')!.map((o) => o.agentId)).toEqual(['gpu']);
    const alone = new Harness().agent('gpu', { cpus: 4, mem: 4096, gpus: 1 }).framework('a-cpu', ['r']);
    expect(alone.tick().size).toBe(0);
    expect(explainAllocation(alone.master, 'a-cpu', 'gpu').outcome).toBe('missing_capability');
  });
});

describe('quota', () => {
  it('never offers a role beyond its limit; offers shrink to what is left', () => {
    const h = new Harness().agent('a1', { cpus: 8, mem: 8192 }).agent('a2', { cpus: 8, mem: 8192 });
    h.step({ type: 'role.update', role: 'capped', quota: { limit: { cpus: 10 } } });
    h.framework('f', ['capped']);
    const offers = h.tick().get('f')!;
    const cpus = offers.map((o) => h.quantities(o).cpus ?? 0).sort();
    expect(cpus).toEqual([2, 8]); // 8 from the first agent, then 10 - 8 = 2
    expect(h.master.layout.quantities(h.master.allocator.quota.consumed('capped'))).toEqual({ cpus: 10, mem: 16384 });
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('sets resources aside for a guarantee (stage 1) and keeps headroom from others (stage 2)', () => {
    const h = new Harness();
    for (let i = 1; i <= 4; i++) h.agent(`a${i}`, { cpus: 4, mem: 4096 });
    h.step({ type: 'role.update', role: 'guaranteed', quota: { guarantee: { cpus: 6 } } });
    h.framework('greedy', ['other']).framework('g', ['guaranteed']);
    const offers = h.tick();
    const cpus = (id: string): number => (offers.get(id) ?? []).reduce((sum, o) => sum + (h.quantities(o).cpus ?? 0), 0);
    expect(cpus('g')).toBe(6); // stage 1: up to the unmet guarantee of 6
    expect(cpus('greedy')).toBe(10); // stage 2: everything else (16 - 6)
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('rejects quota on nested roles', () => {
    const h = new Harness();
    const result = h.step({ type: 'role.update', role: 'eng/web', quota: { limit: { cpus: 1 } } });
    expect(result.ok).toBe(false);
    expect(result.rejection!.code).toBe('invalid_quota');
  });
});

describe('hierarchical roles and reservations', () => {
  it('shares between subtrees: eng (eng/web + eng/batch) against ops', () => {
    const h = new Harness();
    for (let i = 1; i <= 4; i++) h.agent(`a${i}`, { cpus: 4, mem: 4096 });
    h.framework('web', ['eng/web']).framework('batch', ['eng/batch']).framework('ops', ['ops']);
    const offers = h.tick();
    // Order per level: eng (0) and ops (0) tie, eng first by name; then ops; then eng again (0.25 vs 0.25, eng has count 1 = ops count 1... name).
    const count = (id: string): number => offers.get(id)?.length ?? 0;
    expect(count('web') + count('batch')).toBe(2); // eng's subtree gets half the agents
    expect(count('ops')).toBe(2);
  });

  it("offers a static reservation only to its role and that role's descendants", () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 }, { reservations: [{ role: 'eng', resources: { cpus: 2, mem: 1024 } }] });
    h.framework('ops', ['ops']);
    const opsOffer = h.tick().get('ops')![0];
    expect(h.quantities(opsOffer)).toEqual({ cpus: 2, mem: 3072 }); // unreserved part only
    expect(opsOffer.resources.reserved).toEqual([]);
    h.framework('web', ['eng/web']);
    const webOffer = h.tick().get('web')![0];
    expect(webOffer.resources.reserved.map((p) => [p.role, h.master.layout.quantities(p.scalars)])).toEqual([
      ['eng', { cpus: 2, mem: 1024 }],
    ]);
    expect(checkInvariants(h.master)).toEqual([]);
  });
});

describe('accept', () => {
  it("launches tasks and recovers the unused rest behind the accept's filter", () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    const offer = h.tick().get('f')![0];
    const result = h.launch(offer, 't1', { cpus: 1, mem: 512 }, 30);
    expect(result.effects.map((e) => e.type)).toEqual(['agent.launch']); // no update for STAGING, as in Mesos
    expect(h.master.layout.quantities(h.master.agents.get('a1')!.freeScalars)).toEqual({ cpus: 3, mem: 3584 });
    expect(h.tick(1000).size).toBe(0); // the rest is filtered for 30 s
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('fails every task with REASON_INVALID_OFFERS when an offer is not valid, losing nothing', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    const offer = h.tick().get('f')![0];
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'f',
      offerIds: [offer.id, 'O-missing'],
      operations: [
        { type: 'LAUNCH', tasks: [{ taskId: 't1', resources: { scalars: h.master.layout.vector({ cpus: 1 }), ports: [], reserved: [] } }] },
      ],
    });
    expect(result.ok).toBe(false);
    expect(result.rejection!.code).toBe('invalid_offers');
    const update = result.effects.find((e) => e.type === 'framework.update');
    expect(update).toMatchObject({ status: { taskId: 't1', state: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS' } });
    expect(h.master.offers.size).toBe(0);
    expect(h.master.layout.quantities(h.master.agents.get('a1')!.freeScalars)).toEqual({ cpus: 4, mem: 4096 });
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('answers a task that does not fit with TASK_ERROR', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    const offer = h.tick().get('f')![0];
    const result = h.launch(offer, 'big', { cpus: 5 });
    expect(result.effects.find((e) => e.type === 'framework.update')).toMatchObject({
      status: { state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID' },
    });
    expect(checkInvariants(h.master)).toEqual([]);
  });
});

describe('explain', () => {
  it('says who got the agent first when a framework was not reached', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f1', ['r']).framework('f2', ['r']);
    h.tick();
    const explanation = explainAllocation(h.master, 'f2', 'a1');
    expect(explanation.outcome).toBe('not_reached');
    expect(explanation.message).toMatch(/went first to f1/);
    expect(explainAllocation(h.master, 'f1', 'a1').outcome).toBe('offered');
  });

  it('reports a filter with its expiry', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    h.decline(h.tick().get('f')![0], 10);
    h.tick(1000);
    const explanation = explainAllocation(h.master, 'f', 'a1');
    expect(explanation.outcome).toBe('filtered');
    expect(explanation.decision!.filteredUntilMs).toBe(10000);
  });
});

describe('clock', () => {
  it('keeps the allocation interval in phase after a jump of the clock, without stepping through it', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    h.nowMs = 1_700_000_000_500; // a wall-clock reading, as a daemon might pass
    h.step({ type: 'tick' });
    expect(h.master.nextWakeMs()).toBe(1_700_000_001_000);
  });
});
