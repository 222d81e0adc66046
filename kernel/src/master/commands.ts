/**
 * Commands: everything that can happen to a master, as data. Each carries the
 * host's clock reading `nowMs` (the kernel has no clock of its own). Names are
 * imperative; the master answers with past-tense events and with effects.
 */
import type { AgentSpec } from '../agents/agent.js';
import type { ResourceQuantities } from '../resources/layout.js';
import type { QuotaSpec } from '../roles/quota.js';
import type { TaskSpec } from '../tasks/task.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';

export interface FrameworkSpec {
  id: string;
  name?: string;
  roles: readonly string[];
  /** Mesos capability names: GPU_RESOURCES, PARTITION_AWARE, TASK_KILLING_STATE, ... */
  capabilities?: readonly string[];
  /** Per role: the framework's own minimum allocatable alternatives (overrides the master's). */
  minAllocatable?: Readonly<Record<string, readonly ResourceQuantities[]>>;
}

/** A task an agent reports as already running when it (re-)registers. */
export interface ReportedTask {
  taskId: string;
  frameworkId: string;
  role: string;
  resources: TaskSpec['resources'];
  state: TaskState;
  data?: unknown;
}

export interface LaunchOperation {
  type: 'LAUNCH';
  tasks: readonly TaskSpec[];
}

export type OfferOperation = LaunchOperation;

export type Command =
  | { type: 'agent.add'; nowMs: number; agent: AgentSpec; tasks?: readonly ReportedTask[] }
  | { type: 'agent.remove'; nowMs: number; agentId: string }
  | { type: 'framework.subscribe'; nowMs: number; framework: FrameworkSpec }
  | { type: 'framework.disconnect'; nowMs: number; frameworkId: string }
  | { type: 'framework.teardown'; nowMs: number; frameworkId: string }
  | { type: 'framework.suppress'; nowMs: number; frameworkId: string; roles?: readonly string[] }
  | { type: 'framework.revive'; nowMs: number; frameworkId: string; roles?: readonly string[] }
  | {
      type: 'offer.accept';
      nowMs: number;
      frameworkId: string;
      offerIds: readonly string[];
      operations: readonly OfferOperation[];
      refuseSeconds?: number;
    }
  | { type: 'offer.decline'; nowMs: number; frameworkId: string; offerIds: readonly string[]; refuseSeconds?: number }
  | { type: 'task.kill'; nowMs: number; frameworkId: string; taskId: string }
  | { type: 'task.status'; nowMs: number; agentId: string; frameworkId: string; taskId: string; state: TaskState; reason?: TaskReason; message?: string }
  | { type: 'role.update'; nowMs: number; role: string; weight?: number; quota?: QuotaSpec | null }
  /** Lets time pass: runs due allocation cycles and offer timeouts. */
  | { type: 'tick'; nowMs: number };

export type CommandType = Command['type'];
