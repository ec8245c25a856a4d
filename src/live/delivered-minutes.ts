import { MINUTE_MS } from "../domain/bar.js";

/** Minutes remembered for duplicate detection (a whole day of 1-minute bars). */
const KEEP = 1_440;

/**
 * What a feed has delivered of one symbol: the recent minutes (to drop a resent bar or a
 * backfill's overlap with the live stream) and `since`, the first minute after the latest one
 * delivered, where a backfill after a reconnect starts.
 */
export class DeliveredMinutes {
  /** Epoch ms of the first minute a backfill would ask for. */
  since: number;
  /** Insertion order is close to time order, so trimming drops the oldest. */
  readonly #seen = new Set<number>();

  /** `subscribedAt`: the clock when the symbol was subscribed; its minute is the first wanted. */
  constructor(subscribedAt: number) {
    this.since = Math.floor(subscribedAt / MINUTE_MS) * MINUTE_MS;
  }

  /** Whether the minute at `time` was delivered (within the last {@link KEEP} remembered). */
  has(time: number): boolean {
    return this.#seen.has(time);
  }

  /** Records the minute at `time` as delivered. Allocation-free but for the Set's own growth. */
  add(time: number): void {
    const seen = this.#seen;
    seen.add(time);
    if (seen.size > KEEP * 2) {
      let drop = seen.size - KEEP;
      for (const t of seen) {
        if (drop-- <= 0) break;
        seen.delete(t);
      }
    }
    const next = time + MINUTE_MS;
    if (next > this.since) this.since = next;
  }
}
