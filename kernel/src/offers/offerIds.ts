/**
 * Offer ids: `${prefix}${sequence number}` (a failed-over master uses a new
 * prefix, so no id is ever reused), mapped to slots. Offers recorded by a
 * cycle join the index only when an id is first looked up (a host cannot name
 * an offer before it has read it), so recording one costs a number store.
 * Offers added whole through `OfferBook.add` may have any id.
 */
import { SeqIndex } from './seqIndex.js';

const NONE = -1;

export class OfferIds {
  readonly prefix: string;
  readonly #bySeq = new SeqIndex();
  readonly #custom = new Map<string, number>();
  /** Recorded since the index was last filled: pending[seq - pendingFromSeq] = slot. */
  #pending = new Int32Array(1024);
  #pendingCount = 0;
  #pendingFromSeq = 1;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  idOf(seq: number): string {
    return `${this.prefix}${seq}`;
  }

  /** A cycle's offer: sequence numbers come in increasing order. */
  recorded(seq: number, slot: number): void {
    if (this.#pendingCount === 0) this.#pendingFromSeq = seq;
    if (this.#pendingCount === this.#pending.length) {
      const pending = new Int32Array(this.#pending.length * 2);
      pending.set(this.#pending);
      this.#pending = pending;
    }
    this.#pending[this.#pendingCount++] = slot;
  }

  addCustom(id: string, slot: number): void {
    this.#custom.set(id, slot);
  }

  /** The slot of an outstanding offer's id, or -1. */
  slotOf(offerId: string): number {
    const custom = this.#custom.get(offerId);
    if (custom !== undefined) return custom;
    const seq = sequenceOf(offerId, this.prefix);
    if (seq < 1) return NONE;
    this.#indexPending();
    return this.#bySeq.get(seq);
  }

  /** Forgets an offer's id (`seq` 0: a custom id). */
  removed(seq: number, customId: string | undefined): void {
    this.#indexPending();
    if (seq > 0) this.#bySeq.delete(seq);
    else if (customId !== undefined) this.#custom.delete(customId);
  }

  #indexPending(): void {
    for (let i = 0; i < this.#pendingCount; i++) this.#bySeq.set(this.#pendingFromSeq + i, this.#pending[i]);
    this.#pendingCount = 0;
  }
}

/** The canonical decimal after the prefix (no sign, no leading zero, below 2^53), or -1. Allocates nothing. */
function sequenceOf(offerId: string, prefix: string): number {
  if (!offerId.startsWith(prefix) || offerId.length === prefix.length || offerId.length - prefix.length > 15) return -1;
  if (offerId.charCodeAt(prefix.length) === ZERO) return -1;
  let seq = 0;
  for (let i = prefix.length; i < offerId.length; i++) {
    const digit = offerId.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    seq = seq * 10 + digit;
  }
  return seq;
}

const ZERO = '0'.charCodeAt(0);
