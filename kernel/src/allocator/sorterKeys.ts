/**
 * A sorter's per-node state by node id, in typed arrays that grow by
 * replacement (holders keep this object, never the arrays): the weighted
 * dominant share, the allocation count, the rank among siblings in name
 * order, the weight, and the allocation vector (`size` slots per id). Order
 * lists compare ids by reading these directly; an update touches no object.
 */
export class SorterKeys {
  share = new Float64Array(64);
  count = new Float64Array(64);
  rank = new Int32Array(64);
  weight = new Float64Array(64).fill(1);
  /** Node i's allocation is [i * size, (i + 1) * size). */
  allocation: Float64Array;
  /** Bumped when `allocation` is replaced: views of the old one are stale. */
  generation = 0;
  readonly size: number;
  #next = 0;

  constructor(size: number) {
    this.size = size;
    this.allocation = new Float64Array(64 * size);
  }

  /** A new id with zero share, count and allocation, and weight 1. */
  allocate(): number {
    const id = this.#next++;
    if (id === this.share.length) {
      const capacity = id * 2;
      this.share = grown(this.share, new Float64Array(capacity));
      this.count = grown(this.count, new Float64Array(capacity));
      this.rank = grown(this.rank, new Int32Array(capacity));
      this.weight = grown(this.weight, new Float64Array(capacity).fill(1));
      this.allocation = grown(this.allocation, new Float64Array(capacity * this.size));
      this.generation++;
    }
    return id;
  }
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
