/**
 * High availability on etcd: the client, the fenced state store, lease
 * timing and leader election. Explicit export list.
 */
export { CALL_TIMEOUT_MS_DEFAULT, createEtcdClient, parseEndpoints } from './etcdClient.js';
export type { EtcdClientOptions } from './etcdClient.js';
export { EtcdStore, NotLeaderError, VALUE_BYTES_MAX } from '../store/etcdStore.js';
export type { EtcdPutResult, EtcdStoreOptions, LeaderFence, NotLeaderRejection } from '../store/etcdStore.js';
export { LEASE_TIMING_DEFAULT, leaseTimingProblem, LeaseTrust, trustedUntilMs, ttlSeconds } from './leaseTiming.js';
export type { LeaseTiming } from './leaseTiming.js';
export { LeaseKeeper } from './leaseKeeper.js';
export type { LeaseKeeperOptions } from './leaseKeeper.js';
export { LeaderElection } from './leaderElection.js';
export type { ElectionEvent, LeaderElectionOptions, LeaderInfo } from './leaderElection.js';
