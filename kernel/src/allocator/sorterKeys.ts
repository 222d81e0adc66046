/**
 * A sorter's per-node keys by node id, in typed arrays that grow by
 * replacement (holders keep this object, never the arrays): the weighted
 * dominant share, the allocation count, the rank among siblings in name
 * order, and the weight. Order lists compare ids by reading these directly.
 */
export class SorterKeys {
  share = new Float64Array(64);
  count = new Float64Array(64);
  rank = new Int32Array(64);
  weight = new Float64Array(64).fill(1);
  #next = 0;

  /** A new id with zero share and count and weight 1. */
  allocate(): number {
    const id = this.#next++;
    if (id === this.share.length) {
      const capacity = id * 2;
      this.share = grown(this.share, new Float64Array(capacity));
      this.count = grown(this.count, new Float64Array(capacity));
      this.rank = grown(this.rank, new Int32Array(capacity));
      this.weight = grown(this.weight, new Float64Array(capacity).fill(1));
    }
    return id;
  }
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
