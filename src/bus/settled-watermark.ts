/**
 * The highest sequence up to which every message is settled (acked or lost), for the
 * {@link NatsBarPublisher}'s `flush()`. Acks arrive slightly out of order, so ranges settled
 * above the watermark wait until the gap below them closes.
 */
export class SettledWatermark {
  #value = 0;
  /** Settled ranges above the watermark, `first → last`. */
  readonly #above = new Map<number, number>();

  /** Every sequence up to this one is settled. */
  get value(): number {
    return this.#value;
  }

  /** Sequences `first..last` are settled. */
  settle(first: number, last: number): void {
    if (first === this.#value + 1) {
      this.#value = last;
      const above = this.#above;
      for (let next = above.get(this.#value + 1); next !== undefined; ) {
        above.delete(this.#value + 1);
        this.#value = next;
        next = above.get(this.#value + 1);
      }
    } else this.#above.set(first, last);
  }

  /** Declares every sequence up to `seq` settled (what is held was dropped). */
  reset(seq: number): void {
    this.#value = seq;
    this.#above.clear();
  }
}
