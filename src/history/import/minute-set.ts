/**
 * The distinct minutes of one symbol's rows, so an import can say how many bars its rows make
 * (a repeated time is one bar: the last row wins). A bitmap in pages of 4,096 minutes (512
 * bytes, ~2.8 days): memory follows the span the rows cover, never their number, and rows in
 * any order are counted exactly.
 */
const PAGE_MINUTES = 4096;
const MINUTE_MS = 60_000;

export class MinuteSet {
  readonly #pages = new Map<number, Uint32Array>();
  #key = Number.NaN;
  #page: Uint32Array | undefined;
  #size = 0;

  /** Distinct minutes added. */
  get size(): number {
    return this.#size;
  }

  /** Adds the minute of `time` (epoch ms on a whole minute); returns whether it was new. */
  add(time: number): boolean {
    const minute = time / MINUTE_MS;
    const key = Math.floor(minute / PAGE_MINUTES);
    let page = this.#page;
    if (key !== this.#key || page === undefined) {
      page = this.#pages.get(key);
      if (page === undefined) {
        page = new Uint32Array(PAGE_MINUTES / 32);
        this.#pages.set(key, page);
      }
      this.#key = key;
      this.#page = page;
    }
    const i = minute - key * PAGE_MINUTES;
    const word = i >>> 5;
    const bit = 1 << (i & 31);
    if ((page[word]! & bit) !== 0) return false;
    page[word] = page[word]! | bit;
    this.#size++;
    return true;
  }
}
