/**
 * Offers are recorded compactly and made into objects, events and effects on
 * first read: what a host reads is the same whenever it reads it, ids stay the
 * Mesos-style sequence, listings are in creation order, and the book gives
 * resources back itself on decline, rescind and invalid accepts.
 */
import { describe, expect, it } from 'vitest';
import { createPrng, Master } from '../../../kernel/src/index.js';
import type { Offer } from '../../../kernel/src/index.js';
import { checkInvariants } from '../../../kernel/src/testing/index.js';

function cluster(agents = 3, frameworks = 2): Master {
  const master = new Master({ prng: createPrng(1) });
  for (let i = 0; i < frameworks; i++) master.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: `f${i}`, roles: ['r'] } });
  for (let i = 0; i < agents; i++)
    master.step({ type: 'agent.add', nowMs: 0, agent: { id: `a${i}`, resources: { cpus: 4, mem: 4096 }, ports: [[31000, 31010]] } });
  return master;
}

describe('the offer book', () => {
  it('makes offer objects, events and effects on first read, the same whichever is read first', () => {
    const master = cluster();
    const result = master.step({ type: 'tick', nowMs: 1000 });
    const effects = result.effects;
    const made = result.events.filter((event) => event.type === 'offer.made').map((event) => event.offer);
    expect(made.map((offer) => offer.id)).toEqual(['O1', 'O2', 'O3']);
    const offered = effects.flatMap((effect) => (effect.type === 'framework.offers' ? effect.offers : []));
    expect(new Set(offered)).toEqual(new Set(made));
    expect(master.offers.get('O2')).toBe(made[1]);
    expect(result.events.at(-1)?.type).toBe('allocation.completed');
    expect(checkInvariants(master)).toEqual([]);
  });

  it('shows the offers as they were made even when the result is read after later steps', () => {
    const master = cluster(2, 1);
    const result = master.step({ type: 'tick', nowMs: 1000 });
    master.step({ type: 'agent.updateAttributes', nowMs: 1000, agentId: 'a0', attributes: { rack: 'r9' } });
    master.step({ type: 'offer.decline', nowMs: 1000, frameworkId: 'f0', offerIds: ['O1', 'O2'] });
    const offers = result.events.flatMap((event) => (event.type === 'offer.made' ? [event.offer] : []));
    expect(offers.map((offer) => [offer.id, offer.agentId, offer.attributes])).toEqual([
      ['O1', offers[0].agentId, {}],
      ['O2', offers[1].agentId, {}],
    ]);
    expect(master.offers.size).toBe(0);
  });

  it('lists an agent and a framework oldest first, and rescinds in that order', () => {
    const master = cluster(3, 1);
    master.step({ type: 'tick', nowMs: 1000 });
    const all = [...master.offers.all()].map((offer) => offer.id);
    expect(all).toEqual(['O1', 'O2', 'O3']);
    expect(master.offers.ofFramework('f0').map((offer) => offer.id)).toEqual(all);
    const { events } = master.step({ type: 'framework.teardown', nowMs: 1000, frameworkId: 'f0' });
    expect(events.filter((event) => event.type === 'offer.rescinded').map((event) => event.offerId)).toEqual(all);
    expect(checkInvariants(master)).toEqual([]);
  });

  it('gives resources back itself: declined offers behind a filter, invalid accepts without one', () => {
    const master = cluster(1, 2);
    const offer = [
      ...(master.step({ type: 'tick', nowMs: 1000 }).events.find((event) => event.type === 'offer.made') as { offer: Offer }).offer
        .resources.scalars,
    ];
    expect(offer[0]).toBe(4);
    const [first] = [...master.offers.all()];
    const declined = master.step({
      type: 'offer.decline',
      nowMs: 1000,
      frameworkId: first.frameworkId,
      offerIds: [first.id],
      refuseSeconds: 60,
    });
    expect(declined.ok).toBe(true);
    expect(master.agents.get('a0')!.freeScalars[0]).toBe(4);
    expect(master.allocator.filters.expiryOf(0, first.clientIndex, 1000)).toBe(61_000);
    expect(master.counters.offersDeclined).toBe(1);
    const second = [
      ...master.step({ type: 'tick', nowMs: 2000 }).events.flatMap((event) => (event.type === 'offer.made' ? [event.offer] : [])),
    ][0];
    expect(second.frameworkId).not.toBe(first.frameworkId);
    const invalid = master.step({
      type: 'offer.accept',
      nowMs: 2000,
      frameworkId: second.frameworkId,
      offerIds: [second.id, 'O999'],
      operations: [],
    });
    expect(invalid.rejection?.code).toBe('invalid_offers');
    expect(master.offers.size).toBe(0);
    expect(master.agents.get('a0')!.freeScalars[0]).toBe(4);
    expect(checkInvariants(master)).toEqual([]);
  });

  it('refuses ids that are not its own, however close', () => {
    const master = cluster(1, 1);
    master.step({ type: 'tick', nowMs: 1000 });
    for (const id of ['O01', 'O1.0', 'o1', 'O', 'O2-1', ' O1']) expect(master.offers.get(id)).toBeUndefined();
    expect(master.offers.get('O1')?.agentId).toBe('a0');
  });
});
