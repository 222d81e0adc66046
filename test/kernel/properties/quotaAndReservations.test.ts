/**
 * Laws of quota and reservations, checked after every master step:
 * - quota, state form: in a static cluster (no agent joins, leaves or comes
 *   back from unreachable, no quota change) no top-level role's consumption
 *   exceeds its limit;
 * - quota, step form: with agents joining and leaving and limits changing
 *   (possibly below what a role holds), no step raises a role's allocation
 *   while leaving it above its limit;
 * - in both, the quota and headroom ledgers equal what reservations, offers
 *   and live tasks add up to;
 * - reservations: reserved resources are offered only within their role's
 *   subtree ("eng" reservations to "eng" and "eng/*", never to "ops").
 * Replay a failure: ALLOT_SEED=<seed> ALLOT_PATH="<path>" npx vitest run test/kernel/properties/quotaAndReservations.test.ts
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  assertLaw,
  checkQuotaAccounting,
  checkQuotaLimits,
  checkReservedOffers,
  quotaLimitLaw,
  STATIC_CLUSTER_EXCLUDED,
  workloadArbitrary,
} from '../../../kernel/src/testing/index.js';
import { checkEveryStep, lawOptions } from './laws.js';

const FILE = 'test/kernel/properties/quotaAndReservations.test.ts';

describe('quota and reservations', () => {
  it('quota (static cluster): consumption never exceeds a limit and the ledgers add up, after every step', () => {
    const workloads = workloadArbitrary({ randomSorters: true, exclude: STATIC_CLUSTER_EXCLUDED });
    const law = fc.property(workloads, (workload) =>
      checkEveryStep(workload, (master) => [...checkQuotaLimits(master), ...checkQuotaAccounting(master)]),
    );
    assertLaw('quota limits (state)', law, lawOptions(FILE));
  });

  it('quota (dynamic cluster): no step allocates a role above its limit and the ledgers add up, after every step', () => {
    const law = fc.property(workloadArbitrary({ randomSorters: true }), (workload) => {
      const quotaLaw = quotaLimitLaw();
      checkEveryStep(workload, (master, step) => [...quotaLaw(master, step), ...checkQuotaAccounting(master)]);
    });
    assertLaw('quota limits (step)', law, lawOptions(FILE));
  });

  it('reservations: reserved resources are offered only within their role subtree, after every step', () => {
    assertLaw(
      'reserved offers',
      fc.property(workloadArbitrary({ randomSorters: true }), (workload) =>
        checkEveryStep(workload, (master) => checkReservedOffers(master)),
      ),
      lawOptions(FILE),
    );
  });
});
