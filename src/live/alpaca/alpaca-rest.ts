import { type Bar, barProblem, MINUTE_MS } from "../../domain/bar.js";
import { SourceError } from "../../domain/errors.js";
import type { WallClock } from "../../domain/wall-clock.js";
import type { BarSource } from "../../history/bar-store.js";
import { LiveFeedError } from "../feed-errors.js";
import type { ReconnectBackoff } from "../reconnect-backoff.js";
import { type RestRetryPolicy, restBackoffDelay, withRestRetries } from "../rest-retry.js";
import { AlpacaError } from "./alpaca-errors.js";
import { barOfWire, rfc3339 } from "./alpaca-format.js";

/** The most bars one `GET /v2/stocks/bars` returns (Alpaca's maximum `limit`). */
export const BARS_PAGE_LIMIT = 10_000;

/** Symbols per request: keeps the URL short (Alpaca takes a comma-separated list). */
export const SYMBOLS_PER_REQUEST = 100;

/** Options of {@link AlpacaBarsRest}. */
export interface AlpacaBarsRestOptions {
  /** `https://data.alpaca.markets` or a fake's address; no trailing slash needed. */
  readonly restUrl: string;
  readonly keyId: string;
  readonly secretKey: string;
  /** The `feed` parameter: `iex` or `sip` (omitted for the `test` stream). */
  readonly feed?: string;
  readonly clock: WallClock;
  /** Requests per page in all, the first included (default 6). */
  readonly attempts?: number;
  /** Backoff between failed attempts (5xx, network): default 500 ms doubling to 10 s. */
  readonly backoff?: ReconnectBackoff;
  readonly random?: () => number;
  /** Bars per page (default and maximum 10,000). */
  readonly pageLimit?: number;
  /** Told of every failed request and every invalid bar (they are retried or skipped). */
  readonly onFault?: (error: LiveFeedError) => void;
  /** The feed name errors carry (default `"alpaca"`). */
  readonly name?: string;
  /** `fetch` to use (default the global one). */
  readonly fetch?: typeof fetch;
}

const DEFAULT_BACKOFF: ReconnectBackoff = { initialMs: 500, maxMs: 10_000 };

/** The longest a 429 is waited out (ms), whatever the reset header says. */
const MAX_RATE_WAIT_MS = 60_000;

/**
 * Alpaca's historical stock bars as a {@link BarSource}: `GET /v2/stocks/bars?symbols&
 * timeframe=1Min&start&end&limit&feed&adjustment=raw&sort=asc`, paginated over
 * `next_page_token` (the answer is sorted by symbol, then time, so one symbol may fill several
 * pages before the next begins). Many symbols go in one request ({@link readBarsMulti}), which
 * is how a feed backfills a thousand symbols after a reconnect. `start` and `end` are inclusive
 * at Alpaca: a `[from, to)` range asks up to `to - 1 min`. Only closed minutes are asked for.
 *
 * A 429 waits until `X-RateLimit-Reset` (epoch seconds) or `Retry-After`; a 5xx or a network
 * failure backs off; a 401/403 (bad keys) or another 4xx fails at once (`SourceError`, not
 * retryable). Keys go in the `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY` headers and never into a
 * URL, a log or an error message.
 *
 * @example
 * ```ts
 * const rest = new AlpacaBarsRest({ restUrl: "https://data.alpaca.markets", keyId, secretKey,
 *   feed: "iex", clock: systemClock });
 * const bars = await rest.readBars("AAPL", Date.UTC(2024, 0, 2, 14, 30), Date.UTC(2024, 0, 2, 21));
 * ```
 */
export class AlpacaBarsRest implements BarSource {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #feed: string | undefined;
  readonly #clock: WallClock;
  readonly #retry: RestRetryPolicy;
  readonly #pageLimit: number;
  readonly #onFault: (error: LiveFeedError) => void;
  readonly #name: string;
  readonly #fetch: typeof fetch;

  constructor(options: AlpacaBarsRestOptions) {
    this.#base = options.restUrl.replace(/\/+$/, "");
    this.#headers = {
      "APCA-API-KEY-ID": options.keyId,
      "APCA-API-SECRET-KEY": options.secretKey,
      accept: "application/json",
    };
    this.#feed = options.feed === "test" ? undefined : options.feed;
    this.#clock = options.clock;
    this.#pageLimit = Math.min(BARS_PAGE_LIMIT, Math.max(1, options.pageLimit ?? BARS_PAGE_LIMIT));
    this.#onFault = options.onFault ?? (() => undefined);
    this.#name = options.name ?? "alpaca";
    this.#retry = {
      attempts: options.attempts ?? 6,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
      clock: options.clock,
      name: this.#name,
      onFault: this.#onFault,
    };
    this.#fetch = options.fetch ?? fetch;
  }

  /** Closed bars of `symbol` with `from <= time < to`, in time order. */
  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    const s = symbol.toUpperCase();
    return (await this.readBarsMulti([s], from, to)).get(s) ?? [];
  }

  /**
   * Closed bars of each symbol with `from <= time < to`, in time order: a map with an entry
   * (maybe empty) for every symbol asked, upper case. Requests carry up to
   * {@link SYMBOLS_PER_REQUEST} symbols each, one after the other (Alpaca counts requests per
   * minute, so parallel ones would only meet its 429 sooner).
   */
  async readBarsMulti(
    symbols: readonly string[],
    from: number,
    to: number,
  ): Promise<Map<string, Bar[]>> {
    const out = new Map<string, Bar[]>();
    // Sorted: the same set asks the same requests (Alpaca answers symbol by symbol anyway).
    const wanted = [...new Set(symbols.map((s) => s.toUpperCase()))].sort();
    for (const s of wanted) out.set(s, []);
    // A minute still in progress is not a bar yet.
    const closedEnd = Math.floor(this.#clock.now() / MINUTE_MS) * MINUTE_MS;
    const end = Math.min(to, closedEnd);
    const start = Math.ceil(from / MINUTE_MS) * MINUTE_MS;
    if (start >= end || wanted.length === 0) return out;
    for (let i = 0; i < wanted.length; i += SYMBOLS_PER_REQUEST) {
      const batch = wanted.slice(i, i + SYMBOLS_PER_REQUEST);
      let token: string | undefined;
      const seenTokens = new Set<string>();
      do {
        const page = await this.#page(batch, start, end, token);
        this.#collect(page.bars, start, end, out);
        token = page.next;
        // A token seen before would loop for ever: a broken server, not more data.
        if (token !== undefined && seenTokens.has(token)) break;
        if (token !== undefined) seenTokens.add(token);
      } while (token !== undefined);
    }
    return out;
  }

  #collect(
    bars: Record<string, unknown>,
    start: number,
    end: number,
    out: Map<string, Bar[]>,
  ): void {
    for (const [symbol, rows] of Object.entries(bars)) {
      const list = out.get(symbol.toUpperCase());
      if (list === undefined || !Array.isArray(rows)) continue;
      for (const row of rows as unknown[]) {
        const bar =
          row !== null && typeof row === "object"
            ? barOfWire(row as Record<string, unknown>)
            : undefined;
        if (bar === undefined) {
          this.#onFault(
            new LiveFeedError(
              this.#name,
              "malformed",
              `bars row ${JSON.stringify(row)} for ${symbol}`,
              {
                symbol,
              },
            ),
          );
          continue;
        }
        const problem = barProblem(bar);
        if (problem !== undefined) {
          this.#onFault(
            new LiveFeedError(
              this.#name,
              "invalid-bar",
              `backfill bar of ${symbol} at ${JSON.stringify((row as { t?: unknown }).t)}: ${problem.field} ${problem.reason}`,
              { symbol },
            ),
          );
          continue;
        }
        if (bar.time < start || bar.time >= end) continue;
        const last = list.at(-1);
        if (last === undefined || bar.time > last.time) list.push(bar);
        else if (bar.time < last.time) {
          // Alpaca promises ascending order; keep the result sorted if a page breaks that.
          const at = list.findIndex((b) => b.time >= bar.time);
          if (list[at]!.time !== bar.time) list.splice(at, 0, bar);
        }
      }
    }
  }

  async #page(
    symbols: readonly string[],
    start: number,
    end: number,
    token: string | undefined,
  ): Promise<{ bars: Record<string, unknown>; next: string | undefined }> {
    const q = new URLSearchParams({
      symbols: symbols.join(","),
      timeframe: "1Min",
      start: rfc3339(start),
      // Inclusive at Alpaca: the last minute wanted.
      end: rfc3339(end - MINUTE_MS),
      limit: String(this.#pageLimit),
      adjustment: "raw",
      sort: "asc",
    });
    if (this.#feed !== undefined) q.set("feed", this.#feed);
    if (token !== undefined) q.set("page_token", token);
    const url = `${this.#base}/v2/stocks/bars?${q}`;
    const what = `GET /v2/stocks/bars ${symbols.length === 1 ? symbols[0] : `(${symbols.length} symbols)`} from ${rfc3339(start)}`;
    const label = {
      what,
      giveUpWhat: what,
      ...(symbols.length === 1 ? { symbol: symbols[0]! } : {}),
    };
    return withRestRetries(this.#retry, label, async (attempt) => {
      const res = await this.#fetch(url, { headers: this.#headers });
      if (res.ok) {
        const body = (await res.json()) as { bars?: unknown; next_page_token?: unknown };
        const bars = body?.bars;
        if (bars !== null && bars !== undefined && typeof bars !== "object") {
          throw new SourceError(
            `${what}: "bars" is not an object: ${JSON.stringify(bars).slice(0, 120)}`,
            {
              retryable: false,
            },
          );
        }
        const next = body.next_page_token;
        return {
          ok: true,
          value: {
            bars: (bars ?? {}) as Record<string, unknown>,
            next: typeof next === "string" && next !== "" ? next : undefined,
          },
        };
      }
      const text = (await res.text()).slice(0, 200);
      const why = `HTTP ${res.status} ${text}`;
      if (res.status === 429) {
        const waitMs = this.#rateWait(res.headers, attempt);
        return { ok: false, why: `${why} (rate limited; waiting ${waitMs} ms)`, waitMs };
      }
      if (res.status >= 500)
        return { ok: false, why, waitMs: restBackoffDelay(this.#retry, attempt) };
      throw new SourceError(`${what}: ${why}`, {
        retryable: false,
        cause: new AlpacaError(this.#name, res.status, text),
      });
    });
  }

  /** How long a 429 waits: to `X-RateLimit-Reset` (epoch s), else `Retry-After` (s), else backoff. */
  #rateWait(headers: Headers, attempt: number): number {
    const reset = Number(headers.get("x-ratelimit-reset"));
    if (headers.has("x-ratelimit-reset") && Number.isFinite(reset)) {
      return Math.min(MAX_RATE_WAIT_MS, Math.max(0, reset * 1000 - this.#clock.now()));
    }
    const after = Number(headers.get("retry-after"));
    if (headers.has("retry-after") && Number.isFinite(after) && after >= 0) {
      return Math.min(MAX_RATE_WAIT_MS, after * 1000);
    }
    return restBackoffDelay(this.#retry, attempt);
  }
}
