/**
 * Readiness (SDK readiness checks): a RUNNING task counts towards its step
 * only once it is ready. A task with a readiness check is ready when an update
 * reports the check passing (`check_status` with exit code 0: the agent runs
 * the check); with `readinessDelayMs` (the simulator's model of a check) it is
 * ready that long after TASK_RUNNING, if it still runs then; without either,
 * at once. When every deploy task of the instance is ready under the target
 * config, the instance has recovered: its failure clock stops.
 */
import { type CheckStatus, checkPassed } from '../tasks/task.js';
import type { PodInstance } from './podInstance.js';
import type { RecoveryManager } from './recoveryManager.js';
import type { ServiceState } from './serviceState.js';
import { instanceDone } from './stepProgress.js';

export class Readiness {
  constructor(
    private readonly state: ServiceState,
    private readonly recovery: RecoveryManager,
    /** Brings step statuses up to date and revives offers when work appeared (after a timer fired). */
    private readonly refresh: () => void,
  ) {}

  /** The task reported TASK_RUNNING (or runs, as a restarted scheduler finds it), with its check's latest result. */
  taskRunning(instance: PodInstance, name: string, checkStatus?: CheckStatus): void {
    const { state } = this;
    const record = instance.tasks[name];
    const task = state.pod(instance.podType)?.tasks.find((t) => t.name === name);
    if (task?.readinessCheck) {
      if (checkPassed(checkStatus) && !record.ready) this.#ready(instance, name);
      return;
    }
    const delay = task?.readinessDelayMs ?? null;
    if (delay === null) {
      this.#ready(instance, name);
      return;
    }
    const taskId = record.taskId;
    const context = state.context!;
    context.schedule(context.nowMs + delay, () => {
      if (state.retired || record.taskId !== taskId || record.state !== 'TASK_RUNNING') return;
      this.#ready(instance, name);
      this.refresh();
    });
  }

  #ready(instance: PodInstance, name: string): void {
    const { state } = this;
    instance.tasks[name].ready = true;
    const pod = state.pod(instance.podType);
    if (pod && instanceDone(instance, pod, state.targetConfigId, state.deployTasks(instance))) {
      this.recovery.recovered(instance);
      state.note(`${instance.name} is ready`);
    }
  }
}
