/**
 * The default state store: a write-ahead log in a directory. Every commit is
 * one checked record (writeAheadLog.ts) appended to `log.<generation>` and
 * fdatasync'd before the commit resolves, so a commit of many keys is one
 * atomic write and costs what it changes, not what the store holds. When the
 * log outgrows the last snapshot it is compacted: every key is written to
 * `snapshot.<generation+1>` (temporary file, fsync, rename, fsync of the
 * directory), a new empty log follows it, and the old pair is removed.
 * Loading takes the newest snapshot and replays its log, cutting off a
 * record torn by a crash (never acknowledged). Versions are the store's
 * revision at each key's last write, as in etcd. The directory of the old
 * layout (one `<key>.json` file per key) is imported on first load.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import type { CommitResult, PutResult, StateStore, StoredValue, StoreWrite } from './stateStore.js';
import { checkWrites, keyProblem, putByCommit } from './stateStore.js';
import type { StoreFs } from './storeFiles.js';
import { fsyncDirectory, importOldLayout, writeFileDurably, writeFully } from './storeFiles.js';
import { decodeLog, decodeSnapshot, encodeLogRecord, encodeSnapshot } from './writeAheadLog.js';

export type { StoreFs } from './storeFiles.js';

export interface FileStoreOptions {
  fs?: StoreFs;
  /** Compact once the log holds more than this many bytes and more than the last snapshot (default 4 MiB). */
  compactBytes?: number;
}

const SNAPSHOT = /^snapshot\.(\d+)$/;
const LOG = /^log\.(\d+)$/;

export class FileStore implements StateStore {
  readonly description: string;
  readonly #directory: string;
  readonly #fs: StoreFs;
  readonly #compactBytes: number;
  /** Null until loaded, and after a failure that may have left the log in an unknown state. */
  #values: Map<string, StoredValue> | null = null;
  #revision = 0;
  #generation = 0;
  #snapshotBytes = 0;
  #logFd: number | null = null;
  #logBytes = 0;
  #logIno = 0;

  constructor(directory: string, options: FileStoreOptions = {}) {
    this.#directory = directory;
    this.#fs = options.fs ?? nodeFs;
    this.#compactBytes = options.compactBytes ?? 4 * 2 ** 20;
    this.description = `file:${directory}`;
    this.#fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  async get(key: string): Promise<StoredValue | null> {
    const problem = keyProblem(key);
    if (problem) throw new Error(problem);
    return this.#state().get(key) ?? null;
  }

  async list(): Promise<Map<string, StoredValue>> {
    return new Map(this.#state());
  }

  put(key: string, value: string, expectedVersion?: number): Promise<PutResult> {
    return putByCommit(this, key, value, expectedVersion);
  }

  async commit(writes: readonly StoreWrite[]): Promise<CommitResult> {
    checkWrites(writes);
    const values = this.#state();
    for (const write of writes) {
      const actualVersion = values.get(write.key)?.version ?? 0;
      if (write.expectedVersion !== undefined && write.expectedVersion !== actualVersion)
        return {
          ok: false,
          code: 'version_conflict',
          message: `key ${write.key} is at version ${actualVersion}, not ${write.expectedVersion}`,
          key: write.key,
          actualVersion,
        };
    }
    const revision = this.#revision + 1;
    this.#append(encodeLogRecord({ revision, writes: writes.map((write) => [write.key, write.value] as const) }));
    const versions = new Map<string, number>();
    for (const write of writes) {
      if (write.value === null) values.delete(write.key);
      else values.set(write.key, { value: write.value, version: revision });
      versions.set(write.key, write.value === null ? 0 : revision);
    }
    this.#revision = revision;
    if (this.#logBytes > this.#compactBytes && this.#logBytes > this.#snapshotBytes) this.#compact();
    return { ok: true, versions };
  }

  async delete(key: string): Promise<void> {
    const result = await this.commit([{ key, value: null }]);
    if (!result.ok) throw new Error(result.message);
  }

  async close(): Promise<void> {
    this.#closeLog();
  }

  /** Removes every key (tests and `--fresh` starts). */
  clear(): void {
    this.#closeLog();
    this.#fs.rmSync(this.#directory, { recursive: true, force: true });
    this.#fs.mkdirSync(this.#directory, { recursive: true, mode: 0o700 });
    this.#values = null;
  }

  /** The keys in memory, (re)loaded when another process changed the files (a new leader on a shared work dir). */
  #state(): Map<string, StoredValue> {
    if (this.#values === null || this.#changedOnDisk()) this.#load();
    return this.#values!;
  }

  #changedOnDisk(): boolean {
    try {
      const stat = this.#fs.statSync(this.#logPath(this.#generation));
      return stat.ino !== this.#logIno || stat.size !== this.#logBytes;
    } catch {
      return true;
    }
  }

  #logPath(generation: number): string {
    return join(this.#directory, `log.${generation}`);
  }

  #load(): void {
    this.#closeLog();
    const names = this.#fs.readdirSync(this.#directory);
    const generations = (pattern: RegExp) => names.flatMap((name) => (pattern.exec(name) ? [Number(pattern.exec(name)![1])] : []));
    const snapshots = generations(SNAPSHOT);
    const values = new Map<string, StoredValue>();
    let revision = 0;
    let generation = snapshots.length > 0 ? Math.max(...snapshots) : Math.max(0, ...generations(LOG));
    if (snapshots.length > 0) {
      const name = `snapshot.${generation}`;
      const text = this.#fs.readFileSync(join(this.#directory, name), 'utf8');
      this.#snapshotBytes = Buffer.byteLength(text);
      const snapshot = decodeSnapshot(text, join(this.#directory, name));
      revision = snapshot.revision;
      for (const [key, value, version] of snapshot.entries) values.set(key, { value, version });
    } else if (generations(LOG).length === 0) {
      revision = importOldLayout(this.#fs, this.#directory, names, values, 1);
      if (revision > 0) generation = 1;
    }
    revision = this.#replay(generation, revision, values);
    this.#values = values;
    this.#revision = revision;
    this.#generation = generation;
    this.#removeOtherGenerations(names, generation);
  }

  /** Applies log.<generation> (creating it empty if missing), truncating a torn end; returns the last revision. */
  #replay(generation: number, revision: number, values: Map<string, StoredValue>): number {
    const path = this.#logPath(generation);
    let bytes: Buffer;
    try {
      bytes = this.#fs.readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      bytes = Buffer.alloc(0);
    }
    const decoded = decodeLog(bytes, revision, path);
    for (const record of decoded.records) {
      for (const [key, value] of record.writes) {
        if (value === null) values.delete(key);
        else values.set(key, { value, version: record.revision });
      }
      revision = record.revision;
    }
    this.#closeLog();
    const fd = this.#fs.openSync(path, nodeFs.constants.O_RDWR | nodeFs.constants.O_CREAT | nodeFs.constants.O_APPEND, 0o600);
    if (decoded.goodBytes < bytes.length) {
      // The end of the last append before a crash: never acknowledged, so it goes.
      this.#fs.ftruncateSync(fd, decoded.goodBytes);
      this.#fs.fsyncSync(fd);
    }
    if (bytes.length === 0) fsyncDirectory(this.#fs, this.#directory);
    this.#logFd = fd;
    this.#logBytes = decoded.goodBytes;
    this.#logIno = this.#fs.fstatSync(fd).ino;
    return revision;
  }

  /** Writes a record in full and makes it durable; on failure the log is cut back so that no torn record stays in its middle. */
  #append(record: Buffer): void {
    if (this.#logFd === null) this.#load();
    const fd = this.#logFd!;
    try {
      writeFully(this.#fs, fd, record);
      this.#fs.fdatasyncSync(fd);
    } catch (error) {
      try {
        this.#fs.ftruncateSync(fd, this.#logBytes);
        this.#fs.fdatasyncSync(fd);
      } catch {
        // Could not even cut it back: reload before the next write (the torn end is dropped then).
        this.#values = null;
        this.#closeLog();
      }
      throw error;
    }
    this.#logBytes += record.length;
  }

  #compact(): void {
    const values = this.#values!;
    const next = this.#generation + 1;
    const entries = [...values].map(([key, stored]) => [key, stored.value, stored.version] as const);
    const text = encodeSnapshot({ revision: this.#revision, entries });
    writeFileDurably(this.#fs, this.#directory, `snapshot.${next}`, text);
    const names = this.#fs.readdirSync(this.#directory);
    this.#snapshotBytes = Buffer.byteLength(text);
    this.#generation = next;
    this.#replay(next, this.#revision, new Map());
    this.#removeOtherGenerations(names, next);
  }

  #removeOtherGenerations(names: readonly string[], keep: number): void {
    let removed = false;
    for (const name of names) {
      const match = SNAPSHOT.exec(name) ?? LOG.exec(name);
      const stale = (match && Number(match[1]) !== keep) || name.endsWith('.tmp');
      if (!stale) continue;
      this.#fs.rmSync(join(this.#directory, name), { force: true });
      removed = true;
    }
    if (removed) fsyncDirectory(this.#fs, this.#directory);
  }

  #closeLog(): void {
    if (this.#logFd !== null) this.#fs.closeSync(this.#logFd);
    this.#logFd = null;
  }
}
