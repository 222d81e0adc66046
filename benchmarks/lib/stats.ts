/**
 * Summary statistics of timing samples, in milliseconds. The median of an even
 * number of samples is the mean of the two middle ones; every summary keeps
 * its sample count so that a reader can tell a 10-sample median from a 4000-sample one.
 */

export interface Summary {
  count: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
  meanMs: number;
  p90Ms: number;
}

export function summarize(samplesMs: ArrayLike<number>): Summary {
  const count = samplesMs.length;
  if (count === 0) return { count: 0, minMs: NaN, medianMs: NaN, maxMs: NaN, meanMs: NaN, p90Ms: NaN };
  const sorted = Float64Array.from(samplesMs).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  const middle = count >> 1;
  const median = count % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return {
    count,
    minMs: round3(sorted[0]),
    medianMs: round3(median),
    maxMs: round3(sorted[count - 1]),
    meanMs: round3(sum / count),
    p90Ms: round3(sorted[Math.min(count - 1, Math.ceil(count * 0.9) - 1)]),
  };
}

/** Three decimals: microsecond resolution when the unit is milliseconds. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function bytesToMb(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/** "1m 05s", "12.3 s", "850 ms": for progress lines and tables. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
