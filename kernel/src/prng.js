/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32).
 * The kernel never calls Math.random: hosts pass one of these in, so the same
 * seed and the same commands give the same events in Node and in a browser.
 */
function splitmix32(seed) {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x9e3779b9) >>> 0;
        let z = state;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        return (z ^ (z >>> 16)) >>> 0;
    };
}
export function createPrng(seed) {
    if (!Number.isInteger(seed))
        throw new Error(`seed must be an integer, got ${seed}`);
    const mix = splitmix32(seed);
    let a = mix();
    let b = mix();
    let c = mix();
    let d = mix();
    const nextUint32 = () => {
        const t = (((a + b) >>> 0) + d) >>> 0;
        d = (d + 1) >>> 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) >>> 0;
        c = ((c << 21) | (c >>> 11)) >>> 0;
        c = (c + t) >>> 0;
        return t;
    };
    for (let i = 0; i < 12; i++)
        nextUint32();
    return {
        next: () => nextUint32() / 4294967296,
        nextInt: (bound) => {
            if (!(bound > 0))
                throw new Error(`nextInt bound must be positive, got ${bound}`);
            return Math.floor((nextUint32() / 4294967296) * bound);
        },
    };
}
/** Fisher–Yates in place over the first `length` entries. */
export function shuffleInPlace(items, length, prng) {
    for (let i = length - 1; i > 0; i--) {
        const j = prng.nextInt(i + 1);
        const swap = items[i];
        items[i] = items[j];
        items[j] = swap;
    }
}
