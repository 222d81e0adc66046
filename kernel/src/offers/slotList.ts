/**
 * A doubly linked list of slot numbers in typed arrays: O(1) append and
 * removal, iteration in insertion order. The offer book keeps its offers'
 * creation order in one, so that listings need no sort and removal no search.
 */
const NONE = -1;

export class SlotList {
  #next = new Int32Array(0);
  #previous = new Int32Array(0);
  #first = NONE;
  #last = NONE;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The oldest slot, or -1. */
  get first(): number {
    return this.#first;
  }

  /** The slot after `slot`, or -1. */
  next(slot: number): number {
    return this.#next[slot];
  }

  ensureCapacity(capacity: number): void {
    if (capacity <= this.#next.length) return;
    const next = new Int32Array(capacity);
    next.set(this.#next);
    const previous = new Int32Array(capacity);
    previous.set(this.#previous);
    this.#next = next;
    this.#previous = previous;
  }

  append(slot: number): void {
    this.#previous[slot] = this.#last;
    this.#next[slot] = NONE;
    if (this.#last === NONE) this.#first = slot;
    else this.#next[this.#last] = slot;
    this.#last = slot;
    this.#size++;
  }

  remove(slot: number): void {
    const previous = this.#previous[slot];
    const next = this.#next[slot];
    if (previous === NONE) this.#first = next;
    else this.#next[previous] = next;
    if (next === NONE) this.#last = previous;
    else this.#previous[next] = previous;
    this.#size--;
  }
}
