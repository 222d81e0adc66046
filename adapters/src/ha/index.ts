/**
 * High availability: on etcd (the client, the fenced state store, lease
 * timing, leader election) or on one machine (the lock-directory election),
 * and the HA master built on either. Explicit export list.
 */
export { CALL_TIMEOUT_MS_DEFAULT, createEtcdClient, parseEndpoints } from './etcdClient.js';
export type { EtcdClientOptions } from './etcdClient.js';
export { EtcdStore, NotLeaderError, VALUE_BYTES_MAX } from '../store/etcdStore.js';
export type { EtcdPutResult, EtcdStoreOptions, LeaderFence, NotLeaderRejection } from '../store/etcdStore.js';
export { LEASE_TIMING_DEFAULT, leaseTimingProblem, LeaseTrust, trustedUntilMs, ttlSeconds } from './leaseTiming.js';
export type { LeaseTiming } from './leaseTiming.js';
export { LeaseKeeper } from './leaseKeeper.js';
export { STALL_MAX_MS_DEFAULT, ThreadLease } from './threadLease.js';
export type { Lease, ThreadLeaseOptions } from './threadLease.js';
export type { LeaseKeeperOptions } from './leaseKeeper.js';
export type { Election, ElectionEvent, LeaderInfo } from './election.js';
export { LeaderElection } from './leaderElection.js';
export type { LeaderElectionOptions } from './leaderElection.js';
export { FileLockElection, processIdentity } from './fileLockElection.js';
export type { FileLockElectionOptions } from './fileLockElection.js';
export { followerAnswer, startFollowerServer } from './followerServer.js';
export type { FollowerAnswer, FollowerServer } from './followerServer.js';
export { startHaMaster } from './haMaster.js';
export type { HaBackend, HaMasterOptions, RunningHaMaster } from './haMaster.js';
export { EXIT_LOST_LEADERSHIP, etcdBackend, haFlagsProblem, runHaMaster } from './haMasterCommand.js';
export type { HaMasterFlags } from './haMasterCommand.js';
