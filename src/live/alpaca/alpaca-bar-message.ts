import { type Bar, barProblem } from "../../domain/bar.js";
import { excerpt, LiveFeedError } from "../feed-errors.js";
import { barOfWire } from "./alpaca-format.js";

/**
 * Reads one `T:"b"` (or, `updated`, `T:"u"`) element as Alpaca sends it: its bar, or the
 * {@link LiveFeedError} the feed reports (fields missing, a symbol not subscribed, an invalid
 * bar). `symbol`: the element's `S` as the feed keys it (`undefined` when `S` is no string);
 * `subscribed`: whether the feed holds that symbol.
 */
export function readBarMessage(
  feed: string,
  m: Record<string, unknown>,
  updated: boolean,
  symbol: string | undefined,
  subscribed: boolean,
): Bar | LiveFeedError {
  const bar = barOfWire(m);
  if (symbol === undefined || bar === undefined) {
    return new LiveFeedError(
      feed,
      "malformed",
      `${updated ? "updated bar" : "bar"} without S/o/h/l/c/v/t: ${excerpt(JSON.stringify(m))}`,
    );
  }
  if (!subscribed) {
    return new LiveFeedError(feed, "unsubscribed", `bar for ${symbol}, which is not subscribed`, {
      symbol,
    });
  }
  const problem = barProblem(bar);
  if (problem !== undefined) {
    return new LiveFeedError(
      feed,
      "invalid-bar",
      `${updated ? "updated bar" : "bar"} of ${symbol} at ${JSON.stringify(m.t)}: ${problem.field} ${problem.reason}`,
      { symbol },
    );
  }
  return bar;
}
