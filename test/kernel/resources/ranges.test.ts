import { describe, expect, it } from 'vitest';
import {
  containsRanges,
  mergeRanges,
  normalizeRanges,
  rangesCount,
  subtractRanges,
  takePorts,
} from '../../../kernel/src/resources/ranges.js';

describe('port ranges', () => {
  it('normalizes by sorting and merging overlapping and adjacent ranges', () => {
    expect(
      normalizeRanges([
        [5, 7],
        [1, 2],
        [3, 3],
        [10, 12],
        [11, 20],
      ]),
    ).toEqual([
      [1, 3],
      [5, 7],
      [10, 20],
    ]);
  });

  it('subtracts ranges, splitting where needed', () => {
    expect(
      subtractRanges(
        [[31000, 32000]],
        [
          [31000, 31000],
          [31500, 31600],
        ],
      ),
    ).toEqual([
      [31001, 31499],
      [31601, 32000],
    ]);
    expect(subtractRanges([[1, 10]], [[0, 20]])).toEqual([]);
    expect(
      subtractRanges(
        [
          [1, 10],
          [20, 30],
        ],
        [[5, 25]],
      ),
    ).toEqual([
      [1, 4],
      [26, 30],
    ]);
  });

  it('tests containment port by port', () => {
    expect(
      containsRanges(
        [[31000, 32000]],
        [
          [31000, 31001],
          [31999, 32000],
        ],
      ),
    ).toBe(true);
    expect(containsRanges([[31000, 32000]], [[30999, 31000]])).toBe(false);
    expect(
      containsRanges(
        [
          [1, 5],
          [7, 9],
        ],
        [[5, 7]],
      ),
    ).toBe(false);
    expect(containsRanges([], [])).toBe(true);
  });

  it('merges and counts', () => {
    const merged = mergeRanges(
      [[1, 3]],
      [
        [4, 6],
        [10, 10],
      ],
    );
    expect(merged).toEqual([
      [1, 6],
      [10, 10],
    ]);
    expect(rangesCount(merged)).toBe(7);
  });

  it('takes the lowest ports first, or null when there are too few', () => {
    expect(
      takePorts(
        [
          [31000, 31001],
          [31005, 31010],
        ],
        3,
      ),
    ).toEqual([
      [31000, 31001],
      [31005, 31005],
    ]);
    expect(takePorts([[1, 2]], 3)).toBeNull();
    expect(takePorts([[1, 2]], 0)).toEqual([]);
  });
});
