/**
 * Fault injection for the master's state writes, so that every CI run
 * covers a full disk without needing root: a StateStore whose writes throw a
 * file system error while `failWith` is set, and a file system for
 * writeFileAtomic whose writes stop short (as a real full disk does: a
 * partial write, then ENOSPC) once `bytesLeft` runs out.
 */
import * as fs from 'node:fs';
import type { StoreFs } from '../../../adapters/src/store/fileStore.js';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';
import type { CommitResult, PutResult, StateStore, StoredValue, StoreWrite } from '../../../adapters/src/store/stateStore.js';
import { putByCommit } from '../../../adapters/src/store/stateStore.js';

export function errnoError(code: string, message = code): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

export class FaultyStore implements StateStore {
  readonly description = 'faulty memory';
  readonly inner = new MemoryStore();
  /** While set (e.g. "ENOSPC"), every write throws that error and stores nothing. */
  failWith: string | null = null;
  /** Each write takes this long (a slow disk). */
  delayMs = 0;
  puts = 0;
  failedPuts = 0;

  get(key: string): Promise<StoredValue | null> {
    return this.inner.get(key);
  }

  list(): Promise<Map<string, StoredValue>> {
    return this.inner.list();
  }

  put(key: string, value: string, expectedVersion?: number): Promise<PutResult> {
    return putByCommit(this, key, value, expectedVersion);
  }

  async commit(writes: readonly StoreWrite[]): Promise<CommitResult> {
    this.puts++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failWith !== null) {
      this.failedPuts++;
      throw errnoError(this.failWith, 'injected by the test');
    }
    return this.inner.commit(writes);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  async close(): Promise<void> {}
}

/** node:fs, except that writes share a budget of `bytesLeft`: a write is cut short at the budget, the next one fails with ENOSPC. */
export function fullDiskFs(budget: { bytesLeft: number }): StoreFs {
  return {
    ...fs,
    writeSync: ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const offset = typeof rest[0] === 'number' && typeof data !== 'string' ? (rest[0] as number) : 0;
      const length = typeof rest[1] === 'number' && typeof data !== 'string' ? (rest[1] as number) : bytes.length - offset;
      if (budget.bytesLeft <= 0) throw errnoError('ENOSPC', 'no space left on device');
      const written = Math.min(length, budget.bytesLeft);
      budget.bytesLeft -= written;
      return fs.writeSync(fd, bytes, offset, written);
    }) as StoreFs['writeSync'],
  };
}
