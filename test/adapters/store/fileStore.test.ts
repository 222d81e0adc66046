/**
 * The file store's write-ahead log: the store contract; state that survives
 * reopening and compaction; a log cut at every byte of its last record (a
 * crash mid-append) loads the state before that record, never a part of it;
 * damage before the end refuses to load; a write that fails half-way (a full
 * disk) is cut back and leaves the store writable; another process's writes
 * are seen; the old layout (one `<key>.json` per key) is imported.
 */
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreFs } from '../../../adapters/src/store/fileStore.js';
import { FileStore } from '../../../adapters/src/store/fileStore.js';
import { storeContract } from './storeContract.js';

const directories: string[] = [];
function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'allot-wal-'));
  directories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function contents(store: FileStore): Promise<Record<string, string>> {
  return Object.fromEntries([...(await store.list())].map(([key, stored]) => [key, stored.value]));
}

describe('file store', () => {
  storeContract('file', async () => new FileStore(freshDirectory()));

  it('keeps its state across reopening and compaction, with one snapshot and one log on disk', async () => {
    const directory = freshDirectory();
    const store = new FileStore(directory, { compactBytes: 2000 });
    const expected: Record<string, string> = {};
    for (let round = 0; round < 200; round++) {
      const key = `key${round % 17}`;
      const value = `value ${round} ${'x'.repeat(round % 50)}`;
      const result = await store.commit([
        { key, value },
        { key: `gone${round % 5}`, value: round % 2 === 0 ? 'here' : null },
      ]);
      expect(result.ok).toBe(true);
      expected[key] = value;
      if (round % 2 === 0) expected[`gone${round % 5}`] = 'here';
      else delete expected[`gone${round % 5}`];
    }
    await store.close();
    const files = readdirSync(directory).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^log\.\d+$/);
    expect(files[1]).toMatch(/^snapshot\.\d+$/);
    expect(Number(files[0].slice(4))).toBeGreaterThan(1);
    const reopened = new FileStore(directory);
    expect(await contents(reopened)).toEqual(expected);
    const versions = [...(await reopened.list()).values()].map((stored) => stored.version);
    expect(Math.max(...versions)).toBe(200);
  });

  it('loads the state before the last record when the log is cut at any byte of it (kill -9 mid-append)', async () => {
    const directory = freshDirectory();
    const store = new FileStore(directory);
    await store.commit([
      { key: 'a', value: 'one' },
      { key: 'b', value: 'one' },
    ]);
    const before = readFileSync(join(directory, 'log.0')).length;
    await store.commit([
      { key: 'a', value: 'two' },
      { key: 'b', value: null },
      { key: 'c', value: 'two "quoted" \n newline' },
    ]);
    await store.close();
    const full = readFileSync(join(directory, 'log.0'));
    for (let cut = before; cut < full.length; cut++) {
      writeFileSync(join(directory, 'log.0'), full.subarray(0, cut));
      const reopened = new FileStore(directory);
      expect(await contents(reopened), `cut at byte ${cut}`).toEqual({ a: 'one', b: 'one' });
      // The torn end is gone: the next commit lands right after the last whole record.
      expect((await reopened.put('d', 'after', 0)).ok).toBe(true);
      expect(readFileSync(join(directory, 'log.0')).subarray(0, before)).toEqual(full.subarray(0, before));
      await reopened.close();
    }
    writeFileSync(join(directory, 'log.0'), Buffer.concat([full, Buffer.alloc(100)]));
    expect(await contents(new FileStore(directory))).toEqual({ a: 'two', c: 'two "quoted" \n newline' });
  });

  it('refuses to load a log damaged before its end', async () => {
    const directory = freshDirectory();
    const store = new FileStore(directory);
    for (let index = 0; index < 3; index++) await store.put(`k${index}`, `v${index}`);
    await store.close();
    const path = join(directory, 'log.0');
    const bytes = readFileSync(path);
    bytes[20] = bytes[20] === 0x41 ? 0x42 : 0x41;
    writeFileSync(path, bytes);
    await expect(new FileStore(directory).list()).rejects.toThrow(/damaged but a valid record follows/);
  });

  it('cuts back a write that stopped short (a full disk) and stays writable', async () => {
    const directory = freshDirectory();
    const budget = { bytesLeft: Number.POSITIVE_INFINITY };
    const fullDisk: StoreFs = {
      ...fs,
      writeSync: ((fd: number, buffer: Buffer, offset: number, length: number) => {
        if (budget.bytesLeft <= 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        const written = Math.min(length, budget.bytesLeft);
        budget.bytesLeft -= written;
        return fs.writeSync(fd, buffer, offset, written);
      }) as StoreFs['writeSync'],
    };
    const store = new FileStore(directory, { fs: fullDisk });
    await store.put('a', 'one', 0);
    const size = readFileSync(join(directory, 'log.0')).length;
    budget.bytesLeft = 10;
    await expect(store.commit([{ key: 'a', value: 'x'.repeat(5000) }])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readFileSync(join(directory, 'log.0')).length).toBe(size);
    expect(await store.get('a')).toMatchObject({ value: 'one' });
    budget.bytesLeft = Number.POSITIVE_INFINITY;
    expect(await store.put('a', 'two', 1)).toEqual({ ok: true, version: 2 });
    expect(await contents(new FileStore(directory))).toEqual({ a: 'two' });
  });

  it("sees another process's writes before comparing versions", async () => {
    const directory = freshDirectory();
    const first = new FileStore(directory);
    const second = new FileStore(directory);
    const created = await first.put('state', 'by first', 0);
    expect(await second.get('state')).toMatchObject({ value: 'by first' });
    const overwritten = await second.put('state', 'by second', created.ok ? created.version : -1);
    expect(overwritten.ok).toBe(true);
    // The first store's version is stale now: its compare-and-swap must fail, not overwrite.
    expect(await first.put('state', 'stale', created.ok ? created.version : -1)).toMatchObject({ ok: false, code: 'version_conflict' });
    expect(await contents(new FileStore(directory))).toEqual({ state: 'by second' });
  });

  it('imports the old layout (one <key>.json per key) once, keeping versions', async () => {
    const directory = freshDirectory();
    writeFileSync(join(directory, 'master-state.json'), JSON.stringify({ version: 7, value: '{"format":"allot-master-state"}' }));
    writeFileSync(join(directory, '.master-state.json.123.abcd.tmp'), 'torn');
    const store = new FileStore(directory);
    expect(await store.get('master-state')).toEqual({ value: '{"format":"allot-master-state"}', version: 7 });
    expect(readdirSync(directory).sort()).toEqual(['log.1', 'snapshot.1']);
    expect(await store.put('master-state', 'next', 7)).toEqual({ ok: true, version: 8 });
    truncateSync(join(directory, 'log.1'), 0);
    expect(await new FileStore(directory).get('master-state')).toEqual({ value: '{"format":"allot-master-state"}', version: 7 });
  });
});
