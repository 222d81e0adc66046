/**
 * Laws of resource accounting, checked after every master step of random
 * workloads (agents coming and going, offers declined and accepted, tasks
 * launched and ending, frameworks leaving):
 * - conservation: on every agent, free + outstanding offers + live tasks =
 *   total, and nothing is negative; so no agent is over-committed and no
 *   resource is in two outstanding offers;
 * - allocation: each client's sorter allocation = its offers + live tasks.
 * Replay a failure: ALLOT_SEED=<seed> ALLOT_PATH="<path>" npx vitest run test/kernel/properties/accounting.test.ts
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { assertLaw, checkClientAllocations, checkConservation, workloadArbitrary } from '../../../kernel/src/testing/index.js';
import { checkEveryStep, lawOptions } from './laws.js';

const FILE = 'test/kernel/properties/accounting.test.ts';

describe('resource accounting', () => {
  it('conservation: free + offers + live tasks = total on every agent, after every step', () => {
    assertLaw(
      'conservation',
      fc.property(workloadArbitrary({ randomSorters: true }), (workload) =>
        checkEveryStep(workload, (master) => checkConservation(master)),
      ),
      lawOptions(FILE),
    );
  });

  it('allocation: sorter allocations = offers + live tasks, after every step', () => {
    assertLaw(
      'allocation',
      fc.property(workloadArbitrary({ randomSorters: true }), (workload) =>
        checkEveryStep(workload, (master) => checkClientAllocations(master)),
      ),
      lawOptions(FILE),
    );
  });
});
