/**
 * The clock and messages shared by the master's thread and its lease thread
 * (threadLease.ts, leaseWorker.ts). The clock is the process's monotonic one,
 * the same in every thread (performance.now() is not: each thread has its own
 * origin), so a deadline computed in one thread means the same in the other.
 */
import type { LeaseTiming } from './leaseTiming.js';

export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface LeaseWorkerData {
  endpoints: string[];
  timing: LeaseTiming;
  stallMaxMs: number;
  /** BigInt64Array over it: [0] trusted until (µs), [1] the master thread's last sign of life (µs). */
  shared: SharedArrayBuffer;
}

export type LeaseWorkerMessage =
  | { type: 'granted'; id: string }
  | { type: 'lost'; reason: string }
  | { type: 'failed'; message: string }
  | { type: 'revoked' };
