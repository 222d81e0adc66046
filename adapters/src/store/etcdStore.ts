/**
 * The master's state in etcd, under a prefix. A key's version is its etcd
 * mod revision (strictly increasing across the whole cluster, so unlike a
 * per-key counter it cannot come back after a delete: no ABA). A put with an
 * expected version is one transaction comparing the mod revision; with a
 * fence, every write also compares the leader key's create revision, so a
 * master whose leadership ended (its lease expired, or a successor took the
 * key) can never write, even if it has not noticed yet.
 */
import type { Etcd3, ICompare, IKeyValue, IRequestOp, ITxnResponse } from 'etcd3';
import type { CommitResult, PutResult, StateStore, StoredValue, StoreWrite } from './stateStore.js';
import { checkWrites, commitChunks, keyProblem, putByCommit } from './stateStore.js';
import { rangePrefix, revisionNumber } from './etcdRange.js';

/** The leader key and the create revision it had when this master won it. */
export interface LeaderFence {
  readonly key: string;
  readonly createRevision: string;
}

export type NotLeaderRejection = Extract<PutResult, { code: 'not_leader' }>;
export type EtcdPutResult = PutResult;

/** A write refused because this master does not hold the leader key (from `delete`, which returns no result). */
export class NotLeaderError extends Error {
  readonly code = 'not_leader';
}

export interface EtcdStoreOptions {
  /** The client (shared with leader election); the store closes it only if `ownsClient`. */
  client: Etcd3;
  /** Key prefix, e.g. "/allot/" (a trailing "/" is added when missing). */
  prefix: string;
  /** For logs: the endpoints, e.g. "http://127.0.0.1:2379". */
  endpoints: readonly string[];
  /** When given, fencing is on: every write needs the fence, and a missing fence refuses the write. */
  fence?: () => LeaderFence | null;
  ownsClient?: boolean;
}

/** etcd's default request limit is 1.5 MiB; stay clearly below it and say so instead of failing in gRPC. */
export const VALUE_BYTES_MAX = 1_400_000;

export class EtcdStore implements StateStore {
  readonly description: string;
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #fence: (() => LeaderFence | null) | null;
  readonly #ownsClient: boolean;
  #closed = false;

  constructor(options: EtcdStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.#fence = options.fence ?? null;
    this.#ownsClient = options.ownsClient ?? false;
    this.description = `etcd:${options.endpoints.join(',')}${this.#prefix}${this.#fence ? ' (fenced)' : ''}`;
  }

  async get(key: string): Promise<StoredValue | null> {
    const response = await this.#client.kv.range({ key: this.#keyBytes(key) });
    const kv = response.kvs[0];
    return kv ? { value: kv.value.toString('utf8'), version: revisionNumber(kv.mod_revision) } : null;
  }

  async list(): Promise<Map<string, StoredValue>> {
    return (await this.listAt()).values;
  }

  /** Every key with its value and version, and the revision of that snapshot. */
  async listAt(): Promise<{ revision: number; values: Map<string, StoredValue> }> {
    if (this.#closed) throw new Error('the etcd store is closed');
    const snapshot = await rangePrefix(this.#client, this.#statePrefix());
    return {
      revision: snapshot.revision,
      values: new Map(snapshot.entries.map((entry) => [entry.key, { value: entry.value!, version: entry.version }])),
    };
  }

  /**
   * What changed since `revision`, as one snapshot: every key that exists now
   * (with its version), and the values of those modified after `revision`.
   * Keys missing from `keys` were deleted.
   */
  async changesSince(revision: number): Promise<{ revision: number; keys: Map<string, number>; changed: Map<string, StoredValue> }> {
    if (this.#closed) throw new Error('the etcd store is closed');
    const keys = await rangePrefix(this.#client, this.#statePrefix(), { keysOnly: true });
    const changed = await this.modifiedSince(revision, keys.revision);
    return { revision: keys.revision, keys: new Map(keys.entries.map((entry) => [entry.key, entry.version])), changed: changed.values };
  }

  /** The keys modified after `revision` (deletions are not seen), at `at` or now. */
  async modifiedSince(revision: number, at?: number): Promise<{ revision: number; values: Map<string, StoredValue> }> {
    if (this.#closed) throw new Error('the etcd store is closed');
    const snapshot = await rangePrefix(this.#client, this.#statePrefix(), {
      modifiedAfter: revision,
      ...(at !== undefined ? { revision: at } : {}),
    });
    return {
      revision: snapshot.revision,
      values: new Map(snapshot.entries.map((entry) => [entry.key, { value: entry.value!, version: entry.version }])),
    };
  }

  #statePrefix(): string {
    return `${this.#prefix}state/`;
  }

  put(key: string, value: string, expectedVersion?: number): Promise<EtcdPutResult> {
    return putByCommit(this, key, value, expectedVersion);
  }

  async commit(writes: readonly StoreWrite[]): Promise<CommitResult> {
    checkWrites(writes);
    if (this.#closed) throw new Error('the etcd store is closed');
    for (const write of writes) {
      const bytes = write.value === null ? 0 : Buffer.byteLength(write.value, 'utf8');
      if (bytes > VALUE_BYTES_MAX)
        throw new Error(`value of store key ${write.key} is ${bytes} bytes; etcd takes at most ${VALUE_BYTES_MAX}`);
    }
    const fence = this.#currentFence();
    if (fence === 'missing')
      return { ok: false, code: 'not_leader', message: 'this master is not the leader (no leader lease)', key: null, actualVersion: 0 };
    const versions = new Map<string, number>();
    // Within etcd's limits a commit is one transaction; a larger one is several, in order (each all or none).
    for (const chunk of commitChunks(writes)) {
      const result = await this.#commitChunk(chunk, fence);
      if (!result.ok) return result;
      for (const [key, version] of result.versions) versions.set(key, version);
    }
    return { ok: true, versions };
  }

  async #commitChunk(chunk: readonly StoreWrite[], fence: LeaderFence | null): Promise<CommitResult> {
    const checked = chunk.filter((write) => write.expectedVersion !== undefined);
    const compare: ICompare[] = checked.map((write) => ({
      key: this.#keyBytes(write.key),
      target: 'Mod',
      result: 'Equal',
      mod_revision: write.expectedVersion!,
    }));
    if (fence) compare.push(fenceCompare(fence));
    const success: IRequestOp[] = chunk.map((write) =>
      write.value === null
        ? { request_delete_range: { key: this.#keyBytes(write.key) } }
        : { request_put: { key: this.#keyBytes(write.key), value: Buffer.from(write.value, 'utf8') } },
    );
    // On failure, read the compared keys back so that the answer says which comparison failed.
    const failure: IRequestOp[] = [
      ...(fence ? [{ request_range: { key: Buffer.from(fence.key, 'utf8') } }] : []),
      ...checked.map((write) => ({ request_range: { key: this.#keyBytes(write.key) } })),
    ];
    // A retried transaction (after a lost reply) can only turn a success into a conflict, never a conflict into a write.
    const response: ITxnResponse = await this.#client.kv.txn({ compare, success, failure });
    if (response.succeeded) {
      const revision = revisionNumber(response.header.revision);
      return { ok: true, versions: new Map(chunk.map((write) => [write.key, write.value === null ? 0 : revision])) };
    }
    const reads = response.responses.map((read) => read.response_range.kvs[0] as IKeyValue | undefined);
    if (fence) {
      const leader = reads.shift();
      if (!leader || leader.create_revision !== fence.createRevision)
        return {
          ok: false,
          code: 'not_leader',
          message: `leadership ended: the leader key ${fence.key} ${leader ? `was re-created at revision ${leader.create_revision}` : 'is gone'}, not the one created at ${fence.createRevision}`,
          key: null,
          actualVersion: 0,
        };
    }
    for (const [index, write] of checked.entries()) {
      const current = reads[index];
      const actualVersion = current ? revisionNumber(current.mod_revision) : 0;
      if (actualVersion !== write.expectedVersion)
        return {
          ok: false,
          code: 'version_conflict',
          message: `key ${write.key} is at version ${actualVersion}, not ${write.expectedVersion}`,
          key: write.key,
          actualVersion,
        };
    }
    throw new Error('etcd refused a transaction whose comparisons all hold on reading back');
  }

  async delete(key: string): Promise<void> {
    const keyBytes = this.#keyBytes(key);
    const fence = this.#currentFence();
    if (fence === 'missing') throw new NotLeaderError(`cannot delete ${key}: this master is not the leader`);
    const response = await this.#client.kv.txn({
      compare: fence ? [fenceCompare(fence)] : [],
      success: [{ request_delete_range: { key: keyBytes } }],
    });
    if (!response.succeeded)
      throw new NotLeaderError(`cannot delete ${key}: leadership ended (leader key ${fence ? fence.key : ''} changed)`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) this.#client.close();
  }

  #currentFence(): LeaderFence | null | 'missing' {
    if (!this.#fence) return null;
    return this.#fence() ?? 'missing';
  }

  #keyBytes(key: string): Buffer {
    const problem = keyProblem(key);
    if (problem) throw new Error(problem);
    if (this.#closed) throw new Error('the etcd store is closed');
    return Buffer.from(`${this.#prefix}state/${key}`, 'utf8');
  }
}

function fenceCompare(fence: LeaderFence): ICompare {
  return { key: Buffer.from(fence.key, 'utf8'), target: 'Create', result: 'Equal', create_revision: fence.createRevision };
}
