/**
 * Reading every key under an etcd prefix as one consistent snapshot: pages
 * (a gRPC answer is limited to 4 MiB by default, so a page of unusually
 * large values is asked again in smaller pages), all read at the revision
 * of the first one. Optionally keys only, or only the keys modified after a
 * revision (what a standby master needs to catch up).
 */
import type { Etcd3, IRangeRequest } from 'etcd3';

/** Keys per page (fewer when values are large); keys alone are small, so more of them per page (each page is a round trip). */
const PAGE_KEYS = 1000;
const PAGE_KEYS_ONLY = 20_000;

export interface RangeEntry {
  /** The key without the prefix. */
  readonly key: string;
  /** Null when reading keys only. */
  readonly value: string | null;
  /** The key's mod revision. */
  readonly version: number;
}

export interface RangeOptions {
  keysOnly?: boolean;
  /** Only keys modified after this revision. */
  modifiedAfter?: number;
  /** Read at this revision (default: the current one). */
  revision?: number;
}

export interface RangeSnapshot {
  readonly revision: number;
  readonly entries: RangeEntry[];
}

/** The smallest key greater than every key starting with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let index = end.length - 1; index >= 0; index--) {
    if (end[index] < 0xff) {
      end[index]++;
      return end.subarray(0, index + 1);
    }
  }
  return Buffer.from([0]);
}

/** etcd revisions are int64 strings; the store's versions are numbers, exact up to 2^53. */
export function revisionNumber(revision: string): number {
  const value = Number(revision);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`etcd revision ${revision} is not a positive safe integer`);
  return value;
}

export async function rangePrefix(client: Etcd3, prefixText: string, options: RangeOptions = {}): Promise<RangeSnapshot> {
  const prefix = Buffer.from(prefixText, 'utf8');
  const rangeEnd = prefixEnd(prefix);
  const entries: RangeEntry[] = [];
  let start = prefix;
  let revision = options.revision;
  let pageKeys = options.keysOnly ? PAGE_KEYS_ONLY : PAGE_KEYS;
  for (;;) {
    const request: IRangeRequest = {
      key: start,
      range_end: rangeEnd,
      limit: pageKeys,
      ...(revision !== undefined ? { revision } : {}),
      ...(options.keysOnly ? { keys_only: true } : {}),
      ...(options.modifiedAfter !== undefined ? { min_mod_revision: options.modifiedAfter + 1 } : {}),
    };
    let response: Awaited<ReturnType<Etcd3['kv']['range']>>;
    try {
      response = await client.kv.range(request);
    } catch (error) {
      if (pageKeys <= 8 || !/RESOURCE_EXHAUSTED|larger than max/i.test((error as Error).message)) throw error;
      pageKeys = Math.floor(pageKeys / 4);
      continue;
    }
    revision ??= revisionNumber(response.header.revision);
    for (const kv of response.kvs)
      entries.push({
        key: kv.key.subarray(prefix.length).toString('utf8'),
        value: options.keysOnly ? null : kv.value.toString('utf8'),
        version: revisionNumber(kv.mod_revision),
      });
    if (!response.more || response.kvs.length === 0) return { revision, entries };
    start = Buffer.concat([response.kvs[response.kvs.length - 1].key, Buffer.from([0])]);
  }
}
