/**
 * Port ranges: a set of integers written as sorted, disjoint, non-adjacent
 * inclusive [begin, end] pairs (`[[31000, 32000]]`). Every function returns a
 * normalized value and never mutates its inputs.
 */

export type Range = readonly [number, number];
export type Ranges = readonly Range[];

export const NO_RANGES: Ranges = Object.freeze([]) as Ranges;

/** Sorts and merges overlapping or adjacent ranges. */
export function normalizeRanges(ranges: Ranges): Ranges {
  if (ranges.length <= 1) return ranges.length === 0 ? NO_RANGES : [[ranges[0][0], ranges[0][1]]];
  const sorted = [...ranges].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Array<[number, number]> = [[sorted[0][0], sorted[0][1]]];
  for (let i = 1; i < sorted.length; i++) {
    const last = out[out.length - 1];
    const [begin, end] = sorted[i];
    if (begin <= last[1] + 1) last[1] = Math.max(last[1], end);
    else out.push([begin, end]);
  }
  return out;
}

export function rangesCount(ranges: Ranges): number {
  let count = 0;
  for (const [begin, end] of ranges) count += end - begin + 1;
  return count;
}

export function rangesEmpty(ranges: Ranges): boolean {
  return ranges.length === 0;
}

/** a ∪ b. */
export function mergeRanges(a: Ranges, b: Ranges): Ranges {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return normalizeRanges([...a, ...b]);
}

/** a \ b. Both inputs must be normalized. */
export function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  const out: Array<[number, number]> = [];
  let j = 0;
  for (const [begin, end] of a) {
    let cursor = begin;
    while (j < b.length && b[j][1] < cursor) j++;
    let k = j;
    while (k < b.length && b[k][0] <= end) {
      if (b[k][0] > cursor) out.push([cursor, b[k][0] - 1]);
      cursor = Math.max(cursor, b[k][1] + 1);
      if (cursor > end) break;
      k++;
    }
    if (cursor <= end) out.push([cursor, end]);
  }
  return out;
}

/** Every port of b is in a. Both inputs must be normalized. */
export function containsRanges(a: Ranges, b: Ranges): boolean {
  // Agents' port lists are interned: the same list is the common case, and needs no walk.
  if (a === b) return true;
  let i = 0;
  for (const [begin, end] of b) {
    while (i < a.length && a[i][1] < begin) i++;
    if (i === a.length || a[i][0] > begin || a[i][1] < end) return false;
  }
  return true;
}

export function rangesEqual(a: Ranges, b: Ranges): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
  return true;
}

/** The first `count` ports of `ranges`, or null when there are fewer. */
export function takePorts(ranges: Ranges, count: number): Ranges | null {
  if (count === 0) return NO_RANGES;
  const out: Array<[number, number]> = [];
  let needed = count;
  for (const [begin, end] of ranges) {
    const size = end - begin + 1;
    const taken = Math.min(size, needed);
    out.push([begin, begin + taken - 1]);
    needed -= taken;
    if (needed === 0) return out;
  }
  return null;
}

/** The individual port numbers, for environment variables such as PORT0. */
export function portList(ranges: Ranges): number[] {
  const out: number[] = [];
  for (const [begin, end] of ranges) for (let port = begin; port <= end; port++) out.push(port);
  return out;
}
