/**
 * What a modelled task carries for the agent that runs it (the kernel keeps a
 * task's `data` opaque): how long it runs. The simulated agent ends the task
 * with TASK_FINISHED after `durationMs`; null means it runs until killed.
 */
export interface TaskRunData {
  durationMs: number | null;
}
