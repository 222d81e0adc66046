/**
 * The master's assertions where state changes (MasterOptions.checks, on by
 * default): a corruption of the books is caught at the next step that touches
 * the agent, as a thrown error naming the agent and the resource; with checks
 * off the master does not look.
 */
import { describe, expect, it } from 'vitest';
import { createPrng, Master } from '../../../kernel/src/index.js';
import { Sorter } from '../../../kernel/src/allocator/sorter.js';
import { ResourceLayout } from '../../../kernel/src/resources/layout.js';

function master(checks?: boolean): Master {
  const m = new Master({ prng: createPrng(1), ...(checks === undefined ? {} : { checks }) });
  m.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: 'f', roles: ['r'] } });
  m.step({ type: 'agent.add', nowMs: 0, agent: { id: 'a1', resources: { cpus: 4, mem: 1024 } } });
  return m;
}

describe('checks where state changes', () => {
  it('are on by default and pass on a healthy master', () => {
    const m = master();
    expect(m.checks).toBe(true);
    expect(() => m.step({ type: 'tick', nowMs: 1000 })).not.toThrow();
  });

  it('catch free + offered + used != total on the agent a step touches', () => {
    const m = master();
    m.agents.get('a1')!.freeScalars[0] += 1;
    expect(() => m.step({ type: 'tick', nowMs: 1000 })).toThrow(/agent a1: cpus free .* but total is 4/);
  });

  it('are off when asked (production)', () => {
    const m = master(false);
    m.agents.get('a1')!.freeScalars[0] += 1;
    expect(() => m.step({ type: 'tick', nowMs: 1000 })).not.toThrow();
  });

  it('refuse a sorter allocation going negative, and a client listed twice', () => {
    const layout = ResourceLayout.create();
    const sorter = new Sorter<string>('drf', layout.size, new Uint8Array(layout.size), null, true);
    sorter.setTotal(layout.vector({ cpus: 10 }));
    const node = sorter.add('a', 'a');
    sorter.activate('a');
    sorter.allocate(node, layout.vector({ cpus: 1 }));
    expect(() => sorter.unallocate(node, layout.vector({ cpus: 2 }))).toThrow(/unallocating more than allocated/);
    expect(() => node.parent!.children!.insert(node.id)).toThrow(/two positions/);
    expect(() => sorter.check()).not.toThrow();
  });
});
