/**
 * The timing rule that keeps two masters from both acting as leader: a lease
 * holder trusts its lease only until (send time of the last acknowledged
 * keep-alive) + TTL − margin, on its own monotonic clock. Pure: the time is
 * always an argument, so the rule is tested with exact numbers.
 *
 * Why it is safe. etcd expires a lease no earlier than TTL after the last
 * keep-alive it *received* (its expiry loop only checks every 500 ms, which
 * can only make expiry later), and a keep-alive is received after it was
 * sent. Another master can create the leader key only once etcd has deleted
 * it with the lease. So our trust ends at least `margin` before anyone else's
 * leadership can begin; the margin absorbs timer latency and event-loop
 * stalls of up to `margin` (clock-rate differences over 2 s are microseconds).
 * A longer stall (SIGSTOP, swapping) is caught before the master acts again:
 * it checks the trust before every step and before a step's effects leave,
 * and every store write compares the leader key. The HA master keeps its
 * lease alive from a worker thread (threadLease.ts), so that its own thread
 * being busy for seconds does not, by itself, end the leadership. A change of etcd leader renews every
 * lease to its full TTL, which only makes expiry later again.
 *
 * Failover time. A leader that dies sent its last keep-alive at most one
 * interval before; its key vanishes between TTL − interval and TTL + 500 ms
 * after the death (1.5–2.5 s with the defaults) and a watching follower wins
 * it a few milliseconds later, leaving time to recover within 3 s.
 */

export interface LeaseTiming {
  /** The TTL asked of etcd (whole seconds there; etcd's own minimum is 2 s with its default election timeout). */
  readonly ttlMs: number;
  readonly keepAliveIntervalMs: number;
  /** How long before the earliest possible expiry the holder stops trusting its lease. */
  readonly safetyMarginMs: number;
}

export const LEASE_TIMING_DEFAULT: LeaseTiming = { ttlMs: 2000, keepAliveIntervalMs: 500, safetyMarginMs: 500 };

/** Null when the timing is usable: a whole-second TTL, and at least two keep-alives before the holder gives up. */
export function leaseTimingProblem(timing: LeaseTiming): string | null {
  const { ttlMs, keepAliveIntervalMs, safetyMarginMs } = timing;
  if (!Number.isInteger(ttlMs) || ttlMs < 1000 || ttlMs % 1000 !== 0 || ttlMs > 60_000)
    return `lease TTL must be whole seconds between 1 s and 60 s, got ${ttlMs} ms`;
  if (!Number.isInteger(safetyMarginMs) || safetyMarginMs < 100)
    return `the safety margin must be at least 100 ms, got ${safetyMarginMs} ms`;
  if (!Number.isInteger(keepAliveIntervalMs) || keepAliveIntervalMs < 50)
    return `the keep-alive interval must be at least 50 ms, got ${keepAliveIntervalMs} ms`;
  if (2 * keepAliveIntervalMs > ttlMs - safetyMarginMs)
    return `two keep-alive intervals (${2 * keepAliveIntervalMs} ms) must fit in TTL − margin (${ttlMs - safetyMarginMs} ms), so one lost keep-alive does not end the lease`;
  return null;
}

/** The TTL in whole seconds as etcd takes it. */
export function ttlSeconds(timing: LeaseTiming): number {
  return timing.ttlMs / 1000;
}

/**
 * Until when the holder may trust its lease after etcd acknowledged a
 * keep-alive (or the grant) sent at `sentAtMs`. etcd may grant a longer TTL
 * than asked (its minimum); only the shorter one counts, since a longer
 * lease only makes expiry later.
 */
export function trustedUntilMs(sentAtMs: number, grantedTtlSeconds: number, timing: LeaseTiming): number {
  if (!(grantedTtlSeconds > 0)) throw new Error(`a live lease has a positive TTL, got ${grantedTtlSeconds}`);
  const ttlMs = Math.min(grantedTtlSeconds * 1000, timing.ttlMs);
  return sentAtMs + ttlMs - timing.safetyMarginMs;
}

/**
 * Tracks in-flight keep-alives in the order they were sent (etcd answers a
 * keep-alive stream in order) and the time until which the lease is trusted.
 */
export class LeaseTrust {
  readonly #timing: LeaseTiming;
  readonly #sentAtMs: number[] = [];
  #trustedUntilMs: number;

  constructor(timing: LeaseTiming, grantSentAtMs: number, grantedTtlSeconds: number) {
    const problem = leaseTimingProblem(timing);
    if (problem) throw new Error(problem);
    this.#timing = timing;
    this.#trustedUntilMs = trustedUntilMs(grantSentAtMs, grantedTtlSeconds, timing);
  }

  get trustedUntilMs(): number {
    return this.#trustedUntilMs;
  }

  /** In-flight keep-alives are bounded: a stream that answers nothing is replaced, not fed forever. */
  get inFlight(): number {
    return this.#sentAtMs.length;
  }

  sent(nowMs: number): void {
    this.#sentAtMs.push(nowMs);
  }

  /** An answer to the oldest in-flight keep-alive; the trust only ever moves forward. */
  acknowledged(grantedTtlSeconds: number): void {
    const sentAtMs = this.#sentAtMs.shift();
    if (sentAtMs === undefined) throw new Error('a keep-alive answer arrived with none in flight');
    this.#trustedUntilMs = Math.max(this.#trustedUntilMs, trustedUntilMs(sentAtMs, grantedTtlSeconds, this.#timing));
  }

  /** The stream broke: its in-flight keep-alives will never be answered. */
  streamReset(): void {
    this.#sentAtMs.length = 0;
  }

  isTrusted(nowMs: number): boolean {
    return nowMs < this.#trustedUntilMs;
  }
}
