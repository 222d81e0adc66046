/**
 * A follower's standby copy of the state in etcd: after keys are added,
 * changed and deleted behind its back, its catch-up returns exactly what a
 * full read returns (values and versions), and without a copy it reads all.
 */
import type { Etcd3 } from 'etcd3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../../adapters/src/ha/etcdClient.js';
import { mirroredStore, StateMirror } from '../../../adapters/src/ha/stateMirror.js';
import { EtcdStore } from '../../../adapters/src/store/etcdStore.js';
import { ETCD_SKIP_REASON, startEtcd } from './etcdHarness.js';
import type { EtcdServer } from './etcdHarness.js';
import { waitUntil } from './waitUntil.js';

if (ETCD_SKIP_REASON) console.warn(`[state mirror] SKIPPED: ${ETCD_SKIP_REASON}`);

describe.skipIf(ETCD_SKIP_REASON !== null)('StateMirror on a real etcd', () => {
  let etcd: EtcdServer;
  let client: Etcd3;
  beforeAll(async () => {
    etcd = await startEtcd('mirror');
    client = createEtcdClient([etcd.endpoint]);
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  it('catches up with additions, changes and deletions to exactly what a full read gives', async () => {
    const store = new EtcdStore({ client, prefix: '/mirror/', endpoints: [etcd.endpoint] });
    const writes = Array.from({ length: 1500 }, (_, index) => ({ key: `agent.${index}`, value: `{"n":${index}}` }));
    expect((await store.commit(writes)).ok).toBe(true);
    const mirror = new StateMirror(store, pino({ level: 'silent' }), 100);
    mirror.start();
    try {
      await waitUntil(async () => (await mirror.catchUp()).size === 1500, 'the first copy', 10_000);
      await store.commit([
        { key: 'agent.3', value: '{"n":"changed"}' },
        { key: 'agent.4', value: null },
        { key: 'framework.new', value: '{"id":"new"}' },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // a refresh or two: the copy sees the change, not the deletion
      await store.delete('agent.5');
      mirror.stop();
      const caughtUp = await mirroredStore(store, mirror).list();
      expect(caughtUp).toEqual(await store.list());
      expect(caughtUp.has('agent.4') || caughtUp.has('agent.5')).toBe(false);
      expect(caughtUp.get('agent.3')?.value).toBe('{"n":"changed"}');
    } finally {
      mirror.stop();
    }
  });

  it('reads everything when it has no copy yet', async () => {
    const store = new EtcdStore({ client, prefix: '/mirror-cold/', endpoints: [etcd.endpoint] });
    await store.put('meta', '{}');
    const mirror = new StateMirror(store, pino({ level: 'silent' }));
    expect([...(await mirror.catchUp()).keys()]).toEqual(['meta']);
  });
});
