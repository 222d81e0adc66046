/**
 * The Mesos task states and their legal moves, as one literal table.
 * Terminal states are sticky. Resources are recovered on the first move into a
 * terminal state or TASK_UNREACHABLE. TASK_UNKNOWN appears only in
 * reconciliation replies and is never stored.
 */

export const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
] as const;

export type TaskState = (typeof TASK_STATES)[number];

const TERMINAL: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}

/** Terminal or unreachable: the task no longer holds resources. */
export function releasesResources(state: TaskState): boolean {
  return TERMINAL.has(state) || state === 'TASK_UNREACHABLE';
}

const ENDINGS: readonly TaskState[] = [
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];

/** from -> the states it may move to. A state may always repeat itself (a resent update). */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  TASK_STAGING: ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', ...ENDINGS],
  TASK_STARTING: ['TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', ...ENDINGS],
  TASK_RUNNING: ['TASK_KILLING', 'TASK_UNREACHABLE', ...ENDINGS],
  TASK_KILLING: ['TASK_UNREACHABLE', ...ENDINGS],
  // An unreachable agent may come back with the task in any live or final state.
  TASK_UNREACHABLE: ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', ...ENDINGS],
  TASK_FINISHED: [],
  TASK_FAILED: [],
  TASK_KILLED: [],
  TASK_ERROR: [],
  TASK_LOST: [],
  TASK_DROPPED: [],
  TASK_GONE: [],
  TASK_GONE_BY_OPERATOR: [],
  TASK_UNKNOWN: [],
};

export function canTransition(from: TaskState, to: TaskState): boolean {
  if (to === 'TASK_UNKNOWN') return false;
  if (from === to) return !isTerminal(from);
  return TASK_TRANSITIONS[from].includes(to);
}

export type TaskReason =
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_CONTAINER_LIMITATION_DISK'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_FETCHER_FAILED'
  | 'REASON_EXECUTOR_TERMINATED'
  /** The agent restarted and the executor did not subscribe again in time. */
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  /** The agent restarted before the executor received the task. */
  | 'REASON_AGENT_RESTARTED'
  | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_DISCONNECTED'
  | 'REASON_INVALID_OFFERS'
  | 'REASON_RECONCILIATION'
  | 'REASON_TASK_INVALID'
  /** The master's authorizer refused the launch (Mesos's launch_tasks / run_tasks ACLs). */
  | 'REASON_TASK_UNAUTHORIZED'
  | 'REASON_TASK_GROUP_UNAUTHORIZED'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_FRAMEWORK_REMOVED'
  | 'REASON_COMMAND_EXECUTOR_FAILED'
  | 'REASON_AGENT_DRAINING'
  | 'REASON_TASK_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED';
