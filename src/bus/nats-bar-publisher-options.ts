import type { SessionData } from "../store/session-data.js";
import type { BusLocation } from "./bus-config.js";

/** Options of {@link NatsBarPublisher}. */
export interface NatsBarPublisherOptions extends BusLocation {
  /** The store whose bars are published (every bar written after `start()`). */
  readonly sessionData: SessionData;
  /** The stream's age limit, ms (default a day). */
  readonly maxAgeMs?: number;
  /** Publishes awaiting JetStream's ack at once (default 512). */
  readonly maxInFlight?: number;
  /**
   * Messages held at most (waiting, in flight or to retry; default 100,000). A bar beyond it is
   * lost: counted in {@link NatsBarPublisher.lost} and reported with an `error` event.
   */
  readonly maxBuffered?: number;
  /** How long a publish waits for its ack before it is retried, ms (default 5,000). */
  readonly ackTimeoutMs?: number;
  /**
   * Whether the first bar of a later minute closes the open one with a barrier (default true).
   * A replay also calls {@link NatsBarPublisher.endMinute} on each slice, so its barriers do not
   * wait for the next minute.
   */
  readonly autoBarrier?: boolean;
  /**
   * `"bar"` (default): one message per bar on `<prefix>.1m.<SYMBOL>`. `"slice"`: the bars of
   * the open minute travel packed in batch messages on `<prefix>.slice`, sent when the minute
   * ends (just before its barrier); late bars of earlier minutes still go one by one. A
   * JetStream publish costs an acknowledged round trip, so this multiplies the bars per second
   * by the bars in a minute (see the bench); per-symbol subscribers then see only late bars.
   */
  readonly packing?: "bar" | "slice";
  /** Names this publisher's run in every message (default: the wall clock at construction). */
  readonly epoch?: number;
}

/** What {@link NatsBarPublisher} reports. */
export interface NatsBarPublisherEvents {
  /** Bars were lost (buffer full while the server was away, or stop() before their ack). */
  error: (error: Error) => void;
  /** A barrier was queued: minute `minute` is complete with `count` bars. */
  barrier: (minute: number, count: number) => void;
}
