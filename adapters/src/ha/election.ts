/**
 * What a highly available master needs from an election, whatever decides
 * it: etcd leases across machines (LeaderElection) or a lock directory on
 * one machine (FileLockElection). `isLeader()` is the synchronous truth a
 * leader checks before acting; events arrive in the order they happened.
 */
import type { LeaderFence } from '../store/etcdStore.js';

export interface LeaderInfo {
  readonly id: string;
  /** Where the leader serves, e.g. "http://127.0.0.1:5050" (followers redirect there). */
  readonly address: string;
}

export type ElectionEvent =
  | { type: 'leadership.gained'; fence: LeaderFence | null }
  | {
      type: 'leadership.lost';
      reason: string;
      /**
       * When this candidate stopped being leader by its lease (the election's clock, performance.now() by
       * default), if it held one: from then on it was no leader, however late this event is delivered on a
       * busy or stalled process (the store's fence refuses its writes meanwhile).
       */
      trustEndedAtMs?: number;
    }
  | { type: 'leader.changed'; leader: LeaderInfo | null };

export interface Election {
  /** The current leader as last observed (this candidate included), or null. */
  readonly leader: LeaderInfo | null;
  on(listener: (event: ElectionEvent) => void): void;
  start(): void;
  /** Gives up leadership (if held) at once and stops campaigning. */
  stop(): Promise<void>;
  isLeader(): boolean;
}
