/**
 * assertLaw turns a failing property into one error that names the law, the
 * seed and the path, says how to replay, and replays to the same
 * counterexample; expectNoViolations and firstDifference format what broke.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertLaw, expectNoViolations, firstDifference } from '../../../kernel/src/testing/index.js';

const falseLaw = (): fc.IProperty<[number]> =>
  fc.property(fc.integer({ min: 0, max: 1000 }), (n) => {
    if (n >= 10) throw new Error(`too big: ${n}`);
  });

function failureOf(run: () => void): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('assertLaw', () => {
  it('is silent when the law holds', () => {
    expect(() =>
      assertLaw(
        'holds',
        fc.property(fc.nat(), (n) => n >= 0),
        { numRuns: 50 },
      ),
    ).not.toThrow();
  });

  it('names the law, the seed, the path, how to replay and the cause', () => {
    const error = failureOf(() =>
      assertLaw('small numbers', falseLaw(), {
        numRuns: 200,
        seed: 42,
        replay: 'ALLOT_SEED={seed} ALLOT_PATH="{path}" npx vitest run x.test.ts',
      }),
    );
    expect(error.message).toMatch(/^law "small numbers" failed \(seed 42, path "[\d:]+"\)/);
    expect(error.message).toMatch(/replay: ALLOT_SEED=42 ALLOT_PATH="[\d:]+" npx vitest run x\.test\.ts/);
    expect(error.message).toContain('too big: 10');
  });

  it('replays straight to the shrunk counterexample from the seed and path it printed', () => {
    const first = failureOf(() => assertLaw('small numbers', falseLaw(), { numRuns: 200, seed: 42 }));
    const path = /path "([\d:]+)"/.exec(first.message)![1];
    const replayed = failureOf(() => assertLaw('small numbers', falseLaw(), { numRuns: 200, seed: 42, path }));
    expect(replayed.message).toContain('too big: 10');
    expect(replayed.message).toContain('Counterexample: [10]');
  });
});

describe('expectNoViolations and firstDifference', () => {
  it('lists every violation with where it was seen', () => {
    expect(() => expectNoViolations([], 'after step 1')).not.toThrow();
    const error = failureOf(() =>
      expectNoViolations(
        [
          { invariant: 'quota', message: 'over' },
          { invariant: 'conservation', message: 'lost' },
        ],
        'after step 3 (tick)',
      ),
    );
    expect(error.message).toBe('2 invariant violation(s) after step 3 (tick):\n  [quota] over\n  [conservation] lost');
  });

  it('says where two streams part', () => {
    expect(firstDifference(['a', 'b'], ['a', 'b'])).toBeNull();
    expect(firstDifference(['a', 'b'], ['a', 'c'])).toContain('at event 1 of 2/2');
    expect(firstDifference(['a'], ['a', 'b'])).toContain('(end)');
  });
});
