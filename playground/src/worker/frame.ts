/**
 * What crosses the worker boundary: one Frame per reply, everything the views
 * draw at one moment of simulated time. Per-agent data travels as typed arrays
 * (transferred, not copied); everything else is small plain data. A Frame is
 * immutable once sent: the UI keeps it in `$state.raw` and never edits it.
 */
import type { ScenarioFault, ScenarioInput, ScenarioError } from '@allot/kernel';

export interface RoleFrame {
  name: string;
  weight: number;
  /** Unweighted dominant share of the cluster allocated to the role: its tasks plus the offers it holds (0..1), as the DRF sorter counts. */
  share: number;
  /** The share the DRF sorter compares: dominant share divided by weight. */
  weightedShare: number;
  allocated: Record<string, number>;
  /** Quota as fractions of the cluster total, on the quota's most constraining resource. */
  quotaGuaranteeShare: number | null;
  quotaLimitShare: number | null;
  quotaText: string | null;
}

export interface FrameworkFrame {
  id: string;
  role: string;
  /** The framework kind: batch, service, stateful, elastic. */
  kind: string;
  /** For stateful frameworks, which system the service models (cassandra, kafka, generic). */
  flavor: string | null;
  share: number;
  tasks: Record<string, number>;
  running: number;
  pending: number;
  launched: number;
  connected: boolean;
  suppressed: boolean;
  allocated: Record<string, number>;
}

/** Per agent, `count` entries (or `count * roleNames.length` for `fill`). */
export interface AgentBulk {
  /** Changes whenever the list of agents (ids, order) changes. */
  version: number;
  /** Sent only when `version` changed since the UI's last frame (or on a reset). */
  ids: string[] | null;
  roleNames: string[];
  count: number;
  /** Fraction of the agent's cpus (or its first resource) held by each role's tasks, agent-major. */
  fill: Float32Array;
  /** Fraction in outstanding offers. */
  offered: Float32Array;
  /** Fraction reserved for some role (static or dynamic), and that role's index in roleNames (-1 none). */
  reserved: Float32Array;
  reservedRole: Int16Array;
  /** AGENT_UP, AGENT_DOWN, AGENT_PARTITIONED, AGENT_REREGISTERING. */
  status: Uint8Array;
  /** Live tasks on the agent. */
  tasks: Uint16Array;
  /** 1 when the agent holds a persistent volume. */
  volumes: Uint8Array;
  /**
   * Aggregates the worker computes in the same pass, so the UI never loops
   * over the agents for them: agents per status (indexed by the AGENT_ constants) and
   * each role's share of the whole cluster's cpus held by its tasks.
   */
  statusCounts: Uint32Array;
  roleCpuShare: Float32Array;
}

export const AGENT_UP = 0;
export const AGENT_DOWN = 1;
export const AGENT_PARTITIONED = 2;
/** After a master failover: the new master knows the agent from its registry, and waits for it to re-register. */
export const AGENT_REREGISTERING = 3;
export const AGENT_STATUSES = 4;

export interface EventRecord {
  seq: number;
  atMs: number;
  type: string;
  group: 'offer' | 'task' | 'agent' | 'framework' | 'allocation' | 'role';
  frameworkId?: string;
  agentId?: string;
  taskId?: string;
  text: string;
}

export type OfferOutcome = 'outstanding' | 'accepted' | 'declined' | 'rescinded';

export interface OfferFlowRecord {
  offerId: string;
  /** 1-based position in the cycle: the DRF order in which the agent went to frameworks. */
  order: number;
  frameworkId: string;
  role: string;
  agentId: string;
  resources: string;
  outcome: OfferOutcome;
  tasks: number;
  filterMs: number;
  /** Reservation and volume operations applied with the accept (RESERVE, CREATE, DESTROY, UNRESERVE), in order. */
  operations?: string[];
  rescindReason?: string;
}

export interface OfferCycleFrame {
  /** The cycle's number in the run: it goes on counting through master failovers. */
  cycle: number;
  /** The number the master that ran it gave it (it restarts at 1 after a failover; Explain's log uses it). */
  masterCycle: number;
  /** Which master ran it: 1 for the first, 2 after one failover, ... */
  incarnation: number;
  atMs: number;
  trigger: string;
  offersTotal: number;
  offers: OfferFlowRecord[];
}

/** One point of the time series, taken at every interval allocation cycle. */
export interface Sample {
  atMs: number;
  roleShares: number[];
  frameworkShares: number[];
  /** Allocated / total of the utilisation resource (cpus). */
  utilization: number;
  /** Jain's index over roles' weighted dominant shares (1 = perfectly fair). */
  fairness: number;
  /** Mean wait from a task becoming wanted to its launch, over tasks launched so far. */
  meanWaitMs: number;
  running: number;
  pending: number;
}

export interface ClusterFrame {
  agents: number;
  agentsUp: number;
  total: Record<string, number>;
  allocated: Record<string, number>;
  utilization: Record<string, number>;
}

/** One step of a plan as the report gives it, with why it is not done yet. */
export interface PlanStepFrame {
  name: string;
  status: string;
  reasons: string[];
}

export interface PlanPhaseFrame {
  name: string;
  status: string;
  strategy: string;
  steps: PlanStepFrame[];
}

/** The report's `plans` entries (kernel/src/sdk/plan.ts PlanView). */
export interface PlanFrame {
  framework: string;
  name: string;
  kind: string;
  status: string;
  strategy: string;
  phases: PlanPhaseFrame[];
  errors?: string[];
}

/** The answer to one plan or pod control (Simulation.controlResults). */
export interface ControlRecord {
  /** Position among all control results of the run (1-based). */
  seq: number;
  atMs: number;
  framework: string;
  control: string;
  ok: boolean;
  /** False for "already done": the control was valid and changed nothing. */
  changed: boolean;
  message: string;
}

/** Sections a frame may leave out because the view already holds them unchanged. */
export type VersionedSection = 'offerCycles' | 'plans' | 'details' | 'controls';

export interface Frame {
  requestId: number;
  /** Bumps on every load and every backward seek: the UI drops its accumulated history. */
  epoch: number;
  nowMs: number;
  durationMs: number;
  allocationIntervalMs: number;
  scenarioName: string;
  seed: number;
  /** A fingerprint of the master's state (tasks, agents' free resources, offers, counters). */
  digest: string;
  roles: RoleFrame[];
  frameworks: FrameworkFrame[];
  taskStates: Record<string, number>;
  /** "FROM>TO" -> how many times a task moved along that edge since the start. */
  transitions: Record<string, number>;
  counters: Record<string, number>;
  cluster: ClusterFrame;
  agents: AgentBulk;
  /** Events since the previous frame (the latest ones when there were too many). */
  events: EventRecord[];
  eventsTotal: number;
  offerCycles: OfferCycleFrame[];
  /** Samples from index `samplesFrom` on: what the UI did not have yet (all of them after a reset). */
  samples: Sample[];
  samplesFrom: number;
  /**
   * Faults injected from the playground (not the scenario's own), with their
   * times: all of them, also those after now that a rewind will replay.
   */
  faults: ScenarioFault[];
  /** How many of `faults` have been applied by now (the rest lie ahead). */
  faultsApplied: number;
  plans: PlanFrame[];
  /** Kind-specific figures per framework id (report.frameworks[i].details). */
  details: Record<string, Record<string, unknown>>;
  /** The latest answers to plan and pod controls, oldest first. */
  controls: ControlRecord[];
  /** Versions of the sections above; a section whose version the view already has is sent empty and named in `unchanged`. */
  versions: Record<VersionedSection, number>;
  unchanged: VersionedSection[];
  violations: string[];
  /** A fault or step that failed, said plainly (null when all went well). */
  notice: string | null;
  /** Bytes of the typed arrays plus the JSON size of the rest. */
  bytes: number;
}

export type LoadResult = { ok: true; frame: Frame } | { ok: false; errors: ScenarioError[] };

export interface LoadRequest {
  scenario: ScenarioInput;
  seed?: number;
  faults?: ScenarioFault[];
  untilMs?: number;
}

export interface TaskDetail {
  id: string;
  frameworkId: string;
  role: string;
  agentId: string;
  state: string;
  resources: string;
  history: Array<{ state: string; atMs: number; reason?: string }>;
}

export interface TaskSummary {
  id: string;
  frameworkId: string;
  agentId: string;
  state: string;
}

export interface AgentDetail {
  id: string;
  hostname: string;
  /** 'reregistering': a new master knows it from its registry and waits for it to re-register. */
  status: 'up' | 'down' | 'partitioned' | 'reregistering';
  /** Whether the simulated host runs (Restart applies to a host that does not; Crash to one that does). */
  hostUp: boolean;
  /** Whether it is cut off from the master by a partition (Heal applies). */
  partitioned: boolean;
  total: string;
  free: string;
  reservations: string[];
  attributes: Record<string, string | number>;
  tasks: TaskSummary[];
  offers: string[];
}

export interface ExplainResult {
  outcome: string;
  /** The answer in the playground's words (seconds, run-wide cycle numbers, the agent's state now). */
  message: string;
  /** The cycle the answer comes from, numbered as the Offers view numbers it, and when it ran. */
  cycle: number | null;
  atMs: number | null;
  /** What the allocator's decision log holds: how many cycles, and the time of the oldest. */
  keptCycles: number;
  keptSinceMs: number | null;
  agentStatus: AgentDetail['status'];
  /** Who was considered on the agent in that cycle, in DRF order, with the share each had when considered. */
  considered: Array<{ frameworkId: string; role: string; outcome: string; share: number }>;
  /** Every reason that applies (the kernel's REASON codes, the outcome first), as `GET /explain` lists them. */
  reasons: Array<{ code: string; message: string }>;
}
