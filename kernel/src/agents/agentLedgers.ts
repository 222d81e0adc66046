/**
 * What a checked master keeps beside each agent's free resources, so that the
 * conservation law (free + offered + used = total, scalars with reservations
 * folded in) can be asserted after every step from three independent books:
 * the agent's own free pool, the offer book's `offered` and the task
 * registry's `used`. Only agents touched since the last check are checked.
 */
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { SCALAR_EPSILON, VectorPool } from '../resources/vector.js';

export class AgentLedgers {
  readonly offered: VectorPool;
  readonly used: VectorPool;
  /** Each agent's total, reservations folded in, kept here so that a check need not read the Agent. */
  readonly total: VectorPool;
  #touched: number[] = [];
  #marked = new Uint8Array(64);

  constructor(stride: number) {
    this.offered = new VectorPool(stride, 64);
    this.used = new VectorPool(stride, 64);
    this.total = new VectorPool(stride, 64);
  }

  /** Records an agent's total (call whenever it changes). */
  setTotal(index: number, total: ResourceSet): void {
    const buffer = this.total.buffer;
    const stride = this.total.stride;
    const at = index * stride;
    for (let slot = 0; slot < stride; slot++) buffer[at + slot] = total.scalars[slot];
    for (const part of total.reserved) for (let slot = 0; slot < stride; slot++) buffer[at + slot] += part.scalars[slot];
    this.touch(index);
  }

  ensureCapacity(capacity: number): void {
    this.offered.ensureCapacity(capacity);
    this.used.ensureCapacity(capacity);
    this.total.ensureCapacity(capacity);
    if (capacity > this.#marked.length) {
      const marked = new Uint8Array(this.offered.capacity);
      marked.set(this.#marked);
      this.#marked = marked;
    }
  }

  /** Adds (sign 1) or removes (-1) a resource set's scalars, reserved parts included, at an agent's index. */
  charge(pool: VectorPool, index: number, resources: ResourceSet, sign: 1 | -1): void {
    this.chargeParts(pool, index, resources.scalars, 0, resources.reserved, sign);
  }

  /** `charge` without a ResourceSet object: the unreserved scalars are read from `scalars` at `offset`. */
  chargeParts(
    pool: VectorPool,
    index: number,
    scalars: Float64Array,
    offset: number,
    reserved: readonly ReservedPart[],
    sign: 1 | -1,
  ): void {
    const buffer = pool.buffer;
    const at = index * pool.stride;
    for (let slot = 0; slot < pool.stride; slot++) buffer[at + slot] += sign * scalars[offset + slot];
    for (const part of reserved) for (let slot = 0; slot < pool.stride; slot++) buffer[at + slot] += sign * part.scalars[slot];
    for (let slot = 0; slot < pool.stride; slot++) {
      if (buffer[at + slot] < -SCALAR_EPSILON)
        throw new Error(`agent ledger at index ${index}: slot ${slot} went negative (${buffer[at + slot]})`);
    }
    this.touch(index);
  }

  touch(index: number): void {
    if (this.#marked[index] === 1) return;
    this.#marked[index] = 1;
    this.#touched.push(index);
  }

  /** The indices touched since the last call, each once. */
  takeTouched(): number[] {
    const touched = this.#touched;
    for (const index of touched) this.#marked[index] = 0;
    this.#touched = [];
    return touched;
  }

  /** Zeroes an index for its next agent; a checked registry first asserts that nothing is left on it. */
  reset(index: number): void {
    const stride = this.offered.stride;
    this.offered.buffer.fill(0, index * stride, (index + 1) * stride);
    this.used.buffer.fill(0, index * stride, (index + 1) * stride);
    this.total.buffer.fill(0, index * stride, (index + 1) * stride);
  }

  /** Whether anything is still offered or used at an index. */
  holdsAnything(index: number): boolean {
    const stride = this.offered.stride;
    for (let at = index * stride; at < (index + 1) * stride; at++) {
      if (this.offered.buffer[at] > SCALAR_EPSILON || this.used.buffer[at] > SCALAR_EPSILON) return true;
    }
    return false;
  }
}
