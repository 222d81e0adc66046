/**
 * The default state store: one file per key in a directory, replaced
 * atomically (temporary file written in full, fsync, rename, fsync of the
 * directory), so that after a `kill -9`, a power cut or a full disk a reader
 * finds the old value or the new one, never a torn mix; a put that could not
 * complete throws (ENOSPC, EIO, ...) and changed nothing. The version is
 * stored beside the value in the file.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import type { AtomicFs } from '../agent/atomicFile.js';
import { removeFileDurably, writeFileAtomic } from '../agent/atomicFile.js';
import type { PutResult, StateStore, StoredValue } from './stateStore.js';
import { keyProblem } from './stateStore.js';

interface FileRecord {
  version: number;
  value: string;
}

export interface FileStoreOptions {
  /** The file system (tests inject failures); default node:fs. */
  fs?: AtomicFs;
}

export class FileStore implements StateStore {
  readonly description: string;
  readonly #directory: string;
  readonly #fs: AtomicFs;

  constructor(directory: string, options: FileStoreOptions = {}) {
    this.#directory = directory;
    this.#fs = options.fs ?? nodeFs;
    this.description = `file:${directory}`;
    this.#fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  async get(key: string): Promise<StoredValue | null> {
    return this.#read(key);
  }

  async put(key: string, value: string, expectedVersion?: number): Promise<PutResult> {
    const current = this.#read(key);
    const actualVersion = current?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== actualVersion) {
      return {
        ok: false,
        code: 'version_conflict',
        message: `key ${key} is at version ${actualVersion}, not ${expectedVersion}`,
        actualVersion,
      };
    }
    const record: FileRecord = { version: actualVersion + 1, value };
    writeFileAtomic(this.#path(key), JSON.stringify(record), 0o600, this.#fs);
    return { ok: true, version: record.version };
  }

  async delete(key: string): Promise<void> {
    removeFileDurably(this.#path(key), this.#fs);
  }

  async close(): Promise<void> {}

  /** Removes every key (tests and `--fresh` starts). */
  clear(): void {
    this.#fs.rmSync(this.#directory, { recursive: true, force: true });
    this.#fs.mkdirSync(this.#directory, { recursive: true, mode: 0o700 });
  }

  #path(key: string): string {
    const problem = keyProblem(key);
    if (problem) throw new Error(problem);
    return join(this.#directory, `${key}.json`);
  }

  #read(key: string): StoredValue | null {
    let text: string;
    try {
      text = this.#fs.readFileSync(this.#path(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const record = JSON.parse(text) as FileRecord;
    if (!Number.isInteger(record.version) || typeof record.value !== 'string')
      throw new Error(`store file for key ${key} is not a store record`);
    return { value: record.value, version: record.version };
  }
}
