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
  /** The pair asked for last: an agent asks for the same task two or three times in a row (launch, then its update). */
  #lastFrameworkId = '';
  #lastTaskId = '';
  #lastKey = -1;

  keyFor(frameworkId: string, taskId: string): number {
    const known = this.find(frameworkId, taskId);
    if (known !== undefined) return known;
    let tasks = this.#byFramework.get(frameworkId);
    if (!tasks) this.#byFramework.set(frameworkId, (tasks = new Map()));
    const key = this.#next++;
    tasks.set(taskId, key);
    return this.#remember(frameworkId, taskId, key);
  }

  find(frameworkId: string, taskId: string): number | undefined {
    if (this.#lastKey >= 0 && taskId === this.#lastTaskId && frameworkId === this.#lastFrameworkId) return this.#lastKey;
    const key = this.#byFramework.get(frameworkId)?.get(taskId);
    return key === undefined ? undefined : this.#remember(frameworkId, taskId, key);
  }

  drop(frameworkId: string, taskId: string): void {
    if (taskId === this.#lastTaskId && frameworkId === this.#lastFrameworkId) this.#lastKey = -1;
    const tasks = this.#byFramework.get(frameworkId);
    if (!tasks?.delete(taskId)) return;
    if (tasks.size === 0) this.#byFramework.delete(frameworkId);
  }

  #remember(frameworkId: string, taskId: string, key: number): number {
    this.#lastFrameworkId = frameworkId;
    this.#lastTaskId = taskId;
    this.#lastKey = key;
    return key;
  }
}
