/**
 * Which container runs which task, as agents report it with their status
 * updates (`container_id`), so that statuses sent to frameworks and shown to
 * operators carry `container_status.container_id` as Mesos fills it. Keyed by
 * (framework id, task id); bounded: the oldest entries go first.
 */
import type { TaskStatus } from '@allot/kernel';
import type { MasterContext } from './masterContext.js';
import { statusJson } from './mesosJson.js';

export const TASK_CONTAINERS_MAX = 200_000;

const keyOf = (frameworkId: string, taskId: string) => `${frameworkId.length}:${frameworkId}/${taskId}`;

export class TaskContainers {
  readonly #byTask = new Map<string, string>();
  readonly #max: number;

  constructor(max = TASK_CONTAINERS_MAX) {
    this.#max = max;
  }

  set(frameworkId: string, taskId: string, containerId: string): void {
    const key = keyOf(frameworkId, taskId);
    if (this.#byTask.get(key) === containerId) return;
    this.#byTask.delete(key);
    this.#byTask.set(key, containerId);
    if (this.#byTask.size > this.#max) this.#byTask.delete(this.#byTask.keys().next().value!);
  }

  get(frameworkId: string, taskId: string): string | undefined {
    return this.#byTask.get(keyOf(frameworkId, taskId));
  }

  get size(): number {
    return this.#byTask.size;
  }
}

/** A kernel status in Mesos v1 JSON with what the daemon knows beside it: executor id and container. */
export function taskStatusJson(context: MasterContext, status: TaskStatus): Record<string, unknown> {
  const task = context.host.master.frameworks.get(status.frameworkId)?.tasks.get(status.taskId);
  const containerId = status.uuid ? context.containers.get(status.frameworkId, status.taskId) : undefined;
  return statusJson(status, context.host.wallSeconds(status.timestampMs), {
    ...(task ? { executorId: task.executorId } : {}),
    ...(containerId ? { containerId } : {}),
  });
}
