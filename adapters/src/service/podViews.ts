/**
 * Pods as DC/OS Commons's PodResource shows them: the instance names, the
 * status of each instance's tasks (`{ id, name, status }`, the Mesos state
 * without its `TASK_` prefix), and each task's TaskInfo with its latest
 * TaskStatus (`[{ info, status }]`).
 */
import type { PodInstance, ServiceScheduler } from '@allot/kernel';
import type { TaskEntry } from './serviceStore.js';

type Json = Record<string, any>;

export function livePods(scheduler: ServiceScheduler): PodInstance[] {
  return [...scheduler.instances.values()].filter((instance) => !instance.decommissioned).sort((a, b) => a.name.localeCompare(b.name));
}

export function podStatus(instance: PodInstance): Json {
  return {
    name: instance.name,
    tasks: Object.values(instance.tasks).map((record) => ({
      id: record.taskId ?? '',
      name: `${instance.name}-${record.name}`,
      ...(record.state ? { status: record.state.replace(/^TASK_/, '') } : {}),
    })),
  };
}

export function podStatuses(service: string, scheduler: ServiceScheduler): Json {
  const byType = new Map<string, PodInstance[]>();
  for (const instance of livePods(scheduler)) byType.set(instance.podType, [...(byType.get(instance.podType) ?? []), instance]);
  return {
    service,
    pods: [...byType].map(([type, instances]) => ({
      name: type,
      instances: instances.sort((a, b) => a.index - b.index).map(podStatus),
    })),
  };
}

export function podInfo(instance: PodInstance, tasks: Readonly<Record<string, TaskEntry>>): Json[] {
  return Object.values(instance.tasks).flatMap((record) => {
    const entry = tasks[`${instance.name}-${record.name}`];
    return entry ? [{ info: entry.info, ...(entry.status ? { status: entry.status } : {}) }] : [];
  });
}
