/**
 * Offer sequence number -> slot, as an open-addressing hash table in typed
 * arrays (linear probing, deletion by backward shift): no allocation per offer,
 * unlike a Map whose entries churn at every cycle's ten thousand offers.
 * Keys are positive integers below 2^53.
 */
const EMPTY = 0;

export class SeqIndex {
  #keys = new Float64Array(1024);
  #values = new Int32Array(1024);
  #mask = 1023;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  set(seq: number, slot: number): void {
    if ((this.#size + 1) * 2 > this.#keys.length) this.#resize(this.#keys.length * 2);
    let at = this.#home(seq);
    while (this.#keys[at] !== EMPTY && this.#keys[at] !== seq) at = (at + 1) & this.#mask;
    if (this.#keys[at] === EMPTY) this.#size++;
    this.#keys[at] = seq;
    this.#values[at] = slot;
  }

  /** The slot of `seq`, or -1. */
  get(seq: number): number {
    for (let at = this.#home(seq); ; at = (at + 1) & this.#mask) {
      const key = this.#keys[at];
      if (key === seq) return this.#values[at];
      if (key === EMPTY) return -1;
    }
  }

  delete(seq: number): void {
    let at = this.#home(seq);
    while (this.#keys[at] !== seq) {
      if (this.#keys[at] === EMPTY) return;
      at = (at + 1) & this.#mask;
    }
    this.#size--;
    // Backward shift: pull later entries of the run into the hole when their home allows it.
    let hole = at;
    for (let next = (hole + 1) & this.#mask; this.#keys[next] !== EMPTY; next = (next + 1) & this.#mask) {
      const home = this.#home(this.#keys[next]);
      const movable = hole <= next ? home <= hole || home > next : home <= hole && home > next;
      if (!movable) continue;
      this.#keys[hole] = this.#keys[next];
      this.#values[hole] = this.#values[next];
      hole = next;
    }
    this.#keys[hole] = EMPTY;
  }

  #home(seq: number): number {
    return (Math.imul((seq % 4294967296) | 0, 0x9e3779b1) >>> 0) & this.#mask;
  }

  #resize(capacity: number): void {
    const keys = this.#keys;
    const values = this.#values;
    this.#keys = new Float64Array(capacity);
    this.#values = new Int32Array(capacity);
    this.#mask = capacity - 1;
    this.#size = 0;
    for (let at = 0; at < keys.length; at++) if (keys[at] !== EMPTY) this.set(keys[at], values[at]);
  }
}
