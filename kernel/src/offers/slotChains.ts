/**
 * The offer book's indexes by agent and by client: per key, a chain of slots
 * in typed arrays (no array object per agent), rebuilt by the book from its
 * creation order when a listing needs them after a change.
 */
const NONE = -1;

/**
 * Per key (an agent or client index), a chain of slots: the newest slot is the key's head, and
 * each slot links to its neighbours, so adding and removing touch a few array entries.
 */
export class SlotChains {
  #head = new Int32Array(0);
  #next = new Int32Array(0);
  #previous = new Int32Array(0);

  ensureSlots(capacity: number): void {
    if (capacity <= this.#next.length) return;
    const next = new Int32Array(capacity);
    next.set(this.#next);
    const previous = new Int32Array(capacity);
    previous.set(this.#previous);
    this.#next = next;
    this.#previous = previous;
  }

  clear(): void {
    this.#head.fill(NONE);
  }

  add(key: number, slot: number): void {
    if (key >= this.#head.length) {
      const head = new Int32Array(Math.max(64, (key + 1) * 2)).fill(NONE);
      head.set(this.#head);
      this.#head = head;
    }
    const first = this.#head[key];
    this.#next[slot] = first;
    this.#previous[slot] = NONE;
    if (first !== NONE) this.#previous[first] = slot;
    this.#head[key] = slot;
  }

  remove(key: number, slot: number): void {
    const previous = this.#previous[slot];
    const next = this.#next[slot];
    if (previous === NONE) this.#head[key] = next;
    else this.#next[previous] = next;
    if (next !== NONE) this.#previous[next] = previous;
  }

  slots(key: number): number[] {
    const out: number[] = [];
    if (key >= this.#head.length) return out;
    for (let slot = this.#head[key]; slot !== NONE; slot = this.#next[slot]) out.push(slot);
    return out;
  }
}
