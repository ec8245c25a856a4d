import { type FeedErrorKind, LiveFeedError } from "../feed-errors.js";

/**
 * The error codes of Alpaca's market data stream (`[{"T":"error","code":…,"msg":…}]`), as its
 * documentation lists them, with the message the server sends.
 */
export const ALPACA_ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  400: "invalid syntax",
  401: "not authenticated",
  402: "auth failed",
  403: "already authenticated",
  404: "auth timeout",
  405: "symbol limit exceeded",
  406: "connection limit exceeded",
  407: "slow client",
  408: "v2 not enabled",
  409: "insufficient subscription",
  410: "invalid subscribe action for this feed",
  500: "internal error",
});

/**
 * What the feed does about a stream error code:
 * - `fatal`: the feed closes (402 auth failed, 409 insufficient subscription, 408: asking again
 *   with the same key and plan cannot succeed);
 * - `slow-retry`: reconnect, but no sooner than the connection-limit floor (406: another
 *   connection holds the key's only slot; it may be our own dead one the server has not noticed);
 * - `reconnect`: the connection is unusable, reconnect with the usual backoff (401, 404, 407, 500);
 * - `refused`: the request is refused, the connection carries on (400, 403, 405, 410).
 */
export type AlpacaErrorAction = "fatal" | "slow-retry" | "reconnect" | "refused";

/** The action of a stream error code; an unknown code is `refused` (reported, nothing else). */
export function alpacaErrorAction(code: number): AlpacaErrorAction {
  switch (code) {
    case 402:
    case 408:
    case 409:
      return "fatal";
    case 406:
      return "slow-retry";
    case 401:
    case 404:
    case 407:
    case 500:
      return "reconnect";
    default:
      return "refused";
  }
}

function kindOf(code: number): FeedErrorKind {
  if (code === 402) return "auth";
  if (code === 406) return "connection-limit";
  return "provider";
}

/**
 * An error Alpaca's stream sent (`T:"error"`), or an HTTP error of its REST API: `code` is the
 * stream's code (401…410, 500) or the HTTP status. Its message quotes the code, Alpaca's text and
 * where it came from, never a key or secret.
 */
export class AlpacaError extends LiveFeedError {
  /** Alpaca's error code (stream) or HTTP status (REST). */
  readonly code: number;
  /** What the feed does about it. */
  readonly action: AlpacaErrorAction;

  constructor(
    feed: string,
    code: number,
    message: string,
    options?: { symbol?: string; cause?: unknown; action?: AlpacaErrorAction },
  ) {
    super(feed, kindOf(code), `error ${code} (${message})`, options);
    this.code = code;
    this.action = options?.action ?? alpacaErrorAction(code);
  }
}
