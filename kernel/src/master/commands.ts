/**
 * Commands: everything that can happen to a master, as data. Each carries the
 * host's clock reading `nowMs` (the kernel has no clock of its own). Names are
 * imperative; the master answers with past-tense events and with effects.
 * Sources: frameworks (subscribe, accept, ...), agents (register, status),
 * operators (reserve, drain, ...) and the host (tick, failure detection).
 */
import type { AgentAttributes, AgentSpec } from '../agents/agent.js';
import type { ResourceQuantities } from '../resources/layout.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import type { ResourceOperation } from '../reservations/resourceConversion.js';
import type { QuotaSpec } from '../roles/quota.js';
import type { CheckStatus, TaskSpec } from '../tasks/task.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import type { MachineId, MaintenanceWindow } from '../maintenance/maintenance.js';

export interface FrameworkSpec {
  id: string;
  name?: string;
  roles: readonly string[];
  /** Mesos capability names: GPU_RESOURCES, PARTITION_AWARE, TASK_KILLING_STATE, ... */
  capabilities?: readonly string[];
  /** Per role: the framework's own minimum allocatable alternatives (overrides the master's). */
  minAllocatable?: Readonly<Record<string, readonly ResourceQuantities[]>>;
}

/** A custom executor an agent reports when it (re-)registers, with its own resources. */
export interface ReportedExecutor {
  frameworkId: string;
  executorId: string;
  role: string;
  resources: ResourceSet;
  /** A DEFAULT executor (run by the agent as its tasks): it ends with the last of them. */
  endsWithTasks?: boolean;
}

/** A task an agent reports when it (re-)registers. */
export interface ReportedTask {
  taskId: string;
  /** The task's name as launched (the master keeps no tasks across a failover: the agent brings it back). */
  name?: string;
  frameworkId: string;
  role: string;
  resources: ResourceSet;
  state: TaskState;
  executorId?: string;
  data?: unknown;
}

export type OfferOperation =
  | { type: 'LAUNCH'; tasks: readonly TaskSpec[] }
  /** All tasks start, or none does. */
  | { type: 'LAUNCH_GROUP'; tasks: readonly TaskSpec[] }
  | ResourceOperation;

/** What an ACCEPT applies: a framework's operations, and in their place those the host refused. */
export type AcceptOperation = OfferOperation | UnauthorizedOperation;

/**
 * An operation the host's authorizer refused, kept in its place in the pipeline as Mesos does: its
 * tasks end TASK_ERROR (REASON_TASK_UNAUTHORIZED, or REASON_TASK_GROUP_UNAUTHORIZED for a group),
 * a refused reservation or volume operation is dropped, and the rest of the ACCEPT goes ahead.
 */
export interface UnauthorizedOperation {
  type: 'UNAUTHORIZED';
  /** The refused operation's type (LAUNCH, LAUNCH_GROUP, RESERVE, ...). */
  operation: string;
  /** The tasks a refused LAUNCH or LAUNCH_GROUP names; none for other operations. */
  tasks: readonly TaskSpec[];
  /** Why, as the authorizer said it. */
  message: string;
}

export type LaunchOperation = Extract<OfferOperation, { type: 'LAUNCH' }>;

/** Explicit reconciliation names tasks (and, when known, their agents); implicit names none. */
export interface ReconcileTask {
  taskId: string;
  agentId?: string;
}

export type Command =
  // Agents and the host's failure detection
  /** `executors`: the agent's running custom executors; absent = the agent does not say (none are released). */
  | { type: 'agent.add'; nowMs: number; agent: AgentSpec; tasks?: readonly ReportedTask[]; executors?: readonly ReportedExecutor[] }
  | {
      type: 'agent.reregister';
      nowMs: number;
      agent: AgentSpec;
      tasks: readonly ReportedTask[];
      executors?: readonly ReportedExecutor[];
    }
  | { type: 'agent.disconnect'; nowMs: number; agentId: string }
  | { type: 'agent.unreachable'; nowMs: number; agentId: string }
  | { type: 'agent.remove'; nowMs: number; agentId: string }
  | {
      type: 'task.status';
      nowMs: number;
      agentId: string;
      frameworkId: string;
      taskId: string;
      state: TaskState;
      reason?: TaskReason;
      message?: string;
      uuid?: string;
      healthy?: boolean;
      checkStatus?: CheckStatus;
    }
  // Frameworks
  | { type: 'framework.subscribe'; nowMs: number; framework: FrameworkSpec }
  | { type: 'framework.disconnect'; nowMs: number; frameworkId: string }
  | { type: 'framework.teardown'; nowMs: number; frameworkId: string }
  | { type: 'framework.suppress'; nowMs: number; frameworkId: string; roles?: readonly string[] }
  | { type: 'framework.revive'; nowMs: number; frameworkId: string; roles?: readonly string[] }
  | { type: 'framework.reconcile'; nowMs: number; frameworkId: string; tasks: readonly ReconcileTask[] }
  | {
      type: 'offer.accept';
      nowMs: number;
      frameworkId: string;
      offerIds: readonly string[];
      operations: readonly AcceptOperation[];
      refuseSeconds?: number;
    }
  | { type: 'offer.decline'; nowMs: number; frameworkId: string; offerIds: readonly string[]; refuseSeconds?: number }
  | { type: 'task.kill'; nowMs: number; frameworkId: string; taskId: string; agentId?: string; gracePeriodMs?: number }
  | { type: 'task.acknowledge'; nowMs: number; frameworkId: string; agentId: string; taskId: string; uuid: string }
  | { type: 'executor.shutdown'; nowMs: number; frameworkId: string; agentId: string; executorId: string }
  /** The agent reports a custom executor's process ended (`status`: its exit status, when known). */
  | { type: 'executor.exited'; nowMs: number; frameworkId: string; agentId: string; executorId: string; status?: number }
  // Operators
  | { type: 'role.update'; nowMs: number; role: string; weight?: number; quota?: QuotaSpec | null }
  | { type: 'operator.reserve' | 'operator.unreserve'; nowMs: number; agentId: string; role: string; resources: ResourceSet }
  | { type: 'operator.createVolumes' | 'operator.destroyVolumes'; nowMs: number; agentId: string; role: string; volumes: ResourceSet }
  | { type: 'agent.drain'; nowMs: number; agentId: string; markGone?: boolean }
  /** Mesos's maintenance primitives (maintenanceHandlers.ts). */
  | { type: 'maintenance.schedule'; nowMs: number; windows: readonly MaintenanceWindow[] }
  | { type: 'maintenance.start' | 'maintenance.stop'; nowMs: number; machines: readonly MachineId[] }
  | { type: 'inverseOffer.accept'; nowMs: number; frameworkId: string; inverseOfferIds: readonly string[] }
  | { type: 'inverseOffer.decline'; nowMs: number; frameworkId: string; inverseOfferIds: readonly string[]; refuseSeconds?: number }
  | { type: 'agent.markGone'; nowMs: number; agentId: string }
  | { type: 'agent.updateAttributes'; nowMs: number; agentId: string; attributes: AgentAttributes }
  /** Lets time pass: runs due allocation cycles, offer timeouts and agent timeouts. */
  | { type: 'tick'; nowMs: number };

export type CommandType = Command['type'];
