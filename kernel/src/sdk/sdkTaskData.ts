/**
 * What an SDK task carries for the host and agent that run it (the kernel
 * keeps `TaskSpec.data` opaque): the pod task it is, the config it was made
 * for, its command and environment, its named ports, its checks, and, for the
 * simulator, how long it runs. A host on a real cluster turns this into a
 * Mesos TaskInfo; the simulated agent reads only `durationMs` and the
 * readiness check.
 */
import type { TaskRunData } from '../schedulers/taskRunData.js';
import type { HealthCheckSpec, PortSpec, ReadinessCheckSpec } from './serviceSpec.js';

export interface SdkTaskData extends TaskRunData {
  configId: number;
  podType: string;
  podIndex: number;
  taskName: string;
  cmd: string;
  /** The task's own variables, the SDK's (POD_INSTANCE_INDEX, TASK_NAME, FRAMEWORK_NAME), then a custom plan's parameters. */
  env: Record<string, string>;
  /** Names of the task's ports, in the order of its port ranges. */
  ports: PortSpec[];
  readinessCheck?: ReadinessCheckSpec;
  healthCheck?: HealthCheckSpec;
}
