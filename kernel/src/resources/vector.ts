/**
 * Scalar resource vectors: one Float64Array slot per name of a ResourceLayout.
 * Every operation comes as a pure form (returns a new vector) and, where it sits
 * on a hot path, an allocation-free `...Into(out, ...)` form. Comparisons use
 * SCALAR_EPSILON so that sums of three-decimal quantities compare as Mesos's do.
 */

export const SCALAR_EPSILON = 1e-6;

export function add(a: Float64Array, b: Float64Array): Float64Array {
  return addInto(new Float64Array(a.length), a, b);
}

export function addInto(out: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
  return out;
}

export function subtract(a: Float64Array, b: Float64Array): Float64Array {
  return subtractInto(new Float64Array(a.length), a, b);
}

/** a - b, clamped at zero so that epsilon-sized float noise never goes negative. */
export function subtractInto(out: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) {
    const value = a[i] - b[i];
    out[i] = value > SCALAR_EPSILON ? value : 0;
  }
  return out;
}

export function minInto(out: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = Math.min(a[i], b[i]);
  return out;
}

/** Every slot of `a` is at least the matching slot of `b` (superset test). */
export function contains(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) if (a[i] + SCALAR_EPSILON < b[i]) return false;
  return true;
}

export function equals(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > SCALAR_EPSILON) return false;
  return true;
}

export function isEmpty(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] > SCALAR_EPSILON) return false;
  return true;
}

export function copyInto(out: Float64Array, v: Float64Array): Float64Array {
  out.set(v);
  return out;
}

export function clear(v: Float64Array): Float64Array {
  v.fill(0);
  return v;
}

/**
 * DRF share: the largest fraction of the cluster total held in any slot that is
 * not excluded from fair sharing, divided by the weight. Slots with no total count 0.
 */
export function dominantShare(allocated: Float64Array, total: Float64Array, excluded: Uint8Array, weight: number): number {
  let share = 0;
  for (let i = 0; i < allocated.length; i++) {
    if (excluded[i] !== 0 || total[i] <= 0) continue;
    const fraction = allocated[i] / total[i];
    if (fraction > share) share = fraction;
  }
  return share / weight;
}

/** Throws on a negative or non-finite slot: vectors are validated once, at the edge. */
export function assertValid(v: Float64Array, what: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]) || v[i] < 0) throw new Error(`${what}: slot ${i} is ${v[i]}`);
  }
}

/**
 * Preallocated storage for many vectors of one layout: vector i lives at
 * [i * stride, (i + 1) * stride). `view(i)` hands out a subarray once, so hot
 * loops read and write the shared buffer without allocating.
 */
export class VectorPool {
  readonly stride: number;
  #buffer: Float64Array;
  #capacity: number;

  constructor(stride: number, capacity = 64) {
    this.stride = stride;
    this.#capacity = Math.max(1, capacity);
    this.#buffer = new Float64Array(this.#capacity * stride);
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** The raw buffer, for scans that read every vector in one pass. */
  get buffer(): Float64Array {
    return this.#buffer;
  }

  /**
   * Makes room for `capacity` vectors. Growing replaces the buffer, so views
   * handed out earlier go stale: callers re-fetch views after growing.
   */
  ensureCapacity(capacity: number): boolean {
    if (capacity <= this.#capacity) return false;
    let next = this.#capacity;
    while (next < capacity) next *= 2;
    const buffer = new Float64Array(next * this.stride);
    buffer.set(this.#buffer);
    this.#buffer = buffer;
    this.#capacity = next;
    return true;
  }

  view(index: number): Float64Array {
    if (index < 0 || index >= this.#capacity) throw new Error(`pool index ${index} out of range`);
    return this.#buffer.subarray(index * this.stride, (index + 1) * this.stride);
  }
}
