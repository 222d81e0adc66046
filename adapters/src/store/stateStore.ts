/**
 * The master's state store: a small key-value interface with versions, so
 * that a file, etcd or ZooKeeper can sit behind it. `put` with an expected
 * version is a compare-and-swap (a master that lost leadership cannot
 * overwrite its successor's state); `put` resolves only once the value is
 * durable. Failures that are expected (a version conflict) are values.
 */

export interface StoredValue {
  readonly value: string;
  /** Starts at 1 and grows on every put of the key (by one in the file store; etcd uses its mod revision). */
  readonly version: number;
}

export type PutResult =
  | { ok: true; version: number }
  | { ok: false; code: 'version_conflict'; message: string; actualVersion: number }
  // A fenced store (etcd with leader election, adapters/src/ha) refuses writes from a master that is no longer the leader.
  | { ok: false; code: 'not_leader'; message: string; actualVersion: number };

export interface StateStore {
  /** A short description for logs, e.g. "file:/var/lib/allot/master". */
  readonly description: string;
  get(key: string): Promise<StoredValue | null>;
  /**
   * Writes `value` durably. With `expectedVersion` (0 = the key must not
   * exist) the write happens only if the stored version still matches.
   */
  put(key: string, value: string, expectedVersion?: number): Promise<PutResult>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Keys are path-safe words so that every store can use them as names. */
export function keyProblem(key: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(key) ? null : `store key "${key}" must be 1-128 letters, digits, ".", "_" or "-"`;
}
