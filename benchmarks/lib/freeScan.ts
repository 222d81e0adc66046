/**
 * The lower bound of an allocation cycle: one pass that reads every agent's
 * free vector and does nothing else. Any cycle must at least look at each
 * agent once, so `cycle / scan` says how far the kernel is from that floor.
 * Two passes are timed: through each agent's own view (what the kernel's
 * loops see) and over the contiguous buffer the views share (bandwidth): the
 * kernel keeps each agent's free scalars at the start of its hot record, so
 * the flat pass reads whole records (version, skip keys and filter summaries
 * too, some of them infinite: sums are compared with Object.is).
 */

export interface ScanTiming {
  /** Median of one pass summing every slot of every agent's `freeScalars` view. */
  scanMs: number;
  scanMinMs: number;
  /** Median of one pass over the contiguous range of the shared buffer that holds those views. */
  scanFlatMs: number;
  repetitions: number;
  bytesRead: number;
}

const WARMUP_PASSES = 20;
const REPETITIONS_MIN = 50;
const REPETITIONS_MAX = 1000;
const TIME_BUDGET_MS = 300;

export function sumViews(views: readonly Float64Array[]): number {
  let sum = 0;
  for (let a = 0; a < views.length; a++) {
    const view = views[a];
    for (let slot = 0; slot < view.length; slot++) sum += view[slot];
  }
  return sum;
}

export function sumFlat(flat: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < flat.length; i++) sum += flat[i];
  return sum;
}

/** The smallest window of the shared buffer that covers every view (the views must share one buffer). */
export function coveringWindow(views: readonly Float64Array[]): Float64Array {
  if (views.length === 0) return new Float64Array(0);
  const buffer = views[0].buffer;
  let startByte = Infinity;
  let endByte = 0;
  for (const view of views) {
    if (view.buffer !== buffer) throw new Error('free vectors do not share one buffer: the flat scan would read the wrong memory');
    startByte = Math.min(startByte, view.byteOffset);
    endByte = Math.max(endByte, view.byteOffset + view.byteLength);
  }
  return new Float64Array(buffer, startByte, (endByte - startByte) / Float64Array.BYTES_PER_ELEMENT);
}

export function measureScan(views: readonly Float64Array[]): ScanTiming {
  const flat = coveringWindow(views);
  const expected = sumViews(views);
  // The flat window may include slots of removed agents (zeros here) but nothing else.
  const flatExpected = sumFlat(flat);
  const perView = timePasses(() => sumViews(views), expected);
  const overFlat = timePasses(() => sumFlat(flat), flatExpected);
  let bytesRead = 0;
  for (const view of views) bytesRead += view.byteLength;
  return { scanMs: median(perView), scanMinMs: Math.min(...perView), scanFlatMs: median(overFlat), repetitions: perView.length, bytesRead };
}

/** Times `pass` repeatedly; checking each result keeps the optimiser from dropping the work. */
function timePasses(pass: () => number, expected: number): number[] {
  for (let i = 0; i < WARMUP_PASSES; i++) if (!Object.is(pass(), expected)) throw new Error('scan result changed between passes');
  const samplesMs: number[] = [];
  const startMs = performance.now();
  while (samplesMs.length < REPETITIONS_MAX && (samplesMs.length < REPETITIONS_MIN || performance.now() - startMs < TIME_BUDGET_MS)) {
    const t0 = performance.now();
    const sum = pass();
    const t1 = performance.now();
    if (!Object.is(sum, expected)) throw new Error('scan result changed between passes');
    samplesMs.push(t1 - t0);
  }
  return samplesMs;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const value = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Math.round(value * 1e4) / 1e4;
}
