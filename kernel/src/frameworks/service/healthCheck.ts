/**
 * Simulated Marathon health checks. Checks run every `intervalMs` after a task
 * reports RUNNING; a task passes once it is `startupMs` old (never, for a
 * version listed as unhealthy). Failures inside `gracePeriodMs` do not count;
 * after it, `maxConsecutiveFailures` failures in a row get the task killed.
 * The whole timeline follows from the RUNNING time, so it is computed at once.
 */

export interface HealthCheckSpec {
  readonly gracePeriodMs: number;
  readonly intervalMs: number;
  readonly maxConsecutiveFailures: number;
  /** How long a task of a healthy version takes to pass its first check. */
  readonly startupMs: number;
  /** Versions whose tasks never pass (failure injection). */
  readonly unhealthyVersions: readonly string[];
}

export interface HealthTimeline {
  /** When the task turns healthy; null if it never does. */
  healthyAtMs: number | null;
  /** When failing checks get it killed; null if they never do. */
  killAtMs: number | null;
}

/** Check k (k >= 1) runs at runningAtMs + k x intervalMs; the first to pass or the last failure allowed decides. */
export function healthTimeline(runningAtMs: number, check: HealthCheckSpec | null, version: string): HealthTimeline {
  if (check === null) return { healthyAtMs: runningAtMs, killAtMs: null };
  const firstPassing = check.unhealthyVersions.includes(version) ? Infinity : Math.max(1, Math.ceil(check.startupMs / check.intervalMs));
  // Failures count from the first check after the grace period; this one would be the last allowed.
  const killing = Math.floor(check.gracePeriodMs / check.intervalMs) + check.maxConsecutiveFailures;
  if (firstPassing <= killing) return { healthyAtMs: runningAtMs + firstPassing * check.intervalMs, killAtMs: null };
  return { healthyAtMs: null, killAtMs: runningAtMs + killing * check.intervalMs };
}
