/**
 * The DRF-order law, checked after every master step with the latest cycle's
 * decision log (`decisionCycles: 1`): every offer went to the lowest
 * weighted-share eligible framework of the lowest-share eligible role (roles
 * in the pre-order of the role tree, siblings by weighted share), nobody
 * eligible with a lower share was passed over, and the shares the allocator
 * recorded equal shares recomputed from offers and live tasks (checkDrfShares),
 * besides the log's own consistency (checkDrfOrder).
 * Replay a failure: ALLOT_SEED=<seed> ALLOT_PATH="<path>" npx vitest run test/kernel/properties/drfOrder.test.ts
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { assertLaw, checkDrfOrder, checkDrfShares, workloadArbitrary } from '../../../kernel/src/testing/index.js';
import { checkEveryStep, lawOptions } from './laws.js';

const FILE = 'test/kernel/properties/drfOrder.test.ts';

describe('DRF order', () => {
  it('every offer goes to the lowest-share eligible framework of the lowest-share eligible role', () => {
    const law = fc.property(workloadArbitrary(), (workload) =>
      checkEveryStep(workload, (master, report) => [...checkDrfOrder(master), ...checkDrfShares(master, report.result.events)], {
        decisionCycles: 1,
      }),
    );
    assertLaw('DRF order', law, lawOptions(FILE));
  });
});
