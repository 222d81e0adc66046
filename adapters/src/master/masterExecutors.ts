/**
 * Custom executors the master launched tasks with, per (framework, agent,
 * executor id): what GET_EXECUTORS and the classic endpoints list. An entry
 * appears with the first task launched on it and goes when the agent reports
 * the executor gone, the framework is removed, or the agent is lost.
 * Command tasks have no entry (Mesos does not list command executors either).
 */

type Json = Record<string, unknown>;

export interface ExecutorEntry {
  frameworkId: string;
  agentId: string;
  executorId: string;
  /** ExecutorInfo in v1 JSON, as the framework sent it (framework_id set). */
  info: Json;
  /** The classic endpoints' model of it. */
  classic: Json;
}

const keyOf = (frameworkId: string, agentId: string, executorId: string) => JSON.stringify([frameworkId, agentId, executorId]);

export class MasterExecutors {
  readonly #entries = new Map<string, ExecutorEntry>();

  add(entry: ExecutorEntry): void {
    this.#entries.set(keyOf(entry.frameworkId, entry.agentId, entry.executorId), entry);
  }

  get(frameworkId: string, agentId: string, executorId: string): ExecutorEntry | undefined {
    return this.#entries.get(keyOf(frameworkId, agentId, executorId));
  }

  remove(frameworkId: string, agentId: string, executorId: string): void {
    this.#entries.delete(keyOf(frameworkId, agentId, executorId));
  }

  removeWhere(predicate: (entry: ExecutorEntry) => boolean): void {
    for (const [key, entry] of this.#entries) if (predicate(entry)) this.#entries.delete(key);
  }

  ofFramework(frameworkId: string): ExecutorEntry[] {
    return [...this.#entries.values()].filter((entry) => entry.frameworkId === frameworkId);
  }

  all(): ExecutorEntry[] {
    return [...this.#entries.values()];
  }
}
