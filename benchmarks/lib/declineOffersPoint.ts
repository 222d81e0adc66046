/**
 * One grid point of DeclineOffers: build the cluster, run the set-up cycle and
 * decline what it offered (untimed), then `rounds` rounds of: advance the clock
 * one allocation interval, time exactly one `tick` (one allocation cycle), and
 * decline every offer of that round with a year-long filter (untimed). Finally
 * time the lower-bound scan over every agent's free vector.
 */
import type { Master, StepResult } from '@allot/kernel';
import type { ClusterOptions } from './cluster.js';
import { ALLOCATION_INTERVAL_MS, buildCluster, freeVectors, YEAR_SECONDS } from './cluster.js';
import { measureScan } from './freeScan.js';
import type { Progress } from './progress.js';
import type { Summary } from './stats.js';
import { bytesToMb, formatDuration, round3, summarize } from './stats.js';

export const FIRST_ROUNDS = 10;

export interface PointOptions extends ClusterOptions {
  /** Timed rounds; Mesos runs 2 x frameworks. */
  rounds: number;
  /** Run a full garbage collection before each timed cycle (needs --expose-gc). */
  gcBetweenRounds: boolean;
  /** Keep every round's time and offer count in the result. */
  keepRounds: boolean;
}

export interface PointResult {
  agents: number;
  frameworks: number;
  rounds: number;
  fastPaths: boolean;
  checks: boolean;
  taskPorts: number;
  seed: number;
  gcBetweenRounds: boolean;
  /** Per-cycle times of the first min(10, rounds) rounds. */
  first10: Summary;
  /** Per-cycle times of every round. */
  all: Summary;
  /**
   * Reading each round's events and effects after the timed tick: the cycle records offers
   * compactly, and the Offer objects, ids, offer.made events and framework.offers effects are
   * made on this first read (untimed above, reported here). `tickAndRead` is the sum, per round.
   */
  read: { first10MedianMs: number; allMedianMs: number };
  tickAndRead: { first10MedianMs: number; allMedianMs: number; offerRoundsMedianMs: number };
  /** Rounds after the first 10 ("later rounds" in the Mesos anchor). */
  later: Summary;
  /** Rounds in which at least one offer was made, and rounds in which none was (every offer filtered). */
  offerRounds: Summary;
  noOfferRounds: Summary;
  /**
   * Process CPU time (user + system, all threads) of the same timed ticks. Wall time well above CPU
   * time means the process was descheduled: another process competed for the cores.
   */
  cpu: { first10MedianMs: number; allMedianMs: number; offerRoundsMedianMs: number };
  offers: { setupCycle: number; firstRound: number; lastRound: number; total: number };
  /** Round F: the first round without offers after rounds with offers (every pair filtered), null when none. */
  roundFMs: number | null;
  agentsSkippedLastRound: number;
  scanMs: number;
  scanFlatMs: number;
  scanRepetitions: number;
  /** all.medianMs / scanMs. */
  cycleToScanRatio: number;
  /** first10.medianMs / scanMs. */
  first10ToScanRatio: number;
  heapUsedMb: number;
  /** Typed-array memory lives outside the JS heap; it is reported separately. */
  arrayBuffersMb: number;
  rssMb: number;
  setupMs: number;
  /** Untimed decline steps, summed over every round. */
  declineMs: number;
  wallMs: number;
  /** CPU time of the whole point (set-up, rounds, declines; GC threads included): on a busy machine, wallMs is mostly waiting. */
  cpuSeconds: number;
  roundsDetail?: { cycleMs: number[]; offers: number[]; agentsSkipped: number[] };
}

interface CycleOutcome {
  offers: number;
  agentsSkipped: number;
}

export function runPoint(options: PointOptions, progress: Progress): PointResult {
  if (!(Number.isInteger(options.rounds) && options.rounds >= 1))
    throw new Error(`rounds must be a positive integer, got ${options.rounds}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (options.gcBetweenRounds && gc === undefined) throw new Error('--gc needs node --expose-gc');
  const label = `${options.agents} x ${options.frameworks}${options.fastPaths ? '' : ' (reference)'}`;
  const wallStartMs = performance.now();
  const cpuStart = process.cpuUsage();
  progress.update(`${label}: setting up`);

  const master = buildCluster(options);
  let nowMs = 0;
  const setup = master.step({ type: 'tick', nowMs });
  const setupCycle = cycleOutcome(setup);
  declineAll(master, setup, nowMs);
  const setupMs = performance.now() - wallStartMs;

  const cycleMs = new Float64Array(options.rounds);
  const readMs = new Float64Array(options.rounds);
  const cpuMs = new Float64Array(options.rounds);
  const offers = new Int32Array(options.rounds);
  const agentsSkipped = new Int32Array(options.rounds);
  let declineMs = 0;
  for (let round = 0; round < options.rounds; round++) {
    nowMs += ALLOCATION_INTERVAL_MS;
    if (options.gcBetweenRounds && gc) gc();
    // CPU time is read outside the wall-clock window, so that it adds nothing to the timed figure.
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const result = master.step({ type: 'tick', nowMs });
    const t1 = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);
    cycleMs[round] = Number(t1 - t0) / 1e6;
    cpuMs[round] = (cpu.user + cpu.system) / 1000;
    // The first read of the result makes the offers' objects, events and effects (see `read`).
    const r0 = process.hrtime.bigint();
    const outcome = cycleOutcome(result);
    readMs[round] = Number(process.hrtime.bigint() - r0) / 1e6;
    offers[round] = outcome.offers;
    agentsSkipped[round] = outcome.agentsSkipped;
    const d0 = performance.now();
    declineAll(master, result, nowMs);
    declineMs += performance.now() - d0;
    progress.update(
      `${label}: round ${round + 1}/${options.rounds}, last cycle ${formatDuration(cycleMs[round])}, ${outcome.offers} offers`,
    );
  }

  // Memory is read before the scan so that the scan's own allocations do not count.
  const memory = process.memoryUsage();
  progress.update(`${label}: scan`);
  const scan = measureScan(freeVectors(master));
  const all = summarize(cycleMs);
  const first10 = summarize(cycleMs.subarray(0, Math.min(FIRST_ROUNDS, options.rounds)));
  const both = cycleMs.map((ms, round) => ms + readMs[round]);
  const withOffers = cycleMs.filter((_, round) => offers[round] > 0);
  const withoutOffers = cycleMs.filter((_, round) => offers[round] === 0);
  let total = setupCycle.offers;
  for (const count of offers) total += count;
  const result: PointResult = {
    agents: options.agents,
    frameworks: options.frameworks,
    rounds: options.rounds,
    fastPaths: options.fastPaths,
    checks: options.checks ?? false,
    taskPorts: options.taskPorts,
    seed: options.seed,
    gcBetweenRounds: options.gcBetweenRounds,
    first10,
    all,
    read: {
      first10MedianMs: summarize(readMs.subarray(0, Math.min(FIRST_ROUNDS, options.rounds))).medianMs,
      allMedianMs: summarize(readMs).medianMs,
    },
    tickAndRead: {
      first10MedianMs: summarize(both.subarray(0, Math.min(FIRST_ROUNDS, options.rounds))).medianMs,
      allMedianMs: summarize(both).medianMs,
      offerRoundsMedianMs: summarize(both.filter((_, round) => offers[round] > 0)).medianMs,
    },
    later: summarize(cycleMs.subarray(Math.min(FIRST_ROUNDS, options.rounds))),
    offerRounds: summarize(withOffers),
    noOfferRounds: summarize(withoutOffers),
    cpu: {
      first10MedianMs: summarize(cpuMs.subarray(0, Math.min(FIRST_ROUNDS, options.rounds))).medianMs,
      allMedianMs: summarize(cpuMs).medianMs,
      offerRoundsMedianMs: summarize(cpuMs.filter((_, round) => offers[round] > 0)).medianMs,
    },
    offers: { setupCycle: setupCycle.offers, firstRound: offers[0], lastRound: offers[options.rounds - 1], total },
    roundFMs: roundF(cycleMs, offers),
    agentsSkippedLastRound: agentsSkipped[options.rounds - 1],
    scanMs: scan.scanMs,
    scanFlatMs: scan.scanFlatMs,
    scanRepetitions: scan.repetitions,
    cycleToScanRatio: ratio(all.medianMs, scan.scanMs),
    first10ToScanRatio: ratio(first10.medianMs, scan.scanMs),
    heapUsedMb: bytesToMb(memory.heapUsed),
    arrayBuffersMb: bytesToMb(memory.arrayBuffers),
    rssMb: bytesToMb(memory.rss),
    setupMs: Math.round(setupMs),
    declineMs: Math.round(declineMs),
    wallMs: Math.round(performance.now() - wallStartMs),
    cpuSeconds: cpuSecondsSince(cpuStart),
  };
  if (options.keepRounds) {
    result.roundsDetail = { cycleMs: Array.from(cycleMs, round3), offers: Array.from(offers), agentsSkipped: Array.from(agentsSkipped) };
  }
  progress.done();
  return result;
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1e4) / 100;
}

function roundF(cycleMs: Float64Array, offers: Int32Array): number | null {
  for (let round = 1; round < offers.length; round++) if (offers[round] === 0 && offers[round - 1] > 0) return round3(cycleMs[round]);
  return null;
}

function ratio(cycleMs: number, scanMs: number): number {
  return scanMs > 0 ? Math.round((cycleMs / scanMs) * 10) / 10 : NaN;
}

/** The tick must have run exactly one allocation cycle; anything else means the workload is not what it claims. */
function cycleOutcome(result: StepResult): CycleOutcome {
  const cycles = result.events.filter((event) => event.type === 'allocation.completed');
  if (cycles.length !== 1) throw new Error(`expected one allocation cycle per tick, got ${cycles.length}`);
  const cycle = cycles[0];
  if (cycle.type !== 'allocation.completed') throw new Error('unreachable');
  return { offers: cycle.offers, agentsSkipped: cycle.agentsSkipped };
}

/** Declines every offer the step made, one decline per framework, with a year-long filter. */
function declineAll(master: Master, result: StepResult, nowMs: number): void {
  for (const effect of result.effects) {
    if (effect.type !== 'framework.offers') continue;
    const declined = master.step({
      type: 'offer.decline',
      nowMs,
      frameworkId: effect.frameworkId,
      offerIds: effect.offers.map((offer) => offer.id),
      refuseSeconds: YEAR_SECONDS,
    });
    if (!declined.ok) throw new Error(`decline for ${effect.frameworkId} failed: ${declined.rejection?.message}`);
  }
}
