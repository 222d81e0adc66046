/**
 * One JSON document of a scheduler's state in the cluster's StateStore
 * (file or etcd), as `allot marathon`, `allot jobs` and `allot pool` keep
 * theirs: writes are serialized and compare-and-swap on the version read or
 * written last, so a second scheduler writing the same key is refused
 * (DocumentConflict) instead of interleaving with the first.
 */
import type { StateStore } from '../store/stateStore.js';
import { keyProblem } from '../store/stateStore.js';

export class DocumentConflict extends Error {
  readonly code = 'store_conflict';
}

export class DocumentStore<T extends { version: number }> {
  #version = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: StateStore,
    readonly key: string,
    private readonly documentVersion: number,
  ) {
    const problem = keyProblem(key);
    if (problem) throw new Error(`"${key}" cannot name a store key: ${problem}`);
  }

  get description(): string {
    return `${this.store.description} key ${this.key}`;
  }

  async load(): Promise<T | null> {
    const stored = await this.store.get(this.key);
    this.#version = stored?.version ?? 0;
    if (!stored) return null;
    const document = JSON.parse(stored.value) as T;
    if (document.version !== this.documentVersion)
      throw new Error(`${this.description}: unknown document version ${String(document.version)}`);
    return document;
  }

  /** Writes after every earlier write; rejects with DocumentConflict when someone else wrote the key. */
  save(document: T): Promise<void> {
    const text = JSON.stringify(document);
    const write = this.#writing.then(async () => {
      const result = await this.store.put(this.key, text, this.#version);
      if (!result.ok) throw new DocumentConflict(`${this.description}: ${result.message}; is another scheduler using this store?`);
      this.#version = result.version;
    });
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
