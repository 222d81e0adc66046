/**
 * What a framework may see. Frameworks without the PARTITION_AWARE capability
 * predate the finer states: they see TASK_LOST wherever Mesos would say
 * DROPPED, UNREACHABLE, GONE, GONE_BY_OPERATOR or UNKNOWN.
 */
import type { TaskState } from './taskState.js';

const PARTITION_AWARE_ONLY: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

export function visibleState(state: TaskState, partitionAware: boolean): TaskState {
  return !partitionAware && PARTITION_AWARE_ONLY.has(state) ? 'TASK_LOST' : state;
}
