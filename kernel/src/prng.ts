/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32).
 * The kernel never calls Math.random: hosts pass one of these in, so the same
 * seed and the same commands give the same events in Node and in a browser.
 */

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number;
  /** The next 32-bit word itself (optional): what `next()` returns times 2^32, without a double in between. */
  nextUint32?(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createPrng(seed: number): Prng {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const mix = splitmix32(seed);
  // The state in a typed array: 32-bit words above 2^30 kept in closure variables are boxed, one heap number per draw.
  const state = new Uint32Array(4);
  state[0] = mix();
  state[1] = mix();
  state[2] = mix();
  state[3] = mix();
  const nextUint32 = (): number => {
    const a = state[0];
    const b = state[1];
    const c = state[2];
    const d = state[3];
    const t = (((a + b) >>> 0) + d) >>> 0;
    state[3] = d + 1;
    state[0] = b ^ (b >>> 9);
    state[1] = c + (c << 3);
    const rotated = ((c << 21) | (c >>> 11)) >>> 0;
    state[2] = rotated + t;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    nextUint32,
    next: () => nextUint32() / 4294967296,
    nextInt: (bound: number) => {
      if (!(bound > 0)) throw new Error(`nextInt bound must be positive, got ${bound}`);
      return Math.floor((nextUint32() / 4294967296) * bound);
    },
  };
}

/** Fisher–Yates in place over the first `length` entries. */
export function shuffleInPlace(items: Int32Array | number[], length: number, prng: Prng): void {
  for (let i = length - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
}
