/**
 * A lease kept alive from a worker thread, against a real etcd: trusted
 * while granted, kept through a 3 s block of the master's thread (that
 * would end a lease kept on the blocked thread itself, whose trust lasts
 * 1.5 s), let go once the thread has shown no sign of life for longer than
 * allowed, and revoked on request (its keys vanish at once).
 */
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../../adapters/src/ha/etcdClient.js';
import { ThreadLease } from '../../../adapters/src/ha/threadLease.js';
import { ETCD_SKIP_REASON, startEtcd } from './etcdHarness.js';
import type { EtcdServer } from './etcdHarness.js';
import { waitUntil } from './waitUntil.js';

if (ETCD_SKIP_REASON) console.warn(`[thread lease] SKIPPED: ${ETCD_SKIP_REASON}`);

function blockThisThread(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: no timer, no I/O callback runs on this thread meanwhile.
  }
}

describe.skipIf(ETCD_SKIP_REASON !== null)('ThreadLease on a real etcd', () => {
  let etcd: EtcdServer;
  let client: Etcd3;
  beforeAll(async () => {
    etcd = await startEtcd('thread-lease');
    client = createEtcdClient([etcd.endpoint]);
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  it('stays trusted through a 3 s block of this thread, and its key vanishes when revoked', async () => {
    const lost: string[] = [];
    const lease = await ThreadLease.grant({ endpoints: [etcd.endpoint], onLost: (reason) => lost.push(reason) });
    try {
      expect(lease.isTrusted()).toBe(true);
      await client.kv.put({ key: Buffer.from('/tl/owned'), value: Buffer.from('x'), lease: lease.id });
      blockThisThread(3000);
      expect(lease.isTrusted()).toBe(true);
      expect(lease.trustedForMs()).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lost).toEqual([]);
      expect(await client.get('/tl/owned').string()).toBe('x');
    } finally {
      await lease.revoke();
    }
    expect(lease.isTrusted()).toBe(false);
    expect(await client.get('/tl/owned').string()).toBeNull();
  });

  it('lets the lease go when this thread shows no sign of life for longer than allowed', async () => {
    const lost: string[] = [];
    const lease = await ThreadLease.grant({ endpoints: [etcd.endpoint], stallMaxMs: 500, onLost: (reason) => lost.push(reason) });
    try {
      // Wedged for longer than the allowance plus the TTL: the worker stopped keeping the lease alive.
      blockThisThread(3500);
      expect(lease.isTrusted()).toBe(false);
      await waitUntil(() => lost.length > 0, 'the loss to be reported', 5000);
      expect(lost[0]).toMatch(/no keep-alive acknowledged in time/);
    } finally {
      await lease.revoke();
    }
  });
});
