/**
 * A frozen mapping between scalar resource names and vector slots.
 * Invariant: slots are dense (0..size-1) and a name's slot never changes for the
 * lifetime of a layout; the well-known names cpus, mem, disk and gpus come first.
 */

export type ResourceQuantities = Record<string, number>;

export const WELL_KNOWN_SCALARS: readonly string[] = ['cpus', 'mem', 'disk', 'gpus'];

/** Mesos rounds scalars to three decimals; reporting does the same. */
export function roundScalar(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export class ResourceLayout {
  readonly names: readonly string[];
  readonly size: number;
  readonly #slots: ReadonlyMap<string, number>;

  private constructor(names: readonly string[]) {
    this.names = Object.freeze([...names]);
    this.size = names.length;
    this.#slots = new Map(names.map((name, slot) => [name, slot]));
    Object.freeze(this);
  }

  /** The well-known scalars first, then every other name once, in first-seen order. */
  static create(extraNames: Iterable<string> = []): ResourceLayout {
    const names = [...WELL_KNOWN_SCALARS];
    for (const name of extraNames) {
      if (name === 'ports') throw new Error('ports is a range resource, not a scalar slot');
      if (!names.includes(name)) names.push(name);
    }
    return new ResourceLayout(names);
  }

  has(name: string): boolean {
    return this.#slots.has(name);
  }

  /** The slot of a name, or -1 when the layout has no such scalar. */
  slotOf(name: string): number {
    return this.#slots.get(name) ?? -1;
  }

  /** A fresh zero vector. */
  zero(): Float64Array {
    return new Float64Array(this.size);
  }

  /**
   * A vector from named quantities. Unknown names and invalid amounts are
   * programmer errors here: user input is validated before it reaches the layout.
   */
  vector(quantities: Readonly<ResourceQuantities> = {}): Float64Array {
    const out = new Float64Array(this.size);
    for (const [name, amount] of Object.entries(quantities)) {
      const slot = this.#slots.get(name);
      if (slot === undefined) throw new Error(`resource "${name}" is not in the layout (${this.names.join(', ')})`);
      if (!Number.isFinite(amount) || amount < 0) throw new Error(`resource "${name}" must be finite and >= 0, got ${amount}`);
      out[slot] = amount;
    }
    return out;
  }

  /** Named quantities of the non-zero slots, rounded as Mesos reports them. */
  quantities(vector: Float64Array): ResourceQuantities {
    const out: ResourceQuantities = {};
    for (let slot = 0; slot < this.size; slot++) {
      const amount = roundScalar(vector[slot]);
      if (amount !== 0) out[this.names[slot]] = amount;
    }
    return out;
  }

  /** Names not yet in this layout, for a caller that must decide whether to grow it. */
  unknownNames(quantities: Readonly<ResourceQuantities>): string[] {
    return Object.keys(quantities).filter((name) => !this.#slots.has(name));
  }
}
