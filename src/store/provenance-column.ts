import {
  PROVENANCE_CODES,
  type Provenance,
  type ProvenanceCounts,
  provenanceOfCode,
} from "../domain/provenance.js";

/**
 * The store's code for `p` (1–4, as {@link PROVENANCE_CODES}), or 0 when `p` names none. A
 * `switch` on the four strings: cheaper on the write path than a keyed look-up, and an unknown
 * value (a typo in JavaScript, a number) cannot pass as a prototype key.
 */
export function provenanceCode(p: unknown): number {
  switch (p) {
    case "live":
      return PROVENANCE_CODES.live;
    case "replay":
      return PROVENANCE_CODES.replay;
    case "refilled":
      return PROVENANCE_CODES.refilled;
    case "corrected":
      return PROVENANCE_CODES.corrected;
    default:
      return 0;
  }
}

/** The smallest codes column made (a session with few bars still gets room to grow). */
const MIN_CODES = 64;

/** Counts of `regular` bars all of provenance `code` (what a uniform session reports). */
export function uniformCounts(code: number, regular: number): ProvenanceCounts {
  return {
    live: code === 1 ? regular : 0,
    replay: code === 2 ? regular : 0,
    refilled: code === 3 ? regular : 0,
    corrected: code === 4 ? regular : 0,
  };
}

/**
 * The provenance of each of one symbol's current-session 1-minute bars, index for index with its
 * columns (one byte a bar), and the counts of its regular-session bars by provenance. Internal
 * to the store.
 *
 * A session is usually of one provenance (a replay is all `replay`; a live feed with no gap all
 * `live`): the symbol then keeps one code and no column at all, and makes this only when the
 * first bar of another provenance arrives. After a session roll it is kept as the spare the next
 * mixed session reuses (no allocation per session).
 */
export class ProvenanceCodes {
  #codes: Uint8Array;
  #live = 0;
  #replay = 0;
  #refilled = 0;
  #corrected = 0;

  constructor(capacity: number) {
    this.#codes = new Uint8Array(Math.max(MIN_CODES, capacity));
  }

  /**
   * Activates it for a session whose `n` bars so far (`regular` of them regular) all have
   * provenance `uniform`, with room for `capacity` bars.
   */
  split(uniform: number, n: number, regular: number, capacity: number): this {
    if (this.#codes.length < Math.max(capacity, n + 1)) {
      this.#codes = new Uint8Array(Math.max(MIN_CODES, capacity, n + 1));
    }
    this.#codes.fill(uniform, 0, n);
    this.#live = this.#replay = this.#refilled = this.#corrected = 0;
    this.#count(uniform, regular);
    return this;
  }

  /** The code of bar `i`. */
  codeAt(i: number): number {
    return this.#codes[i]!;
  }

  /** The provenance of bar `i` (the caller guarantees `i` is a held bar). */
  at(i: number): Provenance | undefined {
    return provenanceOfCode(this.#codes[i]!);
  }

  /** Bar `i` (= the bars held before it) was appended with `code`. */
  append(i: number, code: number, regular: boolean): void {
    if (regular) this.#count(code, 1);
    this.#fit(i + 1)[i] = code;
  }

  /** A bar with `code` was inserted at index `i`; `n` bars were held before it. */
  insert(i: number, n: number, code: number, regular: boolean): void {
    if (regular) this.#count(code, 1);
    const codes = this.#fit(n + 1);
    codes.copyWithin(i + 1, i, n);
    codes[i] = code;
  }

  /** Bar `i` was replaced by one with `code`. */
  replace(i: number, code: number, regular: boolean): void {
    const codes = this.#codes;
    if (regular) {
      this.#count(codes[i]!, -1);
      this.#count(code, 1);
    }
    codes[i] = code;
  }

  /** The regular-session counts, a new object. */
  counts(): ProvenanceCounts {
    return {
      live: this.#live,
      replay: this.#replay,
      refilled: this.#refilled,
      corrected: this.#corrected,
    };
  }

  /** The codes, grown (doubling) to hold at least `need`. */
  #fit(need: number): Uint8Array {
    const codes = this.#codes;
    if (need <= codes.length) return codes;
    const grown = new Uint8Array(Math.max(need, codes.length * 2));
    grown.set(codes);
    this.#codes = grown;
    return grown;
  }

  #count(code: number, delta: number): void {
    switch (code) {
      case 1:
        this.#live += delta;
        break;
      case 2:
        this.#replay += delta;
        break;
      case 3:
        this.#refilled += delta;
        break;
      default:
        this.#corrected += delta;
    }
  }
}
