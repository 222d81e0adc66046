/**
 * How many frameworks the master keeps: at most `frameworksPerPrincipal`
 * registered per principal (the authenticated one, or the declared
 * `framework_info.principal` without a security file; frameworks without a
 * principal share one count), so that a client looping on SUBSCRIBE cannot
 * grow the state without bound. Re-subscribing a known framework is always
 * allowed. The cap on disconnected frameworks lives in FrameworkSessions.
 */
import type { HttpFailure } from './httpErrors.js';
import { failure } from './httpErrors.js';
import type { MasterContext } from './masterContext.js';

export const FRAMEWORKS_PER_PRINCIPAL_MAX = 1000;
export const DISCONNECTED_FRAMEWORKS_MAX = 100;

export interface FrameworkLimits {
  frameworksPerPrincipal: number;
  /** Disconnected frameworks waiting for their failover timeout; beyond it the longest-disconnected is torn down. */
  disconnectedFrameworks: number;
}

/** 429 when a new framework of `principal` would be one too many; null when it may register. */
export function frameworkLimitProblem(context: MasterContext, principal: string | null): HttpFailure | null {
  const { host, settings } = context;
  const limit = settings.limits.frameworksPerPrincipal;
  let count = 0;
  for (const record of host.registry.frameworks.values())
    if (host.master.frameworks.has(record.id) && (record.info.principal ?? null) === principal) count++;
  if (count < limit) return null;
  const who = principal === null ? 'frameworks without a principal already number' : `principal "${principal}" already has`;
  return failure(429, `${who} ${count} frameworks, the most this master keeps per principal`);
}
