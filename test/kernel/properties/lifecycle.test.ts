/**
 * Laws of the task and agent lifecycle, checked after every master step of
 * random workloads (tasks launched, updated, killed; agents disconnecting,
 * unreachable, re-registering, removed; frameworks torn down):
 * - task histories: every task's history is a path in the transition table
 *   and ends in its current state;
 * - no orphans: no outstanding offer or live task belongs to a framework the
 *   master no longer knows; live tasks are on registered agents, or
 *   UNREACHABLE;
 * - volumes: every live task's volume exists on its agent.
 * Replay a failure: ALLOT_SEED=<seed> ALLOT_PATH="<path>" npx vitest run test/kernel/properties/lifecycle.test.ts
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { assertLaw, checkLifecycleInvariants, workloadArbitrary } from '../../../kernel/src/testing/index.js';
import { checkEveryStep, lawOptions } from './laws.js';

const FILE = 'test/kernel/properties/lifecycle.test.ts';

describe('task and agent lifecycle', () => {
  it('task histories follow the transition table and nothing is orphaned, after every step', () => {
    const law = fc.property(workloadArbitrary({ randomSorters: true }), (workload) =>
      checkEveryStep(workload, (master) => checkLifecycleInvariants(master)),
    );
    assertLaw('lifecycle', law, lawOptions(FILE));
  });
});
