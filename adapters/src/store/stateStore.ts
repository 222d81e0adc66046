/**
 * The master's state store: a small key-value interface with versions, so
 * that a file, etcd or ZooKeeper can sit behind it. `put` with an expected
 * version is a compare-and-swap (a master that lost leadership cannot
 * overwrite its successor's state); `commit` writes several keys at once,
 * each with its own compare-and-swap, all or none; both resolve only once
 * the values are durable. Failures that are expected (a version conflict,
 * not the leader) are values; a store that cannot write throws.
 */

export interface StoredValue {
  readonly value: string;
  /** Starts above 0 and grows on every write of the key (a store revision: a re-created key never reuses an old version). */
  readonly version: number;
}

export type PutResult =
  | { ok: true; version: number }
  | { ok: false; code: 'version_conflict'; message: string; actualVersion: number }
  // A fenced store (etcd with leader election, adapters/src/ha) refuses writes from a master that is no longer the leader.
  | { ok: false; code: 'not_leader'; message: string; actualVersion: number };

/** One key of a commit: its new value, or null to delete it. */
export interface StoreWrite {
  readonly key: string;
  readonly value: string | null;
  /** The version the key must have now (0: it must not exist); omitted: no check. */
  readonly expectedVersion?: number;
}

export type CommitResult =
  /** Every key's new version (0 for a deleted key). */
  | { ok: true; versions: ReadonlyMap<string, number> }
  | { ok: false; code: 'version_conflict'; message: string; key: string; actualVersion: number }
  | { ok: false; code: 'not_leader'; message: string; key: string | null; actualVersion: number };

export interface StateStore {
  /** A short description for logs, e.g. "file:/var/lib/allot/master". */
  readonly description: string;
  get(key: string): Promise<StoredValue | null>;
  /** Every key with its value and version (a consistent snapshot). */
  list(): Promise<Map<string, StoredValue>>;
  /**
   * Writes `value` durably. With `expectedVersion` (0 = the key must not
   * exist) the write happens only if the stored version still matches.
   */
  put(key: string, value: string, expectedVersion?: number): Promise<PutResult>;
  /**
   * Writes every key of `writes` (each key at most once) durably, all or
   * none: if one expected version does not match, nothing is written. etcd
   * caps the operations of one transaction, so a commit larger than
   * COMMIT_KEYS_MAX keys or COMMIT_BYTES_MAX bytes is split into
   * transactions applied in order, each all or none.
   */
  commit(writes: readonly StoreWrite[]): Promise<CommitResult>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Keys of one etcd transaction (etcd's default --max-txn-ops is 128; compares and reads back count too). */
export const COMMIT_KEYS_MAX = 60;
/** Bytes of values in one etcd transaction (its default request limit is 1.5 MiB). */
export const COMMIT_BYTES_MAX = 1_000_000;

/** Keys are path-safe words (letters, digits, ".", "_", "-", and "%" escapes) so that every store can use them as names. */
export function keyProblem(key: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._%-]{0,1023}$/.test(key)
    ? null
    : `store key "${key.slice(0, 100)}" must be 1-1024 letters, digits, ".", "_", "%" or "-", starting with a letter or digit`;
}

/** Any text as a key part: bytes outside [A-Za-z0-9_-] become %XX (so the result never contains "."). */
export function keyPart(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function fromKeyPart(part: string): string {
  return decodeURIComponent(part);
}

/** Asserts that a commit names each key once, with a valid name. */
export function checkWrites(writes: readonly StoreWrite[]): void {
  const seen = new Set<string>();
  for (const write of writes) {
    const problem = keyProblem(write.key);
    if (problem) throw new Error(problem);
    if (seen.has(write.key)) throw new Error(`store commit names key ${write.key} twice`);
    seen.add(write.key);
    if (write.expectedVersion !== undefined && !(Number.isSafeInteger(write.expectedVersion) && write.expectedVersion >= 0))
      throw new Error(`expected version of ${write.key} must be an integer >= 0, got ${write.expectedVersion}`);
  }
}

/** A single put as a commit of one key, answered in put's shape. */
export async function putByCommit(
  store: Pick<StateStore, 'commit'>,
  key: string,
  value: string,
  expectedVersion?: number,
): Promise<PutResult> {
  const result = await store.commit([{ key, value, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }]);
  if (result.ok) return { ok: true, version: result.versions.get(key)! };
  return { ok: false, code: result.code, message: result.message, actualVersion: result.actualVersion } as PutResult;
}

/** Splits a commit into etcd-sized chunks, in order. */
export function commitChunks(writes: readonly StoreWrite[]): StoreWrite[][] {
  const chunks: StoreWrite[][] = [];
  let chunk: StoreWrite[] = [];
  let bytes = 0;
  for (const write of writes) {
    const size = Buffer.byteLength(write.key) + (write.value === null ? 0 : Buffer.byteLength(write.value));
    if (chunk.length > 0 && (chunk.length >= COMMIT_KEYS_MAX || bytes + size > COMMIT_BYTES_MAX)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(write);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * A commit that may be the retry of one whose answer was lost (etcd applied
 * it, the reply timed out): the retry then conflicts with its own earlier
 * success. When every key holds exactly what this commit writes, that is
 * what happened, and it counts as done (with the versions read back).
 */
export async function commitOrConfirm(store: Pick<StateStore, 'commit' | 'get'>, writes: readonly StoreWrite[]): Promise<CommitResult> {
  const result = await store.commit(writes);
  if (result.ok || result.code !== 'version_conflict') return result;
  const versions = new Map<string, number>();
  for (const write of writes) {
    const stored = await store.get(write.key);
    if ((stored?.value ?? null) !== write.value) return result;
    versions.set(write.key, stored?.version ?? 0);
  }
  return { ok: true, versions };
}
