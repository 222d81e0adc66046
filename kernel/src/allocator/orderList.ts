/**
 * An ordered set of node ids kept in short sorted blocks of Int32Arrays
 * (square-root decomposition): insert and remove cost O(log n + blockSize)
 * number moves, never a pointer store, and in-order iteration is two nested
 * loops over `blocks` and `sizes`. Order: the DRF keys of SorterKeys (share,
 * then allocation count, then rank among siblings), read from typed arrays.
 * Invariant: blocks [0, blockCount) are non-empty and sorted, each block's
 * last id compares below the next block's first, and no id is listed twice.
 */
import type { SorterKeys } from './sorterKeys.js';

const BLOCK_SIZE_MAX = 64;
const BLOCK_SIZE_SPLIT = BLOCK_SIZE_MAX >> 1;

export class OrderList {
  /** Blocks [0, blockCount) are in use; each has room for BLOCK_SIZE_MAX + 1 ids. */
  readonly blocks: Int32Array[] = [];
  /** Ids in use in each block. */
  sizes = new Int32Array(4);
  blockCount = 0;
  #size = 0;
  readonly #keys: SorterKeys;

  constructor(keys: SorterKeys) {
    this.#keys = keys;
  }

  get size(): number {
    return this.#size;
  }

  /** a before b in DRF order: lower share, then fewer allocations, then name order (rank). */
  #less(a: number, b: number): boolean {
    const keys = this.#keys;
    const shareA = keys.share[a];
    const shareB = keys.share[b];
    if (shareA !== shareB) return shareA < shareB;
    const countA = keys.count[a];
    const countB = keys.count[b];
    if (countA !== countB) return countA < countB;
    return keys.rank[a] < keys.rank[b];
  }

  insert(id: number): void {
    if (this.blockCount === 0) {
      this.#insertBlock(0);
      this.blocks[0][0] = id;
      this.sizes[0] = 1;
      this.#size = 1;
      return;
    }
    const blockIndex = this.#blockFor(id);
    const block = this.blocks[blockIndex];
    const size = this.sizes[blockIndex];
    const position = this.#positionIn(block, size, id);
    if (position < size && block[position] === id)
      throw new Error('OrderList.insert: the id is already listed (it would hold two positions)');
    block.copyWithin(position + 1, position, size);
    block[position] = id;
    this.sizes[blockIndex] = size + 1;
    this.#size++;
    if (size + 1 > BLOCK_SIZE_MAX) this.#split(blockIndex);
  }

  /**
   * Removes an id that is listed with the keys it was inserted with: callers remove
   * before they change anything the order reads. A caller that just read the id at
   * (`blockHint`, `positionHint`) passes them, which spares the searches.
   */
  remove(id: number, blockHint = -1, positionHint = -1): void {
    if (this.blockCount === 0) throw new Error('OrderList.remove: list is empty');
    const hinted =
      blockHint >= 0 && blockHint < this.blockCount && positionHint < this.sizes[blockHint] && this.blocks[blockHint][positionHint] === id;
    const blockIndex = hinted ? blockHint : this.#blockFor(id);
    const block = this.blocks[blockIndex];
    const size = this.sizes[blockIndex];
    let position = hinted ? positionHint : this.#positionIn(block, size, id);
    if (position >= size || block[position] !== id) {
      position = block.subarray(0, size).indexOf(id);
      if (position < 0) throw new Error('OrderList.remove: id not found (was its key changed before removal?)');
    }
    block.copyWithin(position, position + 1, size);
    this.sizes[blockIndex] = size - 1;
    this.#size--;
    if (size - 1 === 0) this.#removeBlock(blockIndex);
  }

  toArray(): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.blockCount; b++) {
      const block = this.blocks[b];
      for (let i = 0; i < this.sizes[b]; i++) out.push(block[i]);
    }
    return out;
  }

  /** Re-sorts everything: for when every key changed at once (a new cluster total or weight). */
  rebuild(): void {
    const ids = this.toArray().sort((a, b) => (this.#less(a, b) ? -1 : this.#less(b, a) ? 1 : 0));
    this.blockCount = 0;
    this.#size = 0;
    for (let i = 0; i < ids.length; i += BLOCK_SIZE_SPLIT) {
      const count = Math.min(BLOCK_SIZE_SPLIT, ids.length - i);
      this.#insertBlock(this.blockCount);
      const block = this.blocks[this.blockCount - 1];
      for (let j = 0; j < count; j++) block[j] = ids[i + j];
      this.sizes[this.blockCount - 1] = count;
      this.#size += count;
    }
  }

  /** The first block whose last id is not before `id`, or the last block. */
  #blockFor(id: number): number {
    let low = 0;
    let high = this.blockCount - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#less(this.blocks[middle][this.sizes[middle] - 1], id)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The first position in the block whose id is not before `id`. */
  #positionIn(block: Int32Array, size: number, id: number): number {
    let low = 0;
    let high = size;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#less(block[middle], id)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Opens an empty block at `at`, reusing a spare Int32Array when there is one. */
  #insertBlock(at: number): void {
    if (this.blockCount === this.sizes.length) {
      const sizes = new Int32Array(this.sizes.length * 2);
      sizes.set(this.sizes);
      this.sizes = sizes;
    }
    const spare = this.blocks.length > this.blockCount ? this.blocks.pop()! : new Int32Array(BLOCK_SIZE_MAX + 1);
    this.blocks.splice(at, 0, spare);
    this.sizes.copyWithin(at + 1, at, this.blockCount);
    this.sizes[at] = 0;
    this.blockCount++;
  }

  #removeBlock(at: number): void {
    const [empty] = this.blocks.splice(at, 1);
    this.blocks.push(empty);
    this.sizes.copyWithin(at, at + 1, this.blockCount);
    this.blockCount--;
  }

  #split(blockIndex: number): void {
    this.#insertBlock(blockIndex + 1);
    const full = this.blocks[blockIndex];
    const next = this.blocks[blockIndex + 1];
    const size = this.sizes[blockIndex];
    next.set(full.subarray(BLOCK_SIZE_SPLIT, size));
    this.sizes[blockIndex + 1] = size - BLOCK_SIZE_SPLIT;
    this.sizes[blockIndex] = BLOCK_SIZE_SPLIT;
  }
}
