/**
 * Binance spot's wire format for 1-minute klines, as its documentation gives it ("WebSocket
 * Streams for Binance": combined streams and the Kline/Candlestick stream; "Market data
 * endpoints": `GET /api/v3/klines`). One module for both sides: the feed parses it, the fake
 * exchange and the sim feed write it, so they cannot drift apart.
 */
import type { Bar } from "../../domain/bar.js";

/** The `k` object of a kline event. Prices and volumes are decimal strings. */
export interface KlinePayload {
  /** Kline start time (ms): the bar's time. */
  readonly t: number;
  /** Kline close time (ms): `t + 59_999` for 1m. */
  readonly T: number;
  readonly s: string;
  readonly i: string;
  /** First and last trade id. */
  readonly f: number;
  readonly L: number;
  readonly o: string;
  readonly c: string;
  readonly h: string;
  readonly l: string;
  /** Base asset volume. */
  readonly v: string;
  /** Number of trades. */
  readonly n: number;
  /** Is this kline closed? */
  readonly x: boolean;
  /** Quote asset volume, taker buy base volume, taker buy quote volume, ignore. */
  readonly q: string;
  readonly V: string;
  readonly Q: string;
  readonly B: string;
}

/** A kline event (`e: "kline"`) as a raw stream sends it. */
export interface KlineEvent {
  readonly e: "kline";
  /** Event time (ms). */
  readonly E: number;
  readonly s: string;
  readonly k: KlinePayload;
}

/** The name of a symbol's 1-minute kline stream: lower case, `btcusdt@kline_1m`. */
export function klineStream(symbol: string): string {
  return `${symbol.toLowerCase()}@kline_1m`;
}

/** The upper-case symbol of a `…@kline_1m` stream name, or `undefined` for another stream. */
export function symbolOfStream(stream: string): string | undefined {
  const at = stream.indexOf("@kline_1m");
  if (at <= 0 || at + 9 !== stream.length) return undefined;
  return stream.slice(0, at).toUpperCase();
}

/** The kline event of `bar` for `symbol` (closed or still open), at event time `eventTime`. */
export function klineEvent(
  symbol: string,
  bar: Bar,
  closed: boolean,
  eventTime: number,
): KlineEvent {
  const s = symbol.toUpperCase();
  return {
    e: "kline",
    E: eventTime,
    s,
    k: {
      t: bar.time,
      T: bar.time + 59_999,
      s,
      i: "1m",
      f: 100,
      L: 200,
      o: String(bar.open),
      c: String(bar.close),
      h: String(bar.high),
      l: String(bar.low),
      v: String(bar.volume),
      n: 100,
      x: closed,
      q: String(bar.volume * bar.close),
      V: String(bar.volume / 2),
      Q: String((bar.volume / 2) * bar.close),
      B: "0",
    },
  };
}

/** A combined-stream message: `{"stream":"btcusdt@kline_1m","data":{…}}`. */
export function combinedMessage(
  symbol: string,
  bar: Bar,
  closed: boolean,
  eventTime: number,
): string {
  return JSON.stringify({
    stream: klineStream(symbol),
    data: klineEvent(symbol, bar, closed, eventTime),
  });
}

/**
 * One row of `GET /api/v3/klines`: `[open time, open, high, low, close, volume, close time,
 * quote asset volume, number of trades, taker buy base volume, taker buy quote volume, ignore]`.
 */
export type KlineRow = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

/** The REST row of `bar`. */
export function klineRow(bar: Bar): KlineRow {
  return [
    bar.time,
    String(bar.open),
    String(bar.high),
    String(bar.low),
    String(bar.close),
    String(bar.volume),
    bar.time + 59_999,
    String(bar.volume * bar.close),
    100,
    String(bar.volume / 2),
    String((bar.volume / 2) * bar.close),
    "0",
  ];
}

/**
 * The bar of a kline (`k` of an event, fields `t o h l c v`), or `undefined` when a field is
 * missing or not of its type. Validity (`high >= low`, finite) is the caller's check.
 */
export function barOfKline(k: Record<string, unknown>): Bar | undefined {
  const t = k.t;
  if (typeof t !== "number") return undefined;
  const { o, h, l, c, v } = k;
  if (typeof o !== "string" || typeof h !== "string" || typeof l !== "string") return undefined;
  if (typeof c !== "string" || typeof v !== "string") return undefined;
  return {
    time: t,
    open: Number(o),
    high: Number(h),
    low: Number(l),
    close: Number(c),
    volume: Number(v),
  };
}

/** The bar of a REST row, or `undefined` when the row is not a kline row. */
export function barOfRow(row: unknown): Bar | undefined {
  if (!Array.isArray(row) || row.length < 6 || typeof row[0] !== "number") return undefined;
  const [t, o, h, l, c, v] = row as unknown[];
  if ([o, h, l, c, v].some((x) => typeof x !== "string")) return undefined;
  return {
    time: t as number,
    open: Number(o),
    high: Number(h),
    low: Number(l),
    close: Number(c),
    volume: Number(v),
  };
}
