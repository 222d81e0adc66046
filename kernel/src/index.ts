/**
 * @allot/kernel: the public surface, listed explicitly (no `export *`), so
 * that what users may rely on is a decision, not an accident.
 */
export { Master, DEFAULT_MIN_ALLOCATABLE } from './master/master.js';
export type { MasterOptions, StepResult, MasterCounters } from './master/master.js';
export type { ExecutorRecord } from './master/executorTable.js';
export type {
  AcceptOperation,
  Command,
  CommandType,
  FrameworkSpec,
  LaunchOperation,
  OfferOperation,
  ReportedExecutor,
  ReportedTask,
  UnauthorizedOperation,
} from './master/commands.js';
export type { KernelEvent, KernelEventType, RescindReason } from './master/events.js';
export { snapshotMaster, restoreMaster } from './master/snapshot.js';
export type { MasterSnapshot } from './master/snapshot.js';
export { serializeResourceSet, deserializeResourceSet } from './agents/agentRecord.js';
export type { AgentRecord, SerializedResourceSet } from './agents/agentRecord.js';
export type { Effect, EffectType, Rejection } from './master/effects.js';
export { createPrng, shuffleInPlace } from './prng.js';
export { RECORDING_VERSION, eventsDigest, stateDigest, isRecordingHeader } from './recording/recording.js';
export type { RecordingHeader, RecordedStep, RecordingLine, RecordedMasterOptions } from './recording/recording.js';
export { recordingStringify, recordingParse } from './recording/recordingJson.js';
export { Replayer } from './recording/replayer.js';
export type { ReplayOptions, ReplayStep } from './recording/replayer.js';
export { parseRecording } from './recording/recordingReader.js';
export type { ParsedRecording, RecordingParseResult, RecordingSegmentText } from './recording/recordingReader.js';
export type { Prng } from './prng.js';

export { ResourceLayout, roundScalar, WELL_KNOWN_SCALARS } from './resources/layout.js';
export type { ResourceQuantities } from './resources/layout.js';
export {
  VectorPool,
  SCALAR_EPSILON,
  add,
  addInto,
  subtract,
  subtractInto,
  contains,
  equals,
  isEmpty,
  dominantShare,
} from './resources/vector.js';
export {
  normalizeRanges,
  mergeRanges,
  subtractRanges,
  containsRanges,
  rangesCount,
  takePorts,
  portList,
  NO_RANGES,
} from './resources/ranges.js';
export type { Range, Ranges } from './resources/ranges.js';
export {
  addResourceSets,
  subtractResourceSets,
  resourceSetContains,
  isEmptyResourceSet,
  emptyResourceSet,
  describeResourceSet,
  reservedPart,
  reservationKey,
} from './resources/resourceSet.js';
export type { ResourceSet, ReservedPart, ReservationInfo, VolumeInfo, ResourceSetDescription } from './resources/resourceSet.js';

export { roleNameProblem, isSelfOrAncestor, topLevelRole, UNRESERVED_ROLE } from './roles/roleName.js';
export type { QuotaSpec } from './roles/quota.js';
export { filterDurationMs, DEFAULT_REFUSE_SECONDS } from './allocator/allocator.js';
export { Sorter } from './allocator/sorter.js';
export type { SorterKind } from './allocator/sorter.js';
export type { AllocationDecision, DecisionOutcome, CycleDecisions } from './allocator/decisions.js';
export { explainAllocation } from './allocator/explain.js';
export type { Explanation, ExplainSource } from './allocator/explain.js';
export { REASON } from './allocator/explainReasons.js';
export type { ExplainReason, ReasonCode, QuotaFigure } from './allocator/explainReasons.js';
export { explainMatrix } from './allocator/explainMatrix.js';
export type { ExplainMatrix, MatrixCell } from './allocator/explainMatrix.js';
export type { Offer } from './offers/offer.js';
export type { InverseOffer, MachineId, MachineMode, MaintenanceWindow } from './maintenance/maintenance.js';
export { machineKey } from './maintenance/maintenance.js';
export type { AgentSpec, AgentAttributes, StaticReservationSpec } from './agents/agent.js';

export { TASK_STATES, TASK_TRANSITIONS, canTransition, isTerminal, releasesResources } from './tasks/taskState.js';
export type { TaskState, TaskReason } from './tasks/taskState.js';
export type { CheckStatus, Task, TaskSpec, TaskStatus } from './tasks/task.js';
export { checkPassed } from './tasks/task.js';
export {
  StatusUpdateManager,
  uuidFromPrng,
  STATUS_UPDATE_RETRY_INITIAL_MS,
  STATUS_UPDATE_RETRY_MAX_MS,
  taskStreamKey,
} from './tasks/statusUpdateManager.js';
export type { StatusUpdate, AcknowledgeResult, StatusUpdateManagerSnapshot } from './tasks/statusUpdateManager.js';

export { Simulation } from './sim/simulation.js';
export { scenarioResourceNames } from './sim/simulationOptions.js';
export type { SimulationOptions, InvariantViolation } from './sim/simulation.js';
export { simulate } from './sim/simulate.js';
export type { SimulateOptions } from './sim/simulate.js';
export { buildReport } from './sim/report.js';
export type { SimulationReport, FrameworkReport } from './sim/report.js';
export { traceRecord } from './sim/trace.js';
export { compareWithSilos, siloScenarios } from './sim/silos.js';
export type { PlanView, ControlResult, Step, Plan } from './sdk/plan.js';
export type { Status } from './sdk/status.js';
export type { ServiceSpec, PodSpec, PodTaskSpec, PortSpec, ReadinessCheckSpec, HealthCheckSpec, VolumeSpec } from './sdk/serviceSpec.js';
export type { SiloComparison, RunFigures } from './sim/silos.js';
export { parseScenario, formatScenarioErrors } from './sim/scenario.js';
export { clusterView } from './views/clusterView.js';
export type { AgentView, ClusterView, FrameworkView, RoleView } from './views/clusterView.js';
export { forkScenario } from './sim/fork/forkScenario.js';
export type { ForkInput, ForkResult } from './sim/fork/forkScenario.js';
export type { ForkedServiceInput } from './sim/fork/forkServices.js';
export type { ForkedMarathonInput } from './sim/fork/forkMarathons.js';
export type { ObservedFramework } from './sim/fork/forkHistory.js';
export { applyWhatIf, busiestAgents, describeWhatIf, runWhatIf, DEFAULT_WHAT_IF_AT_MS } from './sim/whatIf.js';
export type { WhatIfEdits, WhatIfFramework, WhatIfOutcome, MovedTask } from './sim/whatIf.js';
export type {
  Scenario,
  ScenarioInput,
  ScenarioError,
  ScenarioResult,
  ScenarioFault,
  ScenarioFramework,
  ScenarioFrameworkInput,
  ScenarioAgent,
  ScenarioAgentInput,
  ScenarioAgentTask,
  ScenarioRole,
  ScenarioRoleInput,
} from './sim/scenario.js';
export { frameworkKinds, frameworkKind } from './frameworks/index.js';
export type { FrameworkKindPlugin } from './frameworks/frameworkKind.js';
export type { FrameworkKind, FrameworkConfig, FrameworkCapability } from './schedulers/frameworkConfig.js';
export type { FrameworkModel, SchedulerContext, FrameworkCall } from './schedulers/frameworkModel.js';
export {
  Fields,
  fieldPath,
  indexPath,
  isPlainObject,
  reportExpected,
  describeValue,
  quote,
  quoteList,
} from './schedulers/fieldReaders.js';
export type { Errors, FieldError, Reader, ScalarReader } from './schedulers/fieldReaders.js';
export { ServiceScheduler } from './sdk/serviceScheduler.js';
export type { ServiceControl, ServiceSchedulerSnapshot } from './sdk/serviceScheduler.js';
export type { PlanControl } from './sdk/planControls.js';
export { readServiceSpec } from './sdk/serviceSpecReader.js';
export { specChangeProblems } from './sdk/configValidators.js';
export type { SdkTaskData } from './sdk/sdkTaskData.js';
export type { PodInstance, TaskRecord } from './sdk/podInstance.js';
export type { Evaluation, StageOutcome } from './sdk/offerEvaluator.js';
export { JobsFramework } from './frameworks/batch/jobsFramework.js';
export type { BatchJobSpec, JobControl, JobProgress, JobsSnapshot } from './frameworks/batch/jobsFramework.js';
export type { JobRecord } from './frameworks/batch/jobStats.js';
export { MyriadFramework } from './frameworks/elastic/myriadFramework.js';
export type { FlexControl, MyriadHostOptions, MyriadSnapshot, NodeManager } from './frameworks/elastic/myriadFramework.js';
export { DEFAULT_NODE_MANAGER_OVERHEAD, DEFAULT_PROFILES, isZeroProfile, nodeManagerResources } from './frameworks/elastic/profiles.js';
export type { Profile } from './frameworks/elastic/profiles.js';
export type { ElasticOptions } from './frameworks/elastic/elasticSpec.js';
export { MarathonFramework } from './frameworks/service/marathonFramework.js';
export type { AppControl, AppControlResult, MarathonHostOptions, MarathonSnapshot } from './frameworks/service/marathonFramework.js';
export type { AppState, Instance, KillReason, TaskIdOf } from './frameworks/service/appState.js';
export type { ServiceApp, ServiceOptions } from './frameworks/service/appSpec.js';
export type { UnreachableStrategy } from './frameworks/service/unreachableStrategy.js';
export type { HealthCheckSpec as AppHealthCheckSpec } from './frameworks/service/healthCheck.js';
export { MARATHON_BACKOFF } from './frameworks/service/launchBackoff.js';
export { DEFAULT_UPGRADE_STRATEGY, upgradeBounds } from './frameworks/service/upgradeStrategy.js';
export { parseConstraint } from './sdk/constraints.js';
export type { PlacementConstraint, PlacementTarget } from './sdk/constraints.js';
export { parseScenarioText } from './sim/scenarioText.js';
export { builtinScenarios, findBuiltinScenario } from './sim/scenarios/index.js';
export { checkInvariants } from './testing/invariants.js';
export type { Violation } from './testing/invariants.js';
