/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every
 * platform, which is what makes a replay with fault injection deterministic. Not for cryptography.
 *
 * @returns a function giving numbers in `[0, 1)`.
 */
export function seededRandom(seed: number): () => number {
  // Fold any finite number (fractions, negatives, > 2^32) into 32 bits so every seed is usable.
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}
