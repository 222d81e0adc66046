/**
 * What every StateStore promises, run against each one (memory, file, etcd):
 * commits of several keys are all or none with a compare-and-swap per key;
 * versions are store revisions, so a re-created key never comes back with an
 * old version; list() returns every key; commits larger than one etcd
 * transaction still apply in full.
 */
import { expect, it } from 'vitest';
import type { StateStore } from '../../../adapters/src/store/stateStore.js';
import { COMMIT_KEYS_MAX, commitOrConfirm } from '../../../adapters/src/store/stateStore.js';

export function storeContract(name: string, open: () => Promise<StateStore>): void {
  it(`${name}: commits several keys at once, each with its new version`, async () => {
    const store = await open();
    const first = await store.commit([
      { key: 'a', value: 'A1', expectedVersion: 0 },
      { key: 'b', value: 'B1', expectedVersion: 0 },
    ]);
    if (!first.ok) throw new Error(first.message);
    const version = first.versions.get('a')!;
    expect(first.versions.get('b')).toBe(version);
    const listed = await store.list();
    expect([...listed.keys()].sort()).toEqual(['a', 'b']);
    expect(listed.get('a')).toEqual({ value: 'A1', version });

    const second = await store.commit([
      { key: 'a', value: null, expectedVersion: version },
      { key: 'c', value: 'C1' },
    ]);
    if (!second.ok) throw new Error(second.message);
    expect(second.versions.get('a')).toBe(0);
    expect(second.versions.get('c')).toBeGreaterThan(version);
    expect(await store.get('a')).toBeNull();
    expect([...(await store.list()).keys()].sort()).toEqual(['b', 'c']);
    await store.close();
  });

  it(`${name}: writes nothing when one expected version does not match, and names the key`, async () => {
    const store = await open();
    const created = await store.commit([{ key: 'x', value: 'X1', expectedVersion: 0 }]);
    if (!created.ok) throw new Error(created.message);
    const refused = await store.commit([
      { key: 'y', value: 'Y1', expectedVersion: 0 },
      { key: 'x', value: 'X2', expectedVersion: created.versions.get('x')! + 1000 },
    ]);
    expect(refused).toMatchObject({ ok: false, code: 'version_conflict', key: 'x', actualVersion: created.versions.get('x') });
    expect(await store.get('y')).toBeNull();
    expect((await store.get('x'))?.value).toBe('X1');
    // A deleted key created again has a version never seen before (no ABA).
    await store.delete('x');
    const again = await store.put('x', 'X3', 0);
    expect(again.ok && again.version > created.versions.get('x')!).toBe(true);
    await expect(store.commit([{ key: 'bad/key', value: '' }])).rejects.toThrow(/store key/);
    await expect(
      store.commit([
        { key: 'twice', value: '1' },
        { key: 'twice', value: '2' },
      ]),
    ).rejects.toThrow(/twice/);
    await store.close();
  });

  it(`${name}: applies a commit larger than one transaction in full`, async () => {
    const store = await open();
    const writes = Array.from({ length: COMMIT_KEYS_MAX * 2 + 7 }, (_, index) => ({
      key: `k${index}`,
      value: `v${index}`,
      expectedVersion: 0,
    }));
    const result = await store.commit(writes);
    expect(result.ok).toBe(true);
    const listed = await store.list();
    expect(listed.size).toBe(writes.length);
    expect(listed.get(`k${writes.length - 1}`)?.value).toBe(`v${writes.length - 1}`);
    await store.close();
  });

  it(`${name}: counts a retried commit whose first attempt landed (its answer lost) as done, and nothing else`, async () => {
    const store = await open();
    const writes = [
      { key: 'r1', value: 'one', expectedVersion: 0 },
      { key: 'r2', value: null, expectedVersion: 0 },
    ];
    const first = await store.commit(writes);
    if (!first.ok) throw new Error(first.message);
    const retried = await commitOrConfirm(store, writes);
    expect(retried).toEqual({
      ok: true,
      versions: new Map([
        ['r1', first.versions.get('r1')],
        ['r2', 0],
      ]),
    });
    const different = await commitOrConfirm(store, [{ key: 'r1', value: 'other', expectedVersion: 0 }]);
    expect(different).toMatchObject({ ok: false, code: 'version_conflict', key: 'r1' });
    await store.close();
  });
}
