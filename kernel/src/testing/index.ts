/**
 * @allot/kernel/testing: fast-check arbitraries for clusters, workloads and
 * scenarios; a runner that resolves abstract workload steps against a live
 * master; and the invariant checkers the simulator and property tests share.
 * Listed explicitly (no `export *`). Needs fast-check (a peer dependency).
 */
export {
  clusterArbitrary,
  agentArbitrary,
  frameworkArbitrary,
  roleNameArbitrary,
  roleNamesArbitrary,
  weightArbitrary,
  quotaArbitrary,
  subtreeReservations,
  quotaAtLeast,
  floorScalar,
} from './arbitraries.js';
export type { Cluster, ClusterOptions, RoleConfig } from './arbitraries.js';
export {
  workloadArbitrary,
  workloadStepArbitrary,
  workloadSettingsArbitrary,
  workloadMasterOptions,
  STATIC_CLUSTER_EXCLUDED,
} from './workload.js';
export type {
  Workload,
  WorkloadStep,
  WorkloadStepType,
  WorkloadSettings,
  WorkloadOptions,
  TaskShape,
  ReportedState,
  OfferMerge,
} from './workload.js';
export { runWorkload, carveTask } from './runWorkload.js';
export type { WorkloadRun, WorkloadStepReport } from './runWorkload.js';
export { scenarioArbitrary, scenarioAgent } from './scenarioArbitrary.js';
export type { ScenarioOptions } from './scenarioArbitrary.js';
export { serializeEvents, workloadEventStream, firstDifference } from './eventStream.js';
export type { RecordNormalizer } from './eventStream.js';
export { assertLaw, expectNoViolations } from './assertLaw.js';
export type { LawOptions } from './assertLaw.js';
export {
  checkInvariants,
  checkConservation,
  checkClientAllocations,
  checkQuotaLimits,
  checkQuotaAccounting,
  checkReservedOffers,
  checkSorters,
  quotaLimitLaw,
} from './invariants.js';
export type { Violation } from './invariants.js';
export { checkLifecycleInvariants, checkTaskHistories, checkVolumes, checkNoOrphans } from './lifecycleInvariants.js';
export { checkDrfOrder } from './drfOrder.js';
export { checkDrfShares } from './drfShares.js';
