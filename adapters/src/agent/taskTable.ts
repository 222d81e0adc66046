/**
 * The agent's tasks by (framework id, task id): in Mesos a task id is unique
 * only within its framework, so two frameworks may both run `task-0` on one
 * agent. Every lookup (kill, acknowledgement, usage, files) names both.
 */

export interface TaskKey {
  readonly frameworkId: string;
  readonly taskId: string;
}

/** A map key for the pair; the length prefix keeps any two pairs apart whatever characters the ids hold. */
export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId.length}:${frameworkId}/${taskId}`;
}

export class TaskTable<T extends { readonly record: TaskKey }> {
  readonly #entries = new Map<string, T>();

  get(frameworkId: string, taskId: string): T | undefined {
    return this.#entries.get(taskKey(frameworkId, taskId));
  }

  /** Adds an entry; a second entry for the same pair is a bug (callers check `get` first). */
  add(entry: T): void {
    const key = taskKey(entry.record.frameworkId, entry.record.taskId);
    if (this.#entries.has(key)) throw new Error(`task ${entry.record.taskId} of framework ${entry.record.frameworkId} is already tracked`);
    this.#entries.set(key, entry);
  }

  delete(frameworkId: string, taskId: string): T | undefined {
    const key = taskKey(frameworkId, taskId);
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    return entry;
  }

  values(): IterableIterator<T> {
    return this.#entries.values();
  }

  get size(): number {
    return this.#entries.size;
  }
}
