import { type Bar, barProblem } from "../../domain/bar.js";
import { excerpt, LiveFeedError } from "../feed-errors.js";
import { barOfKline, symbolOfStream } from "./binance-format.js";

/**
 * Reads one combined-stream kline event (`data` of stream `stream`) as Binance sends it: the bar
 * of a closed kline (`k.x: true`) of the subscribed symbol (no other allocation per bar), `undefined` for a kline still open (a
 * bar still forming is not a bar), or the {@link LiveFeedError} the feed reports (not a kline
 * event, fields missing, a symbol not subscribed, an invalid bar). `subscribed`: the symbol the
 * feed holds for `stream`, if any.
 */
export function readKline(
  feed: string,
  stream: string,
  d: Record<string, unknown>,
  subscribed: string | undefined,
): Bar | LiveFeedError | undefined {
  const k = d.k;
  if (d.e !== "kline" || k === null || typeof k !== "object") {
    return new LiveFeedError(
      feed,
      "malformed",
      `stream ${stream}: not a kline event (e: ${JSON.stringify(d.e)})`,
    );
  }
  const kline = k as Record<string, unknown>;
  if (kline.x !== true) return undefined;
  const symbol = subscribed ?? symbolOfStream(stream);
  const bar = barOfKline(kline);
  if (symbol === undefined || bar === undefined) {
    return new LiveFeedError(
      feed,
      "malformed",
      `stream ${stream}: kline without t/o/h/l/c/v: ${excerpt(JSON.stringify(k))}`,
    );
  }
  if (subscribed === undefined) {
    return new LiveFeedError(feed, "unsubscribed", `kline for ${symbol}, which is not subscribed`, {
      symbol,
    });
  }
  const problem = barProblem(bar);
  if (problem !== undefined) {
    return new LiveFeedError(
      feed,
      "invalid-bar",
      `kline of ${symbol} at ${new Date(bar.time).toISOString()}: ${problem.field} ${problem.reason}`,
      { symbol },
    );
  }
  return bar;
}
