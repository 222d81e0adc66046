/**
 * EtcdStore against a real etcd: versions are mod revisions, a put with a
 * stale expected version never overwrites a newer value (also when many
 * writers race), and with a fence a master whose leadership ended cannot
 * write ({ ok: false, code: 'not_leader' }) even before it noticed.
 */
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../../adapters/src/ha/etcdClient.js';
import { LeaderElection } from '../../../adapters/src/ha/leaderElection.js';
import { EtcdStore } from '../../../adapters/src/store/etcdStore.js';
import type { LeaderFence } from '../../../adapters/src/store/etcdStore.js';
import { storeContract } from '../store/storeContract.js';
import { ETCD_SKIP_REASON, startEtcd } from './etcdHarness.js';
import type { EtcdServer } from './etcdHarness.js';
import { waitUntil } from './waitUntil.js';

if (ETCD_SKIP_REASON) console.warn(`[ha etcd store] SKIPPED: ${ETCD_SKIP_REASON}`);

describe.skipIf(ETCD_SKIP_REASON !== null)('EtcdStore on a real etcd', () => {
  let etcd: EtcdServer;
  let client: Etcd3;
  beforeAll(async () => {
    etcd = await startEtcd('store');
    client = createEtcdClient([etcd.endpoint]);
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  let prefixes = 0;
  storeContract('etcd', async () => new EtcdStore({ client, prefix: `/contract-${prefixes++}/`, endpoints: [etcd.endpoint] }));

  it('lists more keys than one page holds, as one consistent snapshot', async () => {
    const store = new EtcdStore({ client, prefix: '/paged', endpoints: [etcd.endpoint] });
    const writes = Array.from({ length: 1234 }, (_, index) => ({ key: `agent.${index}`, value: `{"n":${index}}` }));
    expect((await store.commit(writes)).ok).toBe(true);
    const other = new EtcdStore({ client, prefix: '/paged-other', endpoints: [etcd.endpoint] });
    await other.put('agent.0', 'not mine');
    const listed = await store.list();
    expect(listed.size).toBe(1234);
    expect(listed.get('agent.1233')?.value).toBe('{"n":1233}');
  });

  it('gets what it put, with growing versions, under its prefix only', async () => {
    const store = new EtcdStore({ client, prefix: '/t1', endpoints: [etcd.endpoint] });
    expect(await store.get('state')).toBeNull();
    const first = await store.put('state', 'one', 0);
    expect(first.ok).toBe(true);
    const second = await store.put('state', 'two', first.ok ? first.version : -1);
    expect(second.ok && first.ok && second.version > first.version).toBe(true);
    expect(await store.get('state')).toEqual({ value: 'two', version: second.ok ? second.version : -1 });
    expect(await client.get('/t1/state/state').string()).toBe('two');
    const other = new EtcdStore({ client, prefix: '/t1-other/', endpoints: [etcd.endpoint] });
    expect(await other.get('state')).toBeNull();
    await store.delete('state');
    expect(await store.get('state')).toBeNull();
    await expect(store.get('../escape')).rejects.toThrow(/store key/);
  });

  it('refuses a stale expected version and reports the actual one', async () => {
    const store = new EtcdStore({ client, prefix: '/t2', endpoints: [etcd.endpoint] });
    const created = await store.put('state', 'a', 0);
    if (!created.ok) throw new Error('create failed');
    const again = await store.put('state', 'a2', 0);
    expect(again).toMatchObject({ ok: false, code: 'version_conflict', actualVersion: created.version });
    const newer = await store.put('state', 'b', created.version);
    if (!newer.ok) throw new Error('update failed');
    const stale = await store.put('state', 'stale', created.version);
    expect(stale).toMatchObject({ ok: false, code: 'version_conflict', actualVersion: newer.version });
    expect((await store.get('state'))?.value).toBe('b');
    // Recreating a deleted key gives a version never seen before (no ABA for a writer holding an old one).
    await store.delete('state');
    const recreated = await store.put('state', 'c', 0);
    expect(recreated.ok && recreated.version > newer.version).toBe(true);
    expect(await store.put('state', 'stale again', newer.version)).toMatchObject({ ok: false, code: 'version_conflict' });
  });

  it('lets exactly one of 20 racing writers with the same expected version win', async () => {
    const store = new EtcdStore({ client, prefix: '/t3', endpoints: [etcd.endpoint] });
    const base = await store.put('state', 'base', 0);
    if (!base.ok) throw new Error('create failed');
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => store.put('state', `writer-${index}`, base.version)));
    const winners = results.flatMap((result, index) => (result.ok ? [index] : []));
    expect(winners).toHaveLength(1);
    expect((await store.get('state'))?.value).toBe(`writer-${winners[0]}`);
    expect(results.filter((result) => !result.ok).every((result) => !result.ok && result.code === 'version_conflict')).toBe(true);
  });

  it('fences writes on the leader key: no fence, a deleted key or a successor all give not_leader', async () => {
    let fence: LeaderFence | null = null;
    const store = new EtcdStore({ client, prefix: '/t4', endpoints: [etcd.endpoint], fence: () => fence });
    expect(await store.put('state', 'x')).toMatchObject({ ok: false, code: 'not_leader' });

    const lease = client.lease(2, { autoKeepAlive: true });
    await lease.put('/t4/leader').value('me');
    const held = await client.get('/t4/leader').exec();
    fence = { key: '/t4/leader', createRevision: held.kvs[0].create_revision };
    const written = await store.put('state', 'while leader', 0);
    expect(written.ok).toBe(true);
    expect((await store.commit([{ key: 'other', value: 'batched while leader' }])).ok).toBe(true);

    // A successor re-created the key: our fence no longer matches.
    await client.delete().key('/t4/leader');
    await client.put('/t4/leader').value('successor');
    const refused = await store.put('state', 'after losing', written.ok ? written.version : 0);
    expect(refused).toMatchObject({ ok: false, code: 'not_leader' });
    expect(await store.commit([{ key: 'other', value: 'batched after losing' }])).toMatchObject({ ok: false, code: 'not_leader' });
    expect((await store.get('other'))?.value).toBe('batched while leader');
    expect((await store.get('state'))?.value).toBe('while leader');
    await expect(store.delete('state')).rejects.toThrow(/leadership ended/);
    await lease.revoke();
  });

  it('stops a deposed leader from writing even before it noticed it lost (fenced by the election)', async () => {
    const election = new LeaderElection({ client, prefix: '/t5', candidate: { id: 'a', address: 'http://127.0.0.1:1' } });
    const store = new EtcdStore({ client, prefix: '/t5', endpoints: [etcd.endpoint], fence: () => election.fence() });
    election.start();
    await waitUntil(() => election.isLeader(), 'a to lead', 5000);
    const fence = election.fence();
    expect(fence?.key).toBe('/t5/leader');
    const first = await store.put('state', 'leader a', 0);
    expect(first.ok).toBe(true);

    // An operator (or a successor after expiry) replaces the key; a store still holding the old fence is refused.
    const staleFence = fence;
    const staleStore = new EtcdStore({ client, prefix: '/t5', endpoints: [etcd.endpoint], fence: () => staleFence });
    await client.delete().key('/t5/leader');
    await client.put('/t5/leader').value(JSON.stringify({ id: 'b', address: 'http://127.0.0.1:2' }));
    expect(await staleStore.put('state', 'stale leader', first.ok ? first.version : 0)).toMatchObject({ ok: false, code: 'not_leader' });
    await waitUntil(() => !election.isLeader(), 'a to notice it lost', 3000);
    expect(await store.put('state', 'a again', first.ok ? first.version : 0)).toMatchObject({ ok: false, code: 'not_leader' });
    await election.stop();
    await client.delete().key('/t5/leader');
  });
});
