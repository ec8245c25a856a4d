import { findCalendar } from "./calendar-names.js";
import type { TradingCalendar } from "./trading-calendar.js";

/** What an importer knows of a file when it picks a symbol's calendar. */
export interface CalendarHint {
  /** The file's format: Binance klines are crypto whatever the symbol. */
  readonly format?: string;
}

/** ISO 4217 codes of the currencies spot FX quotes in pairs (majors and the usual crosses). */
const CURRENCIES = new Set(
  (
    "USD EUR GBP JPY CHF AUD NZD CAD SEK NOK DKK HKD SGD MXN ZAR TRY PLN CZK HUF CNH CNY ILS " +
    "INR KRW THB RUB BRL XAU XAG"
  ).split(" "),
);

/** Quote assets crypto venues list pairs against (Binance's symbols end in one of these). */
const CRYPTO_QUOTES = [
  "USDT",
  "USDC",
  "FDUSD",
  "TUSD",
  "BUSD",
  "DAI",
  "BTC",
  "ETH",
  "BNB",
  "SOL",
  "EUR",
  "TRY",
  "BRL",
  "USD",
];

/** Quotes that are fiat currencies: a pair against one is crypto only for a known coin base. */
const FIAT_QUOTES = new Set(["USD", "EUR", "TRY", "BRL"]);

/** Bases that mark a pair as crypto even against a fiat quote (BTCUSD, ETHEUR). */
const CRYPTO_BASES = new Set(
  "BTC ETH BNB SOL XRP ADA DOGE DOT LTC BCH LINK AVAX TRX MATIC XLM ATOM ETC UNI".split(" "),
);

/** Listing suffixes of exchanges with a calendar here (Yahoo and Reuters style: `VOD.L`, `7203.T`). */
const EXCHANGE_SUFFIXES: Readonly<Record<string, string>> = {
  L: "XLON",
  LN: "XLON",
  T: "XTKS",
  JP: "XTKS",
  HK: "XHKG",
};

/**
 * Roots of futures that trade on CME Globex (CME, CBOT, NYMEX, COMEX): currencies, equity
 * indexes, interest rates, energy, metals, grains, livestock, and their micro contracts.
 */
const GLOBEX_ROOTS = new Set(
  (
    "6A 6B 6C 6E 6J 6L 6M 6N 6S 6Z E7 J7 M6A M6B M6E " +
    "ES NQ YM RTY EMD MES MNQ MYM M2K NKD " +
    "ZT ZF ZN TN ZB UB SR3 ZQ " +
    "CL QM MCL NG QG HO RB BZ " +
    "GC MGC SI SIL HG MHG PL PA " +
    "ZC ZS ZW ZL ZM ZO KE LE HE GF"
  ).split(" "),
);

/** What may follow a futures root: a month code and a 1-2 digit year, then a venue. */
const CONTRACT =
  /^([FGHJKMNQUVXZ]\d{1,2})?(=F|\.(?:XCME|CME|GLBX|XCBT|CBOT|XNYM|NYMEX|XCEC|COMEX))?$/;

/**
 * Whether `s` (upper case) names a Globex future: a known root with a contract month
 * (`6EH4`, `ESZ24`), or a venue suffix (`ES=F`, `6EH4.XCME`), or a root that starts with a digit
 * and so cannot be a stock ticker (`6E`). A bare letter root (`ES`, `CL`) is a US stock first.
 */
function isGlobexFuture(s: string): boolean {
  // Longest root first: MESH4 is MES, not ME.
  for (let len = Math.min(3, s.length); len >= 1; len--) {
    const root = s.slice(0, len);
    if (!GLOBEX_ROOTS.has(root)) continue;
    const m = CONTRACT.exec(s.slice(len));
    if (m === null) continue;
    return m[1] !== undefined || m[2] !== undefined || /^[0-9]/.test(root);
  }
  return false;
}

/** The calendar a detection rule names, by its registered name. */
function named(name: string): TradingCalendar | undefined {
  return findCalendar(name);
}

/**
 * The calendar a symbol most likely trades on, or `undefined` when nothing about it says (the
 * caller then uses its default, XNYS for US equities). Rules, first match wins:
 * - a Binance file → `24/7`;
 * - a 6-letter pair of ISO currencies (`GBPUSD`, `EUR/USD`, `EUR_USD`) → `24/5` (spot FX);
 * - a crypto pair (`BTCUSDT`, `ADABTC`, `ETH-USD`, a `-PERP` or `.P` perpetual) → `24/7`;
 * - a plain US ticker (1–5 letters, optionally `.A`/`-B` share classes) → `XNYS`.
 *
 * @example
 * ```ts
 * detectCalendar("ADABTC")?.name;                       // "24/7"
 * detectCalendar("GBPUSD")?.name;                       // "24/5"
 * detectCalendar("AAPL")?.name;                         // "XNYS"
 * detectCalendar("6EH4")?.name;                         // "GLBX"
 * detectCalendar("7203.T")?.name;                       // "XTKS"
 * detectCalendar("ANYTHING", { format: "binance" })?.name; // "24/7"
 * ```
 */
export function detectCalendar(
  symbol: string,
  hint: CalendarHint = {},
): TradingCalendar | undefined {
  if (hint.format === "binance") return named("24/7");
  const s = symbol.trim().toUpperCase();
  const dot = s.lastIndexOf(".");
  if (dot > 0) {
    const exchange = EXCHANGE_SUFFIXES[s.slice(dot + 1)];
    if (exchange !== undefined) return named(exchange);
  }
  if (isGlobexFuture(s)) return named("GLBX");
  const pair = s.replace(/[/_-]/g, "");
  if (
    /^[A-Z]{6}$/.test(pair) &&
    CURRENCIES.has(pair.slice(0, 3)) &&
    CURRENCIES.has(pair.slice(3))
  ) {
    if (!CRYPTO_BASES.has(pair.slice(0, 3))) return named("24/5");
  }
  if (/(-PERP|\.P|PERP)$/.test(s)) return named("24/7");
  if (/^[A-Z0-9]{4,16}$/.test(pair)) {
    for (const quote of CRYPTO_QUOTES) {
      if (pair.length < quote.length + 2 || !pair.endsWith(quote)) continue;
      // Against a fiat quote only a known coin makes a crypto pair (AAPLUSD is no coin).
      if (!FIAT_QUOTES.has(quote) || CRYPTO_BASES.has(pair.slice(0, -quote.length))) {
        return named("24/7");
      }
    }
  }
  if (/^[A-Z]{1,5}([.-][A-Z])?$/.test(s)) return named("XNYS");
  return undefined;
}
