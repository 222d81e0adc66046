/**
 * An SDK task (a kernel TaskSpec with SdkTaskData) as the Mesos `TaskInfo`
 * the agent runs: its resources (reserved parts and volumes, with the
 * offer's role), the pod task's command and environment (plus each named
 * port under its env-key and as PORT_<NAME>), its readiness check as a
 * `check` (COMMAND) and its health check as a `health_check`, its named ports
 * in `discovery` (advertised ones EXTERNAL), and labels naming the pod.
 */
import type { ResourceLayout, SdkTaskData, TaskSpec } from '@allot/kernel';
import { portList } from '@allot/kernel';
import { fromResourceSet } from '../master/mesosResources.js';

type Json = Record<string, any>;

export function sdkTaskInfo(task: TaskSpec, agentId: string, role: string, layout: ResourceLayout): Json {
  const data = task.data as SdkTaskData;
  const ports = portList(task.resources.ports);
  const env: Record<string, string> = { ...data.env };
  data.ports.forEach((port, index) => {
    if (ports[index] === undefined) return;
    env[`PORT_${port.name.toUpperCase().replace(/-/g, '_')}`] = String(ports[index]);
    if (port.envKey) env[port.envKey] = String(ports[index]);
  });
  const info: Json = {
    name: task.name ?? task.taskId,
    task_id: { value: task.taskId },
    agent_id: { value: agentId },
    resources: fromResourceSet(task.resources, layout, role),
    command: { value: data.cmd, environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) } },
    labels: {
      labels: [
        { key: 'pod_type', value: data.podType },
        { key: 'pod_index', value: String(data.podIndex) },
        { key: 'task_name', value: data.taskName },
        { key: 'target_configuration', value: String(data.configId) },
      ],
    },
  };
  if (data.readinessCheck) {
    const check = data.readinessCheck;
    info.check = {
      type: 'COMMAND',
      command: { command: { value: check.cmd } },
      delay_seconds: check.delaySeconds,
      interval_seconds: check.intervalSeconds,
      timeout_seconds: check.timeoutSeconds,
    };
  }
  if (data.healthCheck) {
    const check = data.healthCheck;
    info.health_check = {
      type: 'COMMAND',
      command: { value: check.cmd },
      delay_seconds: check.delaySeconds,
      interval_seconds: check.intervalSeconds,
      timeout_seconds: check.timeoutSeconds,
      grace_period_seconds: check.gracePeriodSeconds,
      consecutive_failures: check.maxConsecutiveFailures,
    };
  }
  if (data.ports.length > 0)
    info.discovery = {
      visibility: 'FRAMEWORK',
      name: task.name ?? task.taskId,
      ports: {
        ports: data.ports.flatMap((port, index) =>
          ports[index] === undefined
            ? []
            : [{ number: ports[index], name: port.name, protocol: 'tcp', visibility: port.advertise ? 'EXTERNAL' : 'CLUSTER' }],
        ),
      },
    };
  return info;
}
