/**
 * A task as the master tracks it: who owns it, where it runs, what it holds and
 * every state it has been in. Invariant: `resources` are charged to the agent
 * and to the framework's allocation exactly while the state does not release
 * resources (see taskState.ts).
 */
import type { ResourceSet } from '../resources/resourceSet.js';
import type { TaskReason, TaskState } from './taskState.js';

export interface TaskSpec {
  taskId: string;
  name?: string;
  /** Tasks sharing an executor on an agent are shut down together (SHUTDOWN); default: the task's own. */
  executorId?: string;
  resources: ResourceSet;
  /** Opaque to the kernel: what the host needs to run it (command, duration in a simulation, ...). */
  data?: unknown;
}

export interface TaskStatus {
  taskId: string;
  frameworkId: string;
  agentId: string;
  state: TaskState;
  reason?: TaskReason;
  message?: string;
  /** Set on agent-originated updates: the framework must acknowledge it. */
  uuid?: string;
  healthy?: boolean;
  /** The latest result of the task's check (Mesos `check_status`), on every update of a task that has one. */
  checkStatus?: CheckStatus;
  timestampMs: number;
}

/**
 * A check's latest result (Mesos `CheckStatusInfo`), by the check's type: a
 * COMMAND check's exit code, an HTTP check's status code, whether a TCP
 * check's connection opened; null while none is available (not run yet,
 * timed out). A status without `type` is a COMMAND check's.
 */
export type CheckStatus =
  | { type?: 'COMMAND'; exitCode: number | null }
  | { type: 'HTTP'; statusCode: number | null }
  | { type: 'TCP'; succeeded: boolean | null };

/** Whether a check passed: exit code 0, an HTTP status from 200 to 399 (as Mesos's HTTP health checks count it), a TCP connection. */
export function checkPassed(status: CheckStatus | undefined): boolean {
  if (status === undefined) return false;
  if (status.type === 'HTTP') return status.statusCode !== null && status.statusCode >= 200 && status.statusCode < 400;
  if (status.type === 'TCP') return status.succeeded === true;
  return status.exitCode === 0;
}

export interface Task {
  readonly id: string;
  readonly name: string;
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  readonly resources: ResourceSet;
  readonly executorId: string;
  readonly data?: unknown;
  state: TaskState;
  /** Uuids of agent updates forwarded to the framework and not yet acknowledged, oldest first. */
  unacknowledged: string[];
  /** The latest status, as reconciliation reports it. */
  latest: TaskStatus | null;
  /** Every state the task has been in, oldest first. */
  readonly history: Array<{ state: TaskState; atMs: number; reason?: TaskReason }>;
}
