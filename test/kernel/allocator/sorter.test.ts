import { describe, expect, it } from 'vitest';
import { Sorter } from '../../../kernel/src/allocator/sorter.js';
import { createPrng } from '../../../kernel/src/prng.js';
import { ResourceLayout } from '../../../kernel/src/resources/layout.js';

const layout = ResourceLayout.create();
const none = new Uint8Array(layout.size);

function drf(total = { cpus: 100, mem: 100 }): Sorter<string> {
  const sorter = new Sorter<string>('drf', layout.size, none, null);
  sorter.setTotal(layout.vector(total));
  return sorter;
}

function add(sorter: Sorter<string>, ...names: string[]): void {
  for (const name of names) {
    sorter.add(name, name);
    sorter.activate(name);
  }
}

const order = (sorter: Sorter<string>): string[] => sorter.sort().map((node) => node.payload!);

describe('DRF sorter', () => {
  it('orders by dominant share, lowest first', () => {
    const sorter = drf();
    add(sorter, 'a', 'b', 'c');
    sorter.allocate(sorter.client('a')!, layout.vector({ cpus: 20, mem: 5 })); // a: 0.2
    sorter.allocate(sorter.client('b')!, layout.vector({ cpus: 1, mem: 30 })); // b: 0.3
    expect(order(sorter)).toEqual(['c', 'a', 'b']); // c: 0
    expect(sorter.client('b')!.share).toBeCloseTo(0.3, 12);
  });

  it('breaks share ties by allocation count, then by name', () => {
    const sorter = drf();
    add(sorter, 'b', 'a', 'c');
    expect(order(sorter)).toEqual(['a', 'b', 'c']); // all 0, count 0: by name
    sorter.allocate(sorter.client('a')!, layout.vector({ cpus: 10 })); // a: 0.1, count 1
    sorter.allocate(sorter.client('b')!, layout.vector({ cpus: 5 })); // b: 0.05
    sorter.allocate(sorter.client('b')!, layout.vector({ cpus: 5 })); // b: 0.1, count 2
    expect(order(sorter)).toEqual(['c', 'a', 'b']); // a and b tie at 0.1: a has fewer allocations
    sorter.unallocate('b', layout.vector({ cpus: 10 })); // b: 0, count stays 2
    expect(order(sorter)).toEqual(['c', 'b', 'a']); // b and c tie at 0: c has fewer allocations
  });

  it('divides shares by weight', () => {
    const sorter = drf();
    add(sorter, 'heavy', 'light');
    sorter.setWeight('heavy', 2);
    sorter.allocate(sorter.client('heavy')!, layout.vector({ cpus: 30 })); // 0.3 / 2 = 0.15
    sorter.allocate(sorter.client('light')!, layout.vector({ cpus: 20 })); // 0.2
    expect(order(sorter)).toEqual(['heavy', 'light']);
    expect(sorter.client('heavy')!.share).toBeCloseTo(0.15, 12);
  });

  it('leaves out excluded resource names', () => {
    const excluded = new Uint8Array(layout.size);
    excluded[layout.slotOf('gpus')] = 1;
    const sorter = new Sorter<string>('drf', layout.size, excluded, null);
    sorter.setTotal(layout.vector({ cpus: 10, gpus: 1 }));
    add(sorter, 'gpu-user', 'cpu-user');
    sorter.allocate(sorter.client('gpu-user')!, layout.vector({ cpus: 1, gpus: 1 })); // 0.1 (gpus excluded)
    sorter.allocate(sorter.client('cpu-user')!, layout.vector({ cpus: 2 })); // 0.2
    expect(order(sorter)).toEqual(['gpu-user', 'cpu-user']);
  });

  it('returns only active clients', () => {
    const sorter = drf();
    add(sorter, 'a', 'b');
    sorter.deactivate('a');
    expect(order(sorter)).toEqual(['b']);
    sorter.activate('a');
    expect(order(sorter)).toEqual(['a', 'b']);
  });

  it('sorts hierarchical roles per level and yields leaves in pre-order', () => {
    const sorter = drf();
    add(sorter, 'eng/web', 'eng/batch', 'ops');
    sorter.allocate(sorter.client('eng/web')!, layout.vector({ cpus: 30 })); // eng = 0.3, eng/web 0.3
    sorter.allocate(sorter.client('ops')!, layout.vector({ cpus: 20 })); // ops = 0.2
    expect(order(sorter)).toEqual(['ops', 'eng/batch', 'eng/web']);
    sorter.allocate(sorter.client('ops')!, layout.vector({ cpus: 20 })); // ops = 0.4 > eng 0.3
    expect(order(sorter)).toEqual(['eng/batch', 'eng/web', 'ops']);
  });

  it('keeps a role that also has child roles as a virtual leaf beside them', () => {
    const sorter = drf();
    add(sorter, 'eng');
    sorter.allocate(sorter.client('eng')!, layout.vector({ cpus: 10 })); // eng/. = 0.1
    add(sorter, 'eng/web');
    expect(order(sorter)).toEqual(['eng/web', 'eng']); // eng/web 0 < eng/. 0.1
    expect(sorter.client('eng')!.share).toBeCloseTo(0.1, 12);
  });

  it('keeps order correct across many incremental changes (matches a full sort)', () => {
    const sorter = drf({ cpus: 1000, mem: 1000 });
    const names = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    add(sorter, ...names);
    const prng = createPrng(7);
    for (let i = 0; i < 3000; i++) {
      const name = names[prng.nextInt(names.length)];
      const node = sorter.client(name)!;
      if (prng.next() < 0.7 || node.allocation[0] < 1) sorter.allocate(node, layout.vector({ cpus: prng.nextInt(5) + 1 }));
      else sorter.unallocate(name, layout.vector({ cpus: 1 }));
    }
    const expected = names
      .map((name) => sorter.client(name)!)
      .sort((a, b) => a.share - b.share || a.count - b.count || (a.name < b.name ? -1 : 1))
      .map((node) => node.payload);
    expect(order(sorter)).toEqual(expected);
  });
});

describe('random sorter', () => {
  it('gives a seeded, weighted random order', () => {
    const run = (seed: number): string[] => {
      const sorter = new Sorter<string>('random', layout.size, none, createPrng(seed));
      add(sorter, 'a', 'b', 'c', 'd');
      return order(sorter);
    };
    expect(run(3)).toEqual(run(3));
    expect(new Set(run(3))).toEqual(new Set(['a', 'b', 'c', 'd']));
    const firsts = new Set(Array.from({ length: 30 }, (_, seed) => run(seed)[0]));
    expect(firsts.size).toBeGreaterThan(1);
  });
});
