/**
 * The output channel of one master step: events and effects in order, which
 * handlers append to. The offers an allocation cycle makes are recorded
 * compactly in the offer book; their `offer.made` events and
 * `framework.offers` effects are made only when the host first reads the
 * step's events or effects (or, at the latest, when the next step starts, so
 * that they always show the offers as they were made).
 */
import type { OfferBook } from '../offers/offerBook.js';
import type { Offer } from '../offers/offer.js';
import type { Effect, Rejection } from './effects.js';
import type { KernelEvent } from './events.js';

interface DeferredOffers {
  readonly book: OfferBook;
  readonly slots: readonly number[];
  readonly atMs: number;
  /** Where the offers' events and effects belong among the others. */
  readonly eventsAt: number;
  readonly effectsAt: number;
}

export class StepOutput {
  events: KernelEvent[] = [];
  effects: Effect[] = [];
  #deferred: DeferredOffers | null = null;

  /** Empties the output for reuse (after its events and effects were read). */
  clear(): void {
    this.materialize();
    emptyKeepingCapacity(this.events);
    emptyKeepingCapacity(this.effects);
  }

  /** The offers in `slots` were made now: their events and effects go here, made on first read. */
  deferOffers(book: OfferBook, slots: readonly number[], atMs: number): void {
    if (this.#deferred) throw new Error('StepOutput: one allocation cycle per step');
    this.#deferred = { book, slots, atMs, eventsAt: this.events.length, effectsAt: this.effects.length };
  }

  get hasDeferred(): boolean {
    return this.#deferred !== null;
  }

  /** Makes the deferred offers' events and effects, in place. Idempotent. */
  materialize(): void {
    const deferred = this.#deferred;
    if (!deferred) return;
    this.#deferred = null;
    const made: KernelEvent[] = [];
    const byFramework = new Map<string, Offer[]>();
    for (const slot of deferred.slots) {
      const offer = deferred.book.offerAt(slot);
      made.push({ type: 'offer.made', atMs: deferred.atMs, offer });
      const list = byFramework.get(offer.frameworkId);
      if (list) list.push(offer);
      else byFramework.set(offer.frameworkId, [offer]);
    }
    const offered: Effect[] = [];
    for (const [frameworkId, offers] of byFramework) offered.push({ type: 'framework.offers', frameworkId, offers });
    this.events = spliced(this.events, deferred.eventsAt, made);
    this.effects = spliced(this.effects, deferred.effectsAt, offered);
  }
}

/** Above this length a list is dropped at once rather than emptied an entry at a time. */
const KEPT_CAPACITY_MAX = 4096;

/**
 * Empties a list and keeps its storage: `length = 0` frees the backing store, so the next
 * push allocates a new one, two per step (events and effects) and two million steps for a
 * million tasks; `pop` keeps it.
 */
function emptyKeepingCapacity(list: unknown[]): void {
  if (list.length > KEPT_CAPACITY_MAX) list.length = 0;
  else while (list.length > 0) list.pop();
}

/** `list` with `inserted` put at `at` (a new array: no spread of a long list into a call). */
function spliced<T>(list: T[], at: number, inserted: readonly T[]): T[] {
  const out = new Array<T>(list.length + inserted.length);
  let next = 0;
  for (let i = 0; i < at; i++) out[next++] = list[i];
  for (const item of inserted) out[next++] = item;
  for (let i = at; i < list.length; i++) out[next++] = list[i];
  return out;
}

export interface StepResult {
  readonly ok: boolean;
  readonly rejection: Rejection | null;
  readonly events: KernelEvent[];
  readonly effects: Effect[];
}

/**
 * A step's result. When the step deferred offers, its events and effects are completed on
 * first read (own getters: spreading a result reads them); otherwise it is a plain object.
 */
export function stepResult(rejection: Rejection | null, output: StepOutput): StepResult {
  if (!output.hasDeferred) return { ok: rejection === null, rejection, events: output.events, effects: output.effects };
  return {
    ok: rejection === null,
    rejection,
    get events() {
      output.materialize();
      return output.events;
    },
    get effects() {
      output.materialize();
      return output.effects;
    },
  };
}
