/**
 * The wire format of Alpaca's market data API v2 for stocks, in one place for the feed and the
 * fake server: stream messages are JSON arrays of objects tagged by `T` (`success`, `error`,
 * `subscription`, `b` bar, `u` updated bar, …); a bar is `{ S, o, h, l, c, v, t, n, vw }` with
 * `t` the RFC 3339 instant the minute starts; REST `GET /v2/stocks/bars` answers
 * `{ bars: { SYMBOL: [{ t, o, h, l, c, v, n, vw }] }, next_page_token }`.
 */
import type { Bar } from "../../domain/bar.js";
import { daysInMonth } from "../../domain/time.js";

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
  // The bars' own form, `2024-01-02T15:04:00Z`, without a regex, a substring or a Date: this
  // runs once per bar on the hot path.
  if (text.length === 20 && text.charCodeAt(19) === 90 /* Z */) {
    const fast = wholeSecondsZ(text);
    if (!Number.isNaN(fast)) return fast;
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (m === null) return Number.NaN;
  // Date.parse rolls 2023-02-29 over to March 1st: check the fields first.
  const date = m[1]!;
  const y = digits(date, 0, 4);
  const mo = digits(date, 5, 2);
  const d = digits(date, 8, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return Number.NaN;
  if (digits(date, 11, 2) > 23 || digits(date, 14, 2) > 59 || digits(date, 17, 2) > 59) {
    return Number.NaN;
  }
  const ms = m[2] === undefined ? "" : m[2].slice(0, 4).padEnd(4, "0");
  return Date.parse(`${m[1]}${ms}${m[3]}`);
}

/** Digits at `text[from, from + n)` as a number, or -1 if one is not a digit. */
function digits(text: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `YYYY-MM-DDTHH:MM:SSZ` as epoch ms, or `NaN` when it is not exactly that (or not a real date). */
function wholeSecondsZ(t: string): number {
  if (t[4] !== "-" || t[7] !== "-" || t[10] !== "T" || t[13] !== ":" || t[16] !== ":") {
    return Number.NaN;
  }
  const y = digits(t, 0, 4);
  const mo = digits(t, 5, 2);
  const d = digits(t, 8, 2);
  const h = digits(t, 11, 2);
  const mi = digits(t, 14, 2);
  const se = digits(t, 17, 2);
  // Years below 100 are left to the slow path (Date.UTC would read them as 19xx).
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return Number.NaN;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return Number.NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se);
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
