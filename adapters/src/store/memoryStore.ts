/**
 * An in-memory state store with the same compare-and-swap rules as the file
 * store: for tests, and for `allot master --store memory` (nothing survives).
 */
import type { PutResult, StateStore, StoredValue } from './stateStore.js';
import { keyProblem } from './stateStore.js';

export class MemoryStore implements StateStore {
  readonly description = 'memory';
  readonly #values = new Map<string, StoredValue>();

  async get(key: string): Promise<StoredValue | null> {
    return this.#values.get(key) ?? null;
  }

  async put(key: string, value: string, expectedVersion?: number): Promise<PutResult> {
    const problem = keyProblem(key);
    if (problem) throw new Error(problem);
    const actualVersion = this.#values.get(key)?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== actualVersion) {
      return {
        ok: false,
        code: 'version_conflict',
        message: `key ${key} is at version ${actualVersion}, not ${expectedVersion}`,
        actualVersion,
      };
    }
    this.#values.set(key, { value, version: actualVersion + 1 });
    return { ok: true, version: actualVersion + 1 };
  }

  async delete(key: string): Promise<void> {
    this.#values.delete(key);
  }

  async close(): Promise<void> {}
}
