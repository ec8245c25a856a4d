import { SessiondataError } from "../domain/errors.js";

/**
 * Why a feed refused a message or a step, as a short stable code: what a `LiveSession` counts
 * under "rejected by reason" and what tests match on.
 * - `malformed`: not JSON, or JSON without the fields the provider's format has;
 * - `invalid-bar`: a bar breaking a validity rule (`high < low`, a NaN price, an off-minute time);
 * - `unsubscribed`: a bar for a symbol the feed did not subscribe;
 * - `stale`: a bar older than what the feed already delivered and held (a duplicate is silent);
 * - `heartbeat`: the connection went silent longer than the heartbeat timeout;
 * - `backfill`: a REST backfill request failed (it is retried; this reports each failure);
 * - `provider`: an error the provider sent (`{"error": …}`, Alpaca's `T:"error"`);
 * - `auth`: credentials refused (fatal);
 * - `connection-limit`: the provider refused another connection (fatal or slow retry).
 */
export type FeedErrorKind =
  | "malformed"
  | "invalid-bar"
  | "unsubscribed"
  | "stale"
  | "heartbeat"
  | "backfill"
  | "provider"
  | "auth"
  | "connection-limit";

/**
 * A fault a {@link LiveFeed} met: emitted on its `error` event (never thrown from a socket
 * handler). The message quotes the offending value and where it came from.
 */
export class LiveFeedError extends SessiondataError {
  /** The feed's name (`"binance"`, `"alpaca"`, `"sim"`). */
  readonly feed: string;
  readonly kind: FeedErrorKind;
  /** The symbol concerned, when there is one. */
  readonly symbol: string | undefined;

  constructor(
    feed: string,
    kind: FeedErrorKind,
    message: string,
    options?: { symbol?: string; cause?: unknown },
  ) {
    super(
      `${feed}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.feed = feed;
    this.kind = kind;
    this.symbol = options?.symbol;
  }
}

/** The first 120 characters of a raw message, for quoting it in an error. */
export function excerpt(raw: string): string {
  return JSON.stringify(raw.length > 120 ? `${raw.slice(0, 120)}…` : raw);
}
