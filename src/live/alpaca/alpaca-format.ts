/**
 * The wire format of Alpaca's market data API v2 for stocks, in one place for the feed and the
 * fake server: stream messages are JSON arrays of objects tagged by `T` (`success`, `error`,
 * `subscription`, `b` bar, `u` updated bar, …); a bar is `{ S, o, h, l, c, v, t, n, vw }` with
 * `t` the RFC 3339 instant the minute starts; REST `GET /v2/stocks/bars` answers
 * `{ bars: { SYMBOL: [{ t, o, h, l, c, v, n, vw }] }, next_page_token }`.
 */
import type { Bar } from "../../domain/bar.js";

/** A bar as Alpaca writes it (stream: with `T` and `S`; REST: without). */
export interface AlpacaWireBar {
  readonly T?: "b" | "u";
  readonly S?: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  /** RFC 3339, the minute's start: `2024-01-02T15:04:00Z`. */
  readonly t: string;
  /** Trades in the bar. */
  readonly n: number;
  /** Volume-weighted average price. */
  readonly vw: number;
}

/** The RFC 3339 form Alpaca writes bar times in: seconds precision, `Z`. */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * An RFC 3339 instant as epoch ms, or `NaN`. Accepts fractions of any length (Alpaca writes
 * nanoseconds for trades) and offsets; rejects anything `Date.parse` would guess at.
 */
export function parseRfc3339(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (m === null) return Number.NaN;
  const ms = m[2] === undefined ? "" : m[2].slice(0, 4).padEnd(4, "0");
  return Date.parse(`${m[1]}${ms}${m[3]}`);
}

/**
 * The {@link Bar} of a wire bar, or `undefined` when a field is missing or of the wrong type (a
 * malformed message). Validity (`high >= low`, whole minute) is the caller's `barProblem` check.
 */
export function barOfWire(m: Record<string, unknown>): Bar | undefined {
  const { o, h, l, c, v, t } = m;
  if (
    typeof o !== "number" ||
    typeof h !== "number" ||
    typeof l !== "number" ||
    typeof c !== "number" ||
    typeof v !== "number" ||
    typeof t !== "string"
  ) {
    return undefined;
  }
  return { time: parseRfc3339(t), open: o, high: h, low: l, close: c, volume: v };
}

/** A bar in Alpaca's wire form; `n` and `vw` are made up when the bar has none (the fake's). */
export function wireOfBar(bar: Bar, symbol?: string, type?: "b" | "u"): AlpacaWireBar {
  const body = {
    o: bar.open,
    h: bar.high,
    l: bar.low,
    c: bar.close,
    v: bar.volume,
    t: rfc3339(bar.time),
    n: Math.max(1, Math.round(bar.volume / 100)),
    vw: Math.round(((bar.high + bar.low + bar.close) / 3) * 10_000) / 10_000,
  };
  return type === undefined ? body : { T: type, S: symbol, ...body };
}

/** The streaming URL of a feed: `{base}/v2/{feed}`. */
export function streamUrl(base: string, feed: string): string {
  return `${base.replace(/\/+$/, "")}/v2/${feed}`;
}
