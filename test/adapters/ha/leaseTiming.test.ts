/**
 * The lease trust rule with exact numbers (no etcd, no clock): trust ends
 * TTL − margin after the *send* time of the last acknowledged keep-alive,
 * which is always before etcd can expire the lease, and never moves back.
 */
import { describe, expect, it } from 'vitest';
import { LEASE_TIMING_DEFAULT, leaseTimingProblem, LeaseTrust, trustedUntilMs } from '../../../adapters/src/ha/leaseTiming.js';

describe('lease timing', () => {
  it('accepts the defaults and rejects timings where one lost keep-alive ends the lease', () => {
    expect(leaseTimingProblem(LEASE_TIMING_DEFAULT)).toBeNull();
    expect(leaseTimingProblem({ ttlMs: 1500, keepAliveIntervalMs: 500, safetyMarginMs: 500 })).toMatch(/whole seconds/);
    expect(leaseTimingProblem({ ttlMs: 2000, keepAliveIntervalMs: 800, safetyMarginMs: 500 })).toMatch(/two keep-alive intervals/);
    expect(leaseTimingProblem({ ttlMs: 2000, keepAliveIntervalMs: 500, safetyMarginMs: 50 })).toMatch(/safety margin/);
  });

  it('trusts until send time + min(asked, granted TTL) − margin', () => {
    // Asked 2 s, etcd granted 2 s: 1000 + 2000 − 500.
    expect(trustedUntilMs(1000, 2, LEASE_TIMING_DEFAULT)).toBe(2500);
    // etcd raised the TTL to its minimum of 5 s: a longer lease only expires later, so the asked 2 s still bounds the trust.
    expect(trustedUntilMs(1000, 5, LEASE_TIMING_DEFAULT)).toBe(2500);
    expect(() => trustedUntilMs(1000, 0, LEASE_TIMING_DEFAULT)).toThrow(/positive TTL/);
  });

  it('counts an answer against the oldest keep-alive in flight, and a broken stream drops them all', () => {
    const trust = new LeaseTrust(LEASE_TIMING_DEFAULT, 0, 2); // granted at 0: trusted until 1500
    trust.sent(500);
    trust.sent(1000);
    expect(trust.trustedUntilMs).toBe(1500);
    trust.acknowledged(2); // answers the one sent at 500, even if it arrives at 1400
    expect(trust.trustedUntilMs).toBe(2000);
    expect(trust.isTrusted(1999)).toBe(true);
    expect(trust.isTrusted(2000)).toBe(false);
    trust.streamReset();
    expect(trust.inFlight).toBe(0);
    expect(() => trust.acknowledged(2)).toThrow(/none in flight/);
    expect(trust.trustedUntilMs).toBe(2000);
  });

  it('gives up at least the margin before the earliest moment etcd could expire the lease', () => {
    // etcd receives the keep-alive sent at 500 no earlier than 500, so it expires the lease no earlier than 2500.
    const trust = new LeaseTrust(LEASE_TIMING_DEFAULT, 0, 2);
    trust.sent(500);
    trust.acknowledged(2);
    const earliestExpiryMs = 500 + LEASE_TIMING_DEFAULT.ttlMs;
    expect(earliestExpiryMs - trust.trustedUntilMs).toBe(LEASE_TIMING_DEFAULT.safetyMarginMs);
  });
});
