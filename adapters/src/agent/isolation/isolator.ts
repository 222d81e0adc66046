/**
 * Isolation of task containers (docs/semantics.md, "Running tasks on agents"): one Isolator per agent,
 * keyed by container id. Lifecycle per container: prepare (limits) -> attach
 * (the launcher's pid, before it runs the task) -> usage / detectLimitation
 * while it runs -> cleanup (kill what is left, remove the cgroups), always,
 * however the task ended. `recover` re-adopts a container after an agent
 * restart. Infrastructure failures throw; the runtime turns them into
 * TASK_FAILED with REASON_CONTAINER_LAUNCH_FAILED.
 */
import type { TaskReason } from '@allot/kernel';

export type IsolatorKind = 'cgroups-v1' | 'cgroups-v2' | 'posix';

export interface ContainerLimits {
  /** Relative CPU weight, and the CFS quota when the isolator enforces one. 0 gets the minimum weight. */
  cpus: number;
  /** Hard memory limit; null = unlimited. */
  memMb: number | null;
  /** Most processes and threads the container may have; null = unlimited. */
  pidsMax: number | null;
}

export interface ContainerUsage {
  memBytes: number | null;
  memPeakBytes: number | null;
  cpuSeconds: number | null;
  processes: number | null;
}

export interface Limitation {
  resource: 'memory' | 'disk';
  reason: TaskReason;
  message: string;
}

export interface Isolator {
  readonly kind: IsolatorKind;
  /** Set when the isolator enforces nothing, to be logged when the agent starts. */
  readonly warning: string | null;
  prepare(containerId: string, limits: ContainerLimits): Promise<void>;
  attach(containerId: string, pid: number): Promise<void>;
  /** After an agent restart: take back a container whose launcher `pid` still runs. */
  recover(containerId: string, limits: ContainerLimits, pid: number): Promise<void>;
  usage(containerId: string): Promise<ContainerUsage>;
  detectLimitation(containerId: string): Promise<Limitation | null>;
  cleanup(containerId: string): Promise<void>;
  /** Container ids this isolator finds on the host, e.g. cgroups left by an agent that crashed. */
  containers(): Promise<string[]>;
}

export const CPU_SHARES_PER_CPU = 1024;
export const CPU_SHARES_MIN = 2;
export const CPU_SHARES_MAX = 262_144;
export const CFS_PERIOD_US = 100_000;
/** Mesos's floor for a CFS quota: 1 ms per period. */
export const CFS_QUOTA_MIN_US = 1_000;

/** cgroup v1 `cpu.shares`: 1024 per cpu, at least 2. */
export function cpuShares(cpus: number): number {
  return Math.min(CPU_SHARES_MAX, Math.max(CPU_SHARES_MIN, Math.floor(cpus * CPU_SHARES_PER_CPU)));
}

/** cgroup v2 `cpu.weight` (1..10000) from v1 shares, the way systemd and Kubernetes convert. */
export function cpuWeightFromShares(shares: number): number {
  const clamped = Math.min(CPU_SHARES_MAX, Math.max(CPU_SHARES_MIN, shares));
  return 1 + Math.floor(((clamped - 2) * 9999) / 262_142);
}

/** CFS quota per period for `cpus`, at least 1 ms. */
export function cfsQuotaUs(cpus: number, periodUs = CFS_PERIOD_US): number {
  return Math.max(CFS_QUOTA_MIN_US, Math.round(cpus * periodUs));
}

export function bytesFromMb(memMb: number): number {
  return Math.round(memMb * 2 ** 20);
}

/** "Memory limit exceeded: requested 64 MB, peak 64.0 MB" */
export function memoryLimitation(limitMb: number, peakBytes: number): Limitation {
  return {
    resource: 'memory',
    reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
    message: `Memory limit exceeded: requested ${limitMb} MB, peak ${(peakBytes / 2 ** 20).toFixed(1)} MB`,
  };
}

/** "Disk usage (5.0 MB) exceeds quota (1 MB)" */
export function diskLimitation(limitMb: number, usageBytes: number): Limitation {
  return {
    resource: 'disk',
    reason: 'REASON_CONTAINER_LIMITATION_DISK',
    message: `Disk usage (${(usageBytes / 2 ** 20).toFixed(1)} MB) exceeds quota (${limitMb} MB)`,
  };
}

/** Container ids become directory names: keep them to a safe alphabet. */
export function assertContainerId(containerId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(containerId)) throw new Error(`invalid container id "${containerId}"`);
}

/** `key value` lines (memory.events, memory.oom_control, cpu.stat) as numbers. */
export function parseKeyValueLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) out.set(key, Number(value));
  }
  return out;
}
