/**
 * The offer book's storage: one Float64Array record per slot (sequence
 * number, agent and client index, creation time, insertion number, the links
 * of the creation-order list, then the offered scalars), so recording an
 * offer writes one or two cache lines, never an object; ports, reserved parts
 * and offer objects (once made) beside it by slot. Free slots are reused.
 * Invariant: a slot is in the creation-order list exactly while it is live.
 */
import type { Ranges } from '../resources/ranges.js';
import type { ReservedPart } from '../resources/resourceSet.js';
import type { Offer } from './offer.js';

export const SLOT_SEQ = 0;
export const SLOT_AGENT = 1;
export const SLOT_CLIENT = 2;
export const SLOT_CREATED_AT_MS = 3;
/** Insertion order of every slot ever filled (offers and forged ones): listings sort by it. */
export const SLOT_INSERTION = 4;
const SLOT_NEXT = 5;
const SLOT_PREVIOUS = 6;
/** The offered unreserved scalars start here. */
export const SLOT_SCALARS = 7;

const NONE = -1;

export class OfferSlots {
  /** Scalars per offer (the layout's size) and doubles per record. */
  readonly size: number;
  readonly stride: number;
  records = new Float64Array(0);
  readonly ports: Ranges[] = [];
  readonly reserved: (readonly ReservedPart[])[] = [];
  /** Offers already made into objects (or forged), by slot. */
  readonly objects: (Offer | undefined)[] = [];
  #capacity = 0;
  #used = 0;
  #free = new Int32Array(64);
  #freeCount = 0;
  #first = NONE;
  #last = NONE;
  #live = 0;
  #inserted = 0;

  constructor(size: number) {
    this.size = size;
    this.stride = SLOT_SCALARS + size;
  }

  get live(): number {
    return this.#live;
  }

  /** The oldest live slot, or -1. */
  get first(): number {
    return this.#first;
  }

  /** The live slot made after `slot`, or -1. */
  next(slot: number): number {
    return this.records[slot * this.stride + SLOT_NEXT];
  }

  field(slot: number, field: number): number {
    return this.records[slot * this.stride + field];
  }

  /** A slot for a new offer, appended to the creation order; the caller fills its fields. */
  open(): number {
    let slot: number;
    if (this.#freeCount > 0) slot = this.#free[--this.#freeCount];
    else {
      if (this.#used === this.#capacity) this.#grow(Math.max(64, this.#capacity * 2));
      slot = this.#used++;
    }
    const records = this.records;
    const at = slot * this.stride;
    records[at + SLOT_INSERTION] = this.#inserted++;
    records[at + SLOT_NEXT] = NONE;
    records[at + SLOT_PREVIOUS] = this.#last;
    if (this.#last === NONE) this.#first = slot;
    else records[this.#last * this.stride + SLOT_NEXT] = slot;
    this.#last = slot;
    this.#live++;
    return slot;
  }

  /** Unlinks a live slot and frees it (its ports and parts stay until reuse: they are immutable and shared). */
  close(slot: number): void {
    const records = this.records;
    const at = slot * this.stride;
    const previous = records[at + SLOT_PREVIOUS];
    const next = records[at + SLOT_NEXT];
    if (previous === NONE) this.#first = next;
    else records[previous * this.stride + SLOT_NEXT] = next;
    if (next === NONE) this.#last = previous;
    else records[next * this.stride + SLOT_PREVIOUS] = previous;
    this.objects[slot] = undefined;
    if (this.#freeCount === this.#free.length) {
      const free = new Int32Array(this.#free.length * 2);
      free.set(this.#free);
      this.#free = free;
    }
    this.#free[this.#freeCount++] = slot;
    this.#live--;
  }

  /** Slots in the order their offers were made. */
  sorted(slots: number[]): number[] {
    return slots.sort((a, b) => this.field(a, SLOT_INSERTION) - this.field(b, SLOT_INSERTION));
  }

  #grow(capacity: number): void {
    const records = new Float64Array(capacity * this.stride);
    records.set(this.records);
    this.records = records;
    this.#capacity = capacity;
  }
}
