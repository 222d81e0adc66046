/**
 * `@allot/kernel/testing` resolves through the package's export map and
 * exports exactly its listed names (an explicit list, no `export *`).
 */
import { describe, expect, it } from 'vitest';
import * as kit from '@allot/kernel/testing';

describe('@allot/kernel/testing', () => {
  it('exports the kit and nothing else', () => {
    expect(Object.keys(kit).sort()).toEqual(
      [
        'agentArbitrary',
        'assertLaw',
        'carveTask',
        'checkClientAllocations',
        'checkConservation',
        'checkDrfOrder',
        'checkDrfShares',
        'checkInvariants',
        'checkLifecycleInvariants',
        'checkNoOrphans',
        'checkQuotaAccounting',
        'checkQuotaLimits',
        'checkReservedOffers',
        'checkSorters',
        'checkTaskHistories',
        'checkVolumes',
        'clusterArbitrary',
        'expectNoViolations',
        'firstDifference',
        'floorScalar',
        'frameworkArbitrary',
        'quotaArbitrary',
        'quotaAtLeast',
        'quotaLimitLaw',
        'roleNameArbitrary',
        'roleNamesArbitrary',
        'runWorkload',
        'scenarioAgent',
        'STATIC_CLUSTER_EXCLUDED',
        'scenarioArbitrary',
        'serializeEvents',
        'subtreeReservations',
        'weightArbitrary',
        'workloadArbitrary',
        'workloadEventStream',
        'workloadMasterOptions',
        'workloadSettingsArbitrary',
        'workloadStepArbitrary',
      ].sort(),
    );
  });
});
