/**
 * Laws of reproducibility, on whole event streams (each event serialized with
 * the simulator's trace record, plus one line per rejected command):
 * - determinism: the same seed and the same commands give the same stream;
 * - fast path = reference path: `fastPaths: true` and `fastPaths: false` give
 *   the same stream, apart from `agentsSkipped` in allocation.completed (the
 *   count of agents the fast path skipped). This is what proves the
 *   allocator's skip optimisation correct. DRF sorters only: the random sorter
 *   draws from the PRNG per walk, so skipping a walk shifts every later draw;
 * - settling = walking: an agent on which every active client is filtered,
 *   settled without walking its clients, gives the same stream, skip counts
 *   included (its skip key is the exact earliest filter expiry).
 * Replay a failure: ALLOT_SEED=<seed> ALLOT_PATH="<path>" npx vitest run test/kernel/properties/determinism.test.ts
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { RecordNormalizer } from '../../../kernel/src/testing/index.js';
import { assertLaw, firstDifference, workloadArbitrary, workloadEventStream } from '../../../kernel/src/testing/index.js';
import { lawOptions } from './laws.js';

const FILE = 'test/kernel/properties/determinism.test.ts';

const withoutSkipCount: RecordNormalizer = (record) => {
  if (record.type !== 'allocation.completed') return record;
  const { agentsSkipped: _skipped, ...rest } = record;
  return rest;
};

function expectSameStream(first: string[], second: string[]): void {
  const difference = firstDifference(first, second);
  if (difference !== null) throw new Error(difference);
}

describe('reproducibility', () => {
  it('determinism: the same seed and commands give an identical event stream', () => {
    const law = fc.property(workloadArbitrary({ randomSorters: true }), (workload) =>
      expectSameStream(workloadEventStream(workload), workloadEventStream(workload)),
    );
    assertLaw('determinism', law, lawOptions(FILE));
  });

  it('fast path = reference path: fastPaths true and false give identical event streams', () => {
    const law = fc.property(workloadArbitrary(), (workload) =>
      expectSameStream(
        workloadEventStream(workload, { fastPaths: true }, { normalize: withoutSkipCount }),
        workloadEventStream(workload, { fastPaths: false }, { normalize: withoutSkipCount }),
      ),
    );
    assertLaw('fast path = reference path', law, lawOptions(FILE));
  });

  it('settling = walking: settling fully filtered agents wholesale changes nothing, skip counts included', () => {
    const law = fc.property(workloadArbitrary(), (workload) =>
      expectSameStream(
        workloadEventStream(workload, { settleFilteredAgents: true }),
        workloadEventStream(workload, { settleFilteredAgents: false }),
      ),
    );
    assertLaw('settling = walking', law, lawOptions(FILE));
  });
});
