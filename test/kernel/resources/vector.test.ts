import { describe, expect, it } from 'vitest';
import { ResourceLayout } from '../../../kernel/src/resources/layout.js';
import { add, addInto, contains, dominantShare, isEmpty, subtract, VectorPool } from '../../../kernel/src/resources/vector.js';

describe('resource layout and vectors', () => {
  const layout = ResourceLayout.create(['fpgas']);

  it('puts the well-known scalars first and extra names after', () => {
    expect(layout.names).toEqual(['cpus', 'mem', 'disk', 'gpus', 'fpgas']);
    expect(Object.isFrozen(layout)).toBe(true);
    expect(() => ResourceLayout.create(['ports'])).toThrow(/range resource/);
  });

  it('round-trips named quantities, dropping zeros and rounding to three decimals', () => {
    const v = layout.vector({ cpus: 1.5, mem: 1024 });
    expect(layout.quantities(v)).toEqual({ cpus: 1.5, mem: 1024 });
    expect(layout.quantities(add(layout.vector({ cpus: 0.1 }), layout.vector({ cpus: 0.2 })))).toEqual({ cpus: 0.3 });
  });

  it('rejects unknown names and negative or non-finite amounts', () => {
    expect(() => layout.vector({ bogus: 1 })).toThrow(/not in the layout/);
    expect(() => layout.vector({ cpus: -1 })).toThrow(/>= 0/);
    expect(() => layout.vector({ cpus: Number.NaN })).toThrow();
  });

  it('compares with an epsilon so float noise is not a difference', () => {
    const a = add(layout.vector({ cpus: 0.1 }), layout.vector({ cpus: 0.2 }));
    expect(contains(layout.vector({ cpus: 0.3 }), a)).toBe(true);
    expect(isEmpty(subtract(a, layout.vector({ cpus: 0.3 })))).toBe(true);
  });

  it('computes the dominant share over non-excluded slots, divided by weight', () => {
    const total = layout.vector({ cpus: 9, mem: 18432, gpus: 2 });
    const allocated = layout.vector({ cpus: 3, mem: 12288, gpus: 2 });
    const none = new Uint8Array(layout.size);
    const gpusExcluded = new Uint8Array(layout.size);
    gpusExcluded[layout.slotOf('gpus')] = 1;
    expect(dominantShare(allocated, total, none, 1)).toBe(1); // gpus 2/2
    expect(dominantShare(allocated, total, gpusExcluded, 1)).toBeCloseTo(2 / 3, 12); // mem 12288/18432
    expect(dominantShare(allocated, total, gpusExcluded, 2)).toBeCloseTo(1 / 3, 12);
  });

  it('keeps pool views valid until the pool grows', () => {
    const pool = new VectorPool(layout.size, 2);
    const view = pool.view(1);
    addInto(view, view, layout.vector({ cpus: 4 }));
    expect(pool.buffer[layout.size]).toBe(4);
    expect(pool.ensureCapacity(5)).toBe(true);
    expect(pool.view(1)[0]).toBe(4);
    expect(() => pool.view(8)).toThrow(/out of range/);
  });
});
