/**
 * The tasks of one launch, as the kernel's TaskSpecs: each on its reserved
 * part, with the lowest free ports it needs, the volumes it mounts (a volume
 * goes with the task that declares it, by default the first one launched),
 * a fresh task id, and its SDK task data (command, environment, ports,
 * checks) for the host that runs it.
 */
import type { Offer } from '../offers/offer.js';
import { subtractRanges, takePorts } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import type { TaskSpec } from '../tasks/task.js';
import type { EvaluationContext } from './offerEvaluator.js';
import type { PodInstance } from './podInstance.js';
import type { SdkTaskData } from './sdkTaskData.js';
import type { PodSpec, PodTaskSpec } from './serviceSpec.js';

/** The pod's tasks on their reserved parts; each volume goes with its task (by default the first one launched). */
export function launchSpecs(
  offer: Offer,
  instance: PodInstance,
  pod: PodSpec,
  context: EvaluationContext,
  parts: Record<string, ReservedPart>,
  volumes: ReservedPart[],
  launch?: readonly string[],
): Array<{ name: string; spec: TaskSpec }> | null {
  let ports = offer.resources.ports;
  const out: Array<{ name: string; spec: TaskSpec }> = [];
  const ownerOf = (part: ReservedPart) => pod.volumes.find((volume) => volume.containerPath === part.volume?.containerPath)?.task;
  pod.tasks
    .filter((task) => !launch || launch.includes(task.name))
    .forEach((task, i) => {
      const taken = takePorts(ports, task.ports) ?? [];
      ports = subtractRanges(ports, taken);
      const mounted = volumes.filter((part) => {
        const owner = ownerOf(part);
        return owner === undefined ? i === 0 : owner === task.name;
      });
      const resources: ResourceSet = { scalars: context.layout.zero(), ports: taken, reserved: [parts[task.name], ...mounted] };
      const taskId = context.newId(`${instance.name}-${task.name}__`);
      out.push({
        name: task.name,
        spec: {
          taskId,
          name: `${instance.name}-${task.name}`,
          executorId: instance.name,
          resources,
          data: taskData(instance, task, context),
        },
      });
    });
  return out;
}

function taskData(instance: PodInstance, task: PodTaskSpec, context: EvaluationContext): SdkTaskData {
  return {
    durationMs: task.goal === 'RUNNING' ? null : task.durationMs,
    configId: context.configId,
    podType: instance.podType,
    podIndex: instance.index,
    taskName: task.name,
    cmd: task.cmd,
    env: {
      ...task.env,
      POD_INSTANCE_INDEX: String(instance.index),
      TASK_NAME: `${instance.name}-${task.name}`,
      FRAMEWORK_NAME: context.serviceName,
      ...context.env,
    },
    ports: task.portSpecs,
    ...(task.readinessCheck ? { readinessCheck: task.readinessCheck } : {}),
    ...(task.healthCheck ? { healthCheck: task.healthCheck } : {}),
  };
}
