import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../kernel/src/prng.js';
import { EventQueue } from '../../../kernel/src/sim/eventQueue.js';

/** Runs everything (actions may push more, as a simulation's do). */
function drain<T>(queue: EventQueue, log: T[]): T[] {
  while (queue.runNext()) {}
  return log;
}

describe('simulator event queue', () => {
  it('runs exactly by (time, insertion), across a FIFO ring that grows and wraps', () => {
    // The same script of actions against the queue and against a plain reference: pick the least (time, insertion).
    const run = (useQueue: boolean): string[] => {
      const prng = createPrng(7);
      const log: string[] = [];
      const reference: Array<{ atMs: number; seq: number; action: () => void }> = [];
      const queue = new EventQueue();
      let seq = 0;
      let nowMs = 0;
      const schedule = (atMs: number, label: string): void => {
        const action = (): void => {
          nowMs = atMs;
          log.push(label);
          const count = prng.nextInt(4);
          for (let i = 0; i < count && seq < 6000; i++) {
            // Most follow-ups happen now (the ring), some later (the heap).
            schedule(nowMs + (prng.nextInt(5) === 0 ? 1 + prng.nextInt(3) : 0), `${label}.${i}`);
          }
        };
        if (useQueue) queue.push(atMs, action);
        else reference.push({ atMs, seq: seq, action });
        seq++;
      };
      for (let i = 0; i < 2500; i++) schedule(0, `root${i}`);
      schedule(1, 'later');
      if (useQueue) drain(queue, log);
      else {
        while (reference.length > 0) {
          let best = 0;
          for (let i = 1; i < reference.length; i++) {
            const a = reference[i];
            const b = reference[best];
            if (a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)) best = i;
          }
          reference.splice(best, 1)[0].action();
        }
      }
      return log;
    };
    const ran = run(true);
    expect(ran.length).toBeGreaterThan(5000);
    expect(ran).toEqual(run(false));
  });

  it('keeps insertion order for one time beyond the ring size, and merges the heap by insertion', () => {
    const queue = new EventQueue();
    const log: number[] = [];
    queue.push(5, () => {
      // Now at 5: 3000 entries go to the ring (past its first size), one more heap entry at 5 came before them.
      for (let i = 0; i < 3000; i++) queue.push(5, (n: number) => log.push(n), i);
    });
    queue.push(5, () => log.push(-1));
    queue.push(6, () => log.push(-2));
    drain(queue, []);
    expect(log[0]).toBe(-1);
    expect(log.slice(1, 3001)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(log[3001]).toBe(-2);
  });
});
