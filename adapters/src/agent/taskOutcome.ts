/**
 * How a task's end maps to its terminal status, as one pure function. First
 * rule that matches: a container limitation (OOM, disk) -> TASK_FAILED with
 * its reason; killed before the command ran -> TASK_KILLED /
 * REASON_TASK_KILLED_DURING_LAUNCH; killed -> TASK_KILLED (healthy: false
 * when health checks asked for it); exit 0 -> TASK_FINISHED; status unknown
 * (ended while no agent ran) -> TASK_FAILED / REASON_EXECUTOR_TERMINATED;
 * launcher aborted before "go" -> TASK_FAILED / REASON_CONTAINER_LAUNCH_FAILED;
 * anything else -> TASK_FAILED "exited with code N".
 */
import type { TaskReason, TaskState } from '@allot/kernel';
import type { TaskRecord } from './checkpointStore.js';
import type { Limitation } from './isolation/isolator.js';
import { describeExit, EXIT_LAUNCH_ABORTED } from './taskProcess.js';
import type { ExitStatus } from './taskProcess.js';

export interface UpdateDetails {
  reason?: TaskReason;
  message?: string;
  healthy?: boolean;
}

export function taskOutcome(
  kill: TaskRecord['kill'],
  released: boolean,
  status: ExitStatus,
  limitation: Limitation | null,
): [TaskState, UpdateDetails] {
  if (limitation) return ['TASK_FAILED', { reason: limitation.reason, message: limitation.message }];
  if (kill && !released)
    return ['TASK_KILLED', { reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'killed before the command started' }];
  if (kill?.reason === 'health_check')
    return ['TASK_KILLED', { message: `killed after failing health checks; ${describeExit(status)}`, healthy: false }];
  if (kill) return ['TASK_KILLED', { message: `killed; ${describeExit(status)}` }];
  if (status.code === 0 && status.signal === null) return ['TASK_FINISHED', { message: describeExit(status) }];
  if (status.code === null && status.signal === null)
    return ['TASK_FAILED', { reason: 'REASON_EXECUTOR_TERMINATED', message: describeExit(status) }];
  if (status.code === EXIT_LAUNCH_ABORTED && !released)
    return ['TASK_FAILED', { reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: 'the launcher ended before the command started' }];
  return ['TASK_FAILED', { message: describeExit(status) }];
}
