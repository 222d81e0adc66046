/**
 * The offer book's sequence-number index (open addressing, backward-shift
 * deletion) agrees with a Map under any mix of inserts and deletes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqIndex } from '../../../kernel/src/offers/seqIndex.js';

describe('SeqIndex', () => {
  it('agrees with a Map through inserts, lookups, deletes and growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 0, max: 1e6 })), { maxLength: 3000 }),
        (ops) => {
          const index = new SeqIndex();
          const reference = new Map<number, number>();
          for (const [insert, seq, slot] of ops) {
            if (insert) {
              index.set(seq, slot);
              reference.set(seq, slot);
            } else {
              index.delete(seq);
              reference.delete(seq);
            }
            expect(index.get(seq)).toBe(reference.get(seq) ?? -1);
          }
          expect(index.size).toBe(reference.size);
          for (const [seq, slot] of reference) expect(index.get(seq)).toBe(slot);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps large sequence numbers apart (keys up to 2^53)', () => {
    const index = new SeqIndex();
    const big = 2 ** 52 + 7;
    index.set(big, 1);
    index.set(big + 2 ** 32, 2);
    index.set(7, 3);
    expect([index.get(big), index.get(big + 2 ** 32), index.get(7), index.get(8)]).toEqual([1, 2, 3, -1]);
  });
});
