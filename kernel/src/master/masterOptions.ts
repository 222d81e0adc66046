/**
 * How a Master is set up (MasterOptions), its defaults (Mesos's where Mesos
 * has one), and the counters it reports.
 */
import type { AllocatorOptions } from '../allocator/allocator.js';
import type { Prng } from '../prng.js';
import type { ResourceQuantities } from '../resources/layout.js';

export interface MasterOptions {
  prng: Prng;
  /** Scalar names beyond cpus, mem, disk and gpus that agents may have. */
  resourceNames?: readonly string[];
  allocationIntervalMs?: number;
  roleSorter?: AllocatorOptions['roleSorter'];
  frameworkSorter?: AllocatorOptions['frameworkSorter'];
  fairSharingExcludedResourceNames?: readonly string[];
  minAllocatable?: readonly ResourceQuantities[];
  /** Rescind offers not answered within this time; null = never (Mesos's default). */
  offerTimeoutMs?: number | null;
  /** A disconnected agent becomes unreachable after this long (Mesos: 5 pings x 15 s). */
  agentUnreachableTimeoutMs?: number;
  /** After a failover, an agent that has not re-registered within this long becomes unreachable. */
  agentReregisterTimeoutMs?: number;
  /** Kill grace period when a KILL names none. */
  killGracePeriodMs?: number;
  fastPaths?: boolean;
  /** With fastPaths: settle agents on which every client is filtered without walking them (default true; off to test that this equals walking). */
  settleFilteredAgents?: boolean;
  decisionCycles?: number;
  /** Failover generation: offer ids carry it so that no id is reused after a failover. */
  epoch?: number;
  /**
   * Assertions where state changes (default true): sorter structure and no negative allocation
   * on every update, and after every step the conservation of each touched agent's resources.
   * Hosts that must not pay for them in production turn them off (the daemon's --assertions flag).
   */
  checks?: boolean;
}

export interface MasterCounters {
  allocationCycles: number;
  offersMade: number;
  offersDeclined: number;
  offersAccepted: number;
  offersRescinded: number;
  tasksLaunched: number;
}

export const DEFAULT_MIN_ALLOCATABLE: readonly ResourceQuantities[] = [{ cpus: 0.01 }, { mem: 32 }];
export const DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS = 75_000;
export const DEFAULT_AGENT_REREGISTER_TIMEOUT_MS = 600_000;
export const DEFAULT_KILL_GRACE_PERIOD_MS = 3_000;
