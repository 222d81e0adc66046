/**
 * The simulator's agenda: actions ordered by time, then by insertion, so that
 * equal times run in a deterministic order. Future actions wait in a binary
 * min-heap; actions for the current time (most of them: message deliveries)
 * go to a FIFO, and the two are merged by (time, insertion) on the way out.
 */

interface Entry {
  atMs: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  readonly #heap: Entry[] = [];
  #now: Entry[] = [];
  #nowHead = 0;
  #currentMs = -Infinity;
  #seq = 0;

  get size(): number {
    return this.#heap.length + this.#now.length - this.#nowHead;
  }

  push(atMs: number, run: () => void): void {
    if (!Number.isFinite(atMs)) throw new Error(`event time must be finite, got ${atMs}`);
    if (atMs === this.#currentMs) {
      this.#now.push({ atMs, seq: this.#seq++, run });
      return;
    }
    const heap = this.#heap;
    heap.push({ atMs, seq: this.#seq++, run });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  peekMs(): number {
    const heapMs = this.#heap.length > 0 ? this.#heap[0].atMs : Infinity;
    return this.#nowHead < this.#now.length ? Math.min(this.#currentMs, heapMs) : heapMs;
  }

  pop(): Entry | undefined {
    const heap = this.#heap;
    if (this.#nowHead < this.#now.length && (heap.length === 0 || before(this.#now[this.#nowHead], heap[0]))) {
      const entry = this.#now[this.#nowHead++];
      if (this.#nowHead === this.#now.length) {
        this.#now = [];
        this.#nowHead = 0;
      }
      return entry;
    }
    const top = this.#popHeap();
    if (top && top.atMs !== this.#currentMs) {
      // Time moves on: anything left for the old time would have come out first.
      this.#currentMs = top.atMs;
    }
    return top;
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

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
