/**
 * What a live master refuses that the SDK's spec reader lets through: a task
 * under Mesos's MIN_CPUS (0.01) and amounts below the master's scalar unit
 * (0.001; Mesos keeps three decimal places). The simulator takes such specs;
 * on a real cluster every launch of the task would be refused with 400 and
 * the deploy plan would wait forever, so `allot service run` and a config
 * update refuse them up front, each with its path.
 */
import type { FieldError, ServiceSpec } from '@allot/kernel';
import { SCALAR_UNIT } from '../master/mesosResources.js';
import { TASK_CPUS_MIN } from '../master/taskInfo.js';

export function clusterMinimumErrors(spec: ServiceSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const belowUnit = (value: number, at: string): void => {
    if (value !== 0 && value < SCALAR_UNIT)
      errors.push({ path: at, message: `must be 0 or at least ${SCALAR_UNIT} (amounts have three decimal places), got ${value}` });
  };
  spec.pods.forEach((pod, podIndex) => {
    const podPath = `${path}.pods[${podIndex}]`;
    pod.tasks.forEach((task, taskIndex) => {
      const taskPath = `${podPath}.tasks[${taskIndex}]`;
      if (task.cpus < TASK_CPUS_MIN)
        errors.push({ path: `${taskPath}.cpus`, message: `a task needs at least ${TASK_CPUS_MIN} cpus on a cluster, got ${task.cpus}` });
      belowUnit(task.memMb, `${taskPath}.memMb`);
      belowUnit(task.diskMb, `${taskPath}.diskMb`);
    });
    pod.volumes.forEach((volume, volumeIndex) => belowUnit(volume.sizeMb, `${podPath}.volumes[${volumeIndex}].sizeMb`));
  });
  return errors;
}
