/**
 * The body of the lease thread (see threadLease.ts): its own etcd client and
 * LeaseKeeper, so that keep-alives go out on time however long the master's
 * thread is busy. It publishes the trust deadline in shared memory (in
 * microseconds of the process's monotonic clock, which every thread shares)
 * and stops sending keep-alives when the master's thread has not shown a sign
 * of life for `stallMaxMs`: a wedged master must not hold the leadership.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEtcdClient } from './etcdClient.js';
import { LeaseKeeper } from './leaseKeeper.js';
import type { LeaseWorkerData, LeaseWorkerMessage } from './leaseClock.js';
import { monotonicMs } from './leaseClock.js';

async function main(): Promise<void> {
  const port = parentPort!;
  const data = workerData as LeaseWorkerData;
  const shared = new BigInt64Array(data.shared);
  const post = (message: LeaseWorkerMessage) => port.postMessage(message);
  const client = createEtcdClient(data.endpoints);
  let keeper: LeaseKeeper;
  try {
    keeper = await LeaseKeeper.grant({
      client,
      timing: data.timing,
      now: monotonicMs,
      onTrust: (untilMs) => void Atomics.store(shared, 0, BigInt(Math.floor(untilMs * 1000))),
      keepAliveWhile: () => monotonicMs() - Number(Atomics.load(shared, 1)) / 1000 < data.stallMaxMs,
      onLost: (reason) => {
        Atomics.store(shared, 0, 0n);
        post({ type: 'lost', reason });
      },
    });
  } catch (error) {
    client.close();
    post({ type: 'failed', message: (error as Error).message });
    return;
  }
  port.on('message', (message: { type: string }) => {
    if (message.type !== 'revoke') return;
    Atomics.store(shared, 0, 0n);
    void keeper.revoke().finally(() => {
      client.close();
      post({ type: 'revoked' });
      port.close();
    });
  });
  post({ type: 'granted', id: keeper.id });
}

void main();
