/**
 * An in-memory state store with the same compare-and-swap rules as the file
 * store: for tests, and for `allot master --store memory` (nothing survives).
 * Versions are a store-wide revision, as in etcd and the file store.
 */
import type { CommitResult, PutResult, StateStore, StoredValue, StoreWrite } from './stateStore.js';
import { checkWrites, keyProblem, putByCommit } from './stateStore.js';

export class MemoryStore implements StateStore {
  readonly description: string = 'memory';
  readonly #values = new Map<string, StoredValue>();
  #revision = 0;

  async get(key: string): Promise<StoredValue | null> {
    return this.#values.get(key) ?? null;
  }

  async list(): Promise<Map<string, StoredValue>> {
    return new Map(this.#values);
  }

  put(key: string, value: string, expectedVersion?: number): Promise<PutResult> {
    return putByCommit(this, key, value, expectedVersion);
  }

  async commit(writes: readonly StoreWrite[]): Promise<CommitResult> {
    checkWrites(writes);
    for (const write of writes) {
      const actualVersion = this.#values.get(write.key)?.version ?? 0;
      if (write.expectedVersion !== undefined && write.expectedVersion !== actualVersion)
        return {
          ok: false,
          code: 'version_conflict',
          message: `key ${write.key} is at version ${actualVersion}, not ${write.expectedVersion}`,
          key: write.key,
          actualVersion,
        };
    }
    const revision = ++this.#revision;
    const versions = new Map<string, number>();
    for (const write of writes) {
      if (write.value === null) this.#values.delete(write.key);
      else this.#values.set(write.key, { value: write.value, version: revision });
      versions.set(write.key, write.value === null ? 0 : revision);
    }
    return { ok: true, versions };
  }

  async delete(key: string): Promise<void> {
    const problem = keyProblem(key);
    if (problem) throw new Error(problem);
    this.#values.delete(key);
  }

  async close(): Promise<void> {}
}
