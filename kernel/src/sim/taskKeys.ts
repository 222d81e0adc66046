/**
 * Small integer keys for one simulated agent's tasks. A task id is unique only
 * within its framework, and building a `framework/task` string for every
 * launch, update and acknowledgement of a million tasks was most of the
 * garbage they made. A key lives while the agent runs its task or holds
 * updates for it, then is dropped: keys made later for the same pair are new
 * ones, as a string key re-inserted into a map would take a new place.
 */
import type { StreamKeys } from '../tasks/statusUpdateManager.js';

export class TaskKeys implements StreamKeys {
  readonly #byFramework = new Map<string, Map<string, number>>();
  #next = 0;

  keyFor(frameworkId: string, taskId: string): number {
    let tasks = this.#byFramework.get(frameworkId);
    if (!tasks) this.#byFramework.set(frameworkId, (tasks = new Map()));
    let key = tasks.get(taskId);
    if (key === undefined) tasks.set(taskId, (key = this.#next++));
    return key;
  }

  find(frameworkId: string, taskId: string): number | undefined {
    return this.#byFramework.get(frameworkId)?.get(taskId);
  }

  drop(frameworkId: string, taskId: string): void {
    const tasks = this.#byFramework.get(frameworkId);
    if (!tasks?.delete(taskId)) return;
    if (tasks.size === 0) this.#byFramework.delete(frameworkId);
  }
}
