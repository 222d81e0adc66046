/**
 * The master's state in etcd, under a prefix. A key's version is its etcd
 * mod revision (strictly increasing across the whole cluster, so unlike a
 * per-key counter it cannot come back after a delete: no ABA). A put with an
 * expected version is one transaction comparing the mod revision; with a
 * fence, every write also compares the leader key's create revision, so a
 * master whose leadership ended (its lease expired, or a successor took the
 * key) can never write, even if it has not noticed yet.
 */
import type { Etcd3, ICompare, IKeyValue, ITxnResponse } from 'etcd3';
import type { PutResult, StateStore, StoredValue } from './stateStore.js';
import { keyProblem } from './stateStore.js';

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

  async put(key: string, value: string, expectedVersion?: number): Promise<EtcdPutResult> {
    const keyBytes = this.#keyBytes(key);
    const valueBytes = Buffer.from(value, 'utf8');
    if (valueBytes.length > VALUE_BYTES_MAX)
      throw new Error(`value of store key ${key} is ${valueBytes.length} bytes; etcd takes at most ${VALUE_BYTES_MAX}`);
    if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0))
      throw new Error(`expected version must be an integer >= 0, got ${expectedVersion}`);
    const fence = this.#currentFence();
    if (fence === 'missing')
      return { ok: false, code: 'not_leader', message: 'this master is not the leader (no leader lease)', actualVersion: 0 };
    const compare: ICompare[] = [];
    if (expectedVersion !== undefined) compare.push({ key: keyBytes, target: 'Mod', result: 'Equal', mod_revision: expectedVersion });
    if (fence) compare.push(fenceCompare(fence));
    // On failure, read both keys back so that the answer says which comparison failed.
    const failure = [{ request_range: { key: keyBytes } }, ...(fence ? [{ request_range: { key: Buffer.from(fence.key) } }] : [])];
    // A retried transaction (after a lost reply) can only turn a success into a conflict, never a conflict into a write.
    const response: ITxnResponse = await this.#client.kv.txn({
      compare,
      success: [{ request_put: { key: keyBytes, value: valueBytes } }],
      failure,
    });
    if (response.succeeded) return { ok: true, version: revisionNumber(response.header.revision) };
    const current: IKeyValue | undefined = response.responses[0]?.response_range.kvs[0];
    const actualVersion = current ? revisionNumber(current.mod_revision) : 0;
    if (fence) {
      const leader = response.responses[1]?.response_range.kvs[0];
      if (!leader || leader.create_revision !== fence.createRevision) {
        return {
          ok: false,
          code: 'not_leader',
          message: `leadership ended: the leader key ${fence.key} ${leader ? `was re-created at revision ${leader.create_revision}` : 'is gone'}, not the one created at ${fence.createRevision}`,
          actualVersion,
        };
      }
    }
    return {
      ok: false,
      code: 'version_conflict',
      message: `key ${key} is at version ${actualVersion}, not ${expectedVersion}`,
      actualVersion,
    };
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

/** etcd revisions are int64 strings; the store's versions are numbers, exact up to 2^53. */
function revisionNumber(revision: string): number {
  const value = Number(revision);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`etcd revision ${revision} is not a positive safe integer`);
  return value;
}
