/**
 * An ordered list of unique items kept in short sorted blocks (square-root
 * decomposition): insert and remove cost O(log n + blockSize) instead of the
 * O(n) shift of one flat array, and in-order iteration is two nested loops.
 * Invariant: every block is non-empty and sorted, and each block's last item
 * compares below the next block's first item.
 */

const BLOCK_SIZE_MAX = 64;

export class BlockList<T> {
  readonly blocks: T[][] = [];
  #size = 0;
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#size;
  }

  insert(item: T): void {
    if (this.blocks.length === 0) {
      this.blocks.push([item]);
      this.#size = 1;
      return;
    }
    const blockIndex = this.#blockFor(item);
    const block = this.blocks[blockIndex];
    const position = this.#positionIn(block, item);
    if (block[position] === item) throw new Error('BlockList.insert: the item is already listed (it would hold two positions)');
    // A short block: shifting by hand is cheaper than splice's generic path.
    block.push(item);
    for (let i = block.length - 1; i > position; i--) block[i] = block[i - 1];
    block[position] = item;
    this.#size++;
    if (block.length > BLOCK_SIZE_MAX) this.blocks.splice(blockIndex + 1, 0, block.splice(BLOCK_SIZE_MAX >> 1));
  }

  /**
   * Removes an item that is in the list with the key it was inserted with:
   * callers remove before they change anything the comparator reads.
   */
  remove(item: T): void {
    if (this.blocks.length === 0) throw new Error('BlockList.remove: list is empty');
    const blockIndex = this.#blockFor(item);
    const block = this.blocks[blockIndex];
    let position = this.#positionIn(block, item);
    if (block[position] !== item) {
      position = block.indexOf(item);
      if (position < 0) throw new Error('BlockList.remove: item not found (was its key changed before removal?)');
    }
    for (let i = position; i < block.length - 1; i++) block[i] = block[i + 1];
    block.pop();
    this.#size--;
    if (block.length === 0) this.blocks.splice(blockIndex, 1);
  }

  toArray(): T[] {
    const out: T[] = [];
    for (const block of this.blocks) for (const item of block) out.push(item);
    return out;
  }

  /** Re-sorts everything: for when every key changed at once (a new cluster total). */
  rebuild(): void {
    const items = this.toArray().sort(this.#compare);
    this.blocks.length = 0;
    for (let i = 0; i < items.length; i += BLOCK_SIZE_MAX >> 1) this.blocks.push(items.slice(i, i + (BLOCK_SIZE_MAX >> 1)));
  }

  /** The first block whose last item is >= item, or the last block. */
  #blockFor(item: T): number {
    let low = 0;
    let high = this.blocks.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      const block = this.blocks[middle];
      if (this.#compare(block[block.length - 1], item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The first position in the block whose item is >= item. */
  #positionIn(block: T[], item: T): number {
    let low = 0;
    let high = block.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#compare(block[middle], item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
