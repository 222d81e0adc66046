/**
 * A binary min-heap of (time, index) pairs in typed arrays: the time-ordered
 * side of offer filters (when each agent's earliest filter expires). Stale
 * entries are allowed; whoever pops one checks it against the current state.
 */
export class ExpiryHeap {
  #atMs = new Float64Array(64);
  #index = new Int32Array(64);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  peekMs(): number {
    return this.#size > 0 ? this.#atMs[0] : Infinity;
  }

  push(atMs: number, index: number): void {
    if (this.#size === this.#atMs.length) {
      const times = new Float64Array(this.#size * 2);
      times.set(this.#atMs);
      const indices = new Int32Array(this.#size * 2);
      indices.set(this.#index);
      this.#atMs = times;
      this.#index = indices;
    }
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#atMs[parent] <= atMs) break;
      this.#atMs[i] = this.#atMs[parent];
      this.#index[i] = this.#index[parent];
      i = parent;
    }
    this.#atMs[i] = atMs;
    this.#index[i] = index;
  }

  /** Removes the earliest entry and returns its index. */
  pop(): number {
    if (this.#size === 0) throw new Error('ExpiryHeap.pop: empty');
    const top = this.#index[0];
    const size = --this.#size;
    const atMs = this.#atMs[size];
    const index = this.#index[size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && this.#atMs[child + 1] < this.#atMs[child]) child++;
      if (this.#atMs[child] >= atMs) break;
      this.#atMs[i] = this.#atMs[child];
      this.#index[i] = this.#index[child];
      i = child;
    }
    this.#atMs[i] = atMs;
    this.#index[i] = index;
    return top;
  }
}
