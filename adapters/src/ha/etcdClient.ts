/**
 * One place that builds the etcd3 client the HA modules share, with limits on
 * everything: every unary call has a deadline (a SIGSTOPped or partitioned
 * etcd must not hang the master), a dead endpoint is skipped quickly, and a
 * broken watch reconnects within a second instead of etcd3's 30 s backoff.
 */
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { Etcd3, GRPCUnavailableError, isRecoverableError } from 'etcd3';

// In a module of its own, so that `allot master` checks --etcd without loading etcd3.
export { parseEndpoints } from './etcdEndpoints.js';

export interface EtcdClientOptions {
  /** Deadline of each unary call (get, txn, lease grant). */
  callTimeoutMs?: number;
}

export const CALL_TIMEOUT_MS_DEFAULT = 1500;

/** Unavailable (connection refused) counts as a host failure too, so that calls move to another endpoint. */
function isHostFailure(error: Error): boolean {
  return isRecoverableError(error) || error instanceof GRPCUnavailableError;
}

export function createEtcdClient(endpoints: readonly string[], options: EtcdClientOptions = {}): Etcd3 {
  if (endpoints.length === 0) throw new Error('createEtcdClient needs at least one endpoint');
  const callTimeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS_DEFAULT;
  return new Etcd3({
    hosts: [...endpoints],
    dialTimeout: callTimeoutMs,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    faultHandling: {
      // Two failures in a row park an endpoint for a second; the next call goes elsewhere.
      host: () => circuitBreaker(handleWhen(isHostFailure), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(2) }),
      // One more attempt per other endpoint; with a single endpoint a call fails within its deadline.
      global: retry(handleWhen(isHostFailure), { maxAttempts: endpoints.length - 1 }),
      // etcd3 types this as a backoff (it calls `next()` on it), not a factory.
      watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }).next(),
    },
  });
}
