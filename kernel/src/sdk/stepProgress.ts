/**
 * How far a step has got, read from its pod instance (docs/semantics.md, "Services"):
 * launched → STARTING; RUNNING + goal RUNNING + ready under the target config
 * → COMPLETE, RUNNING otherwise → STARTED; FINISHED + goal FINISH/ONCE →
 * COMPLETE, FINISHED + goal RUNNING → PENDING (relaunch); FAILED/ERROR →
 * DELAYED while backing off, else PENDING; KILLED/LOST/GONE/DROPPED/
 * UNREACHABLE → PENDING. A step whose offers did not match stays PREPARED.
 */
import { isTerminal } from '../tasks/taskState.js';
import type { Step } from './plan.js';
import type { PodInstance } from './podInstance.js';
import type { PodSpec } from './serviceSpec.js';
import type { Status } from './status.js';

/** Whether the instance runs as the target config wants (the step's goal reached). */
export function instanceDone(instance: PodInstance, pod: PodSpec, targetConfigId: number, taskNames?: readonly string[]): boolean {
  if (instance.relaunchPending) return false;
  return pod.tasks
    .filter((task) => !taskNames || taskNames.includes(task.name))
    .every((task) => {
      const record = instance.tasks[task.name];
      if (!record) return false;
      if (task.goal === 'ONCE') return record.state === 'TASK_FINISHED';
      if (record.configId !== targetConfigId) return false;
      if (task.goal === 'FINISH') return record.state === 'TASK_FINISHED';
      return record.state === 'TASK_RUNNING' && record.ready;
    });
}

/**
 * Tasks of the instance that are launched and not over. An unreachable task
 * does not count: its agent may never come back, and what the instance does
 * next (relaunch, replace, decommission) cannot wait for it.
 */
export function liveTasks(instance: PodInstance): string[] {
  return Object.values(instance.tasks)
    .filter((record) => record.taskId !== null && record.state !== null && !isTerminal(record.state) && record.state !== 'TASK_UNREACHABLE')
    .map((record) => record.name);
}

export function stepProgress(
  step: Step,
  instance: PodInstance | undefined,
  pod: PodSpec | undefined,
  targetConfigId: number,
  nowMs: number,
  unmatched: boolean,
): Status {
  // Complete is sticky: later failures are the recovery plan's business, not this step's.
  if (step.status === 'COMPLETE') return 'COMPLETE';
  if (!instance || !pod) return step.action === 'decommission' ? 'COMPLETE' : 'ERROR';
  if (step.action === 'decommission') {
    if (instance.decommissioned) return 'COMPLETE';
    return liveTasks(instance).length > 0 ? 'STARTED' : unmatched ? 'PREPARED' : 'STARTING';
  }
  if (step.action === 'run') {
    // A custom plan's step: its sidecar tasks run to completion on the deployed pod.
    const records = step.tasks.map((name) => instance.tasks[name]);
    if (records.every((record) => record?.state === 'TASK_FINISHED')) return 'COMPLETE';
    if (records.some((record) => record?.state === 'TASK_STAGING' || record?.state === 'TASK_STARTING')) return 'STARTING';
    if (records.some((record) => record?.state === 'TASK_RUNNING')) return 'STARTED';
    return unmatched ? 'PREPARED' : 'PENDING';
  }
  if (instanceDone(instance, pod, targetConfigId, step.tasks)) return 'COMPLETE';
  if (instance.delayedUntilMs !== null && instance.delayedUntilMs > nowMs) return 'DELAYED';
  // What still runs under an old config (or is being restarted) has yet to be relaunched.
  const stale = Object.values(instance.tasks).some(
    (record) => record.state !== null && !isTerminal(record.state) && (record.configId !== targetConfigId || instance.relaunchPending),
  );
  if (stale) return unmatched ? 'PREPARED' : 'PENDING';
  const states = Object.values(instance.tasks).map((record) => record.state);
  if (states.includes('TASK_STAGING') || states.includes('TASK_STARTING')) return 'STARTING';
  if (states.includes('TASK_RUNNING') || states.includes('TASK_KILLING')) return 'STARTED';
  return unmatched ? 'PREPARED' : 'PENDING';
}
