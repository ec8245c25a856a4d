/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every
 * platform, so fault injection and jitter replay identically. Not for cryptography.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // a number in [0, 1), the same one every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A number in [0, 1) determined only by its inputs (FNV-1a over their text, then one mulberry32
 * step). Used where draws happen in an order that depends on I/O timing: keying the draw by what
 * it is for (seed, symbol, range, attempt) keeps the outcome independent of that order.
 */
export function hashedRandom(seed: number, ...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const part of parts) {
    const text = typeof part === "number" ? part.toString(36) : part;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    // A separator keeps ("ab", "c") and ("a", "bc") apart.
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return seededRandom(h)();
}
