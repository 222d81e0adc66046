/**
 * The simulator's agenda: actions ordered by time, then by insertion, so that
 * equal times run in a deterministic order. Future actions wait in a binary
 * min-heap; actions for the current time (most of them: message deliveries)
 * go to a FIFO, and the two are merged by (time, insertion) on the way out.
 * An action is a function and an argument: message deliveries pass one
 * shared handler and the message, so a million messages in flight cost two
 * array slots each, not a closure and an entry object each.
 */

interface Entry {
  atMs: number;
  seq: number;
  run: (argument: unknown) => void;
  argument: unknown;
}

export class EventQueue {
  readonly #heap: Entry[] = [];
  /**
   * The FIFO for the current time: a ring of runs and arguments side by side, with their
   * sequence numbers, kept at its largest size (a million deliveries in flight are not
   * copied into fresh arrays every time the FIFO drains).
   */
  #nowRuns: Array<((argument: unknown) => void) | null> = new Array(INITIAL_RING).fill(null);
  #nowArguments: unknown[] = new Array(INITIAL_RING).fill(undefined);
  #nowSeqs = new Float64Array(INITIAL_RING);
  #nowHead = 0;
  #nowCount = 0;
  #currentMs = -Infinity;
  #seq = 0;

  get size(): number {
    return this.#heap.length + this.#nowCount;
  }

  push<T>(atMs: number, run: (argument: T) => void, argument?: T): void {
    if (!Number.isFinite(atMs)) throw new Error(`event time must be finite, got ${atMs}`);
    if (atMs === this.#currentMs) {
      if (this.#nowCount === this.#nowRuns.length) this.#growRing();
      const at = (this.#nowHead + this.#nowCount) & (this.#nowRuns.length - 1);
      this.#nowRuns[at] = run as (argument: unknown) => void;
      this.#nowArguments[at] = argument;
      this.#nowSeqs[at] = this.#seq++;
      this.#nowCount++;
      return;
    }
    const heap = this.#heap;
    heap.push({ atMs, seq: this.#seq++, run: run as (argument: unknown) => void, argument });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  /** Doubles the ring, its entries moved to the front in order. */
  #growRing(): void {
    const capacity = this.#nowRuns.length;
    const runs = new Array<((argument: unknown) => void) | null>(capacity * 2).fill(null);
    const args = new Array<unknown>(capacity * 2).fill(undefined);
    const seqs = new Float64Array(capacity * 2);
    for (let i = 0; i < this.#nowCount; i++) {
      const from = (this.#nowHead + i) & (capacity - 1);
      runs[i] = this.#nowRuns[from];
      args[i] = this.#nowArguments[from];
      seqs[i] = this.#nowSeqs[from];
    }
    this.#nowRuns = runs;
    this.#nowArguments = args;
    this.#nowSeqs = seqs;
    this.#nowHead = 0;
  }

  peekMs(): number {
    const heapMs = this.#heap.length > 0 ? this.#heap[0].atMs : Infinity;
    return this.#nowCount > 0 ? Math.min(this.#currentMs, heapMs) : heapMs;
  }

  /** Runs the earliest action; false when there is none. */
  runNext(): boolean {
    const heap = this.#heap;
    if (this.#nowCount > 0) {
      const head = this.#nowHead;
      const top = heap[0];
      const seq = this.#nowSeqs[head];
      if (heap.length === 0 || this.#currentMs < top.atMs || (this.#currentMs === top.atMs && seq < top.seq)) {
        const run = this.#nowRuns[head]!;
        const argument = this.#nowArguments[head];
        // Released at once, so that what ran can be collected while the ring holds other work.
        this.#nowRuns[head] = null;
        this.#nowArguments[head] = undefined;
        this.#nowHead = (head + 1) & (this.#nowRuns.length - 1);
        this.#nowCount--;
        run(argument);
        return true;
      }
    }
    const top = this.#popHeap();
    if (!top) return false;
    if (top.atMs !== this.#currentMs) {
      // Time moves on: anything left for the old time would have come out first.
      this.#currentMs = top.atMs;
    }
    top.run(top.argument);
    return true;
  }

  #popHeap(): Entry | undefined {
    const heap = this.#heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

/** The FIFO ring's first size (a power of two: positions wrap with a mask). */
const INITIAL_RING = 1024;

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
