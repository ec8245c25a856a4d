import { type Bar, barProblem, MINUTE_MS } from "../../domain/bar.js";
import { SourceError } from "../../domain/errors.js";
import type { WallClock } from "../../domain/wall-clock.js";
import type { BarSource } from "../../history/bar-store.js";
import { LiveFeedError } from "../feed-errors.js";
import type { ReconnectBackoff } from "../reconnect-backoff.js";
import { type RestRetryPolicy, restBackoffDelay, withRestRetries } from "../rest-retry.js";
import { barOfRow } from "./binance-format.js";

/** The most klines one `GET /api/v3/klines` returns (Binance's maximum `limit`). */
export const KLINES_PAGE_LIMIT = 1000;

/** Options of {@link BinanceKlineRest}. */
export interface BinanceKlineRestOptions {
  /** `https://api.binance.com` or a fake's address; no trailing slash needed. */
  readonly restUrl: string;
  readonly clock: WallClock;
  /** Requests per page in all, the first included (default 6). */
  readonly attempts?: number;
  /** Backoff between failed attempts of a page (5xx, network): default 500 ms doubling to 10 s. */
  readonly backoff?: ReconnectBackoff;
  readonly random?: () => number;
  /** Told of every failed request and every invalid row (they are retried or skipped). */
  readonly onFault?: (error: LiveFeedError) => void;
  /** The feed name errors carry (default `"binance"`). */
  readonly name?: string;
  /** `fetch` to use (default the global one). */
  readonly fetch?: typeof fetch;
}

const DEFAULT_BACKOFF: ReconnectBackoff = { initialMs: 500, maxMs: 10_000 };

/**
 * Binance's kline history as a {@link BarSource}: `GET /api/v3/klines?symbol&interval=1m&
 * startTime&endTime&limit=1000`, paginated (a full page means more may follow: the next starts a
 * minute after its last kline), only closed klines, invalid rows skipped and reported. A 429 or
 * 418 waits the `Retry-After` seconds it names (Binance's rate-limit and IP-ban answers: asking
 * sooner extends a ban); a 5xx or a network failure backs off; other 4xx fail at once
 * (`SourceError`, not retryable), as asking again cannot help.
 *
 * @example
 * ```ts
 * const rest = new BinanceKlineRest({ restUrl: "https://api.binance.com", clock: systemClock });
 * const bars = await rest.readBars("BTCUSDT", Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3));
 * ```
 */
export class BinanceKlineRest implements BarSource {
  readonly #base: string;
  readonly #clock: WallClock;
  readonly #retry: RestRetryPolicy;
  readonly #onFault: (error: LiveFeedError) => void;
  readonly #name: string;
  readonly #fetch: typeof fetch;

  constructor(options: BinanceKlineRestOptions) {
    this.#base = options.restUrl.replace(/\/+$/, "");
    this.#clock = options.clock;
    this.#onFault = options.onFault ?? (() => undefined);
    this.#name = options.name ?? "binance";
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

  /** Closed klines of `symbol` with `from <= time < to`, in time order. */
  async readBars(symbol: string, from: number, to: number): Promise<Bar[]> {
    const s = symbol.toUpperCase();
    // A kline still open is not a bar yet: stop at the minute in progress.
    const closedEnd = Math.floor(this.#clock.now() / MINUTE_MS) * MINUTE_MS;
    const end = Math.min(to, closedEnd);
    const out: Bar[] = [];
    let start = Math.ceil(from / MINUTE_MS) * MINUTE_MS;
    while (start < end) {
      const rows = await this.#page(s, start, end - 1);
      let last = Number.NaN;
      for (const row of rows) {
        const bar = barOfRow(row);
        if (bar === undefined) {
          this.#onFault(
            new LiveFeedError(
              this.#name,
              "malformed",
              `klines row ${JSON.stringify(row)} for ${s}`,
              {
                symbol: s,
              },
            ),
          );
          continue;
        }
        last = bar.time;
        const problem = barProblem(bar);
        if (problem !== undefined) {
          this.#onFault(
            new LiveFeedError(
              this.#name,
              "invalid-bar",
              `backfill kline of ${s} at ${new Date(bar.time).toISOString()}: ${problem.field} ${problem.reason}`,
              { symbol: s },
            ),
          );
          continue;
        }
        if (
          bar.time >= start &&
          bar.time < end &&
          (out.length === 0 || bar.time > out.at(-1)!.time)
        )
          out.push(bar);
      }
      if (rows.length < KLINES_PAGE_LIMIT || !Number.isFinite(last) || last + MINUTE_MS <= start)
        break;
      start = last + MINUTE_MS;
    }
    return out;
  }

  async #page(symbol: string, startTime: number, endTime: number): Promise<unknown[]> {
    const url = `${this.#base}/api/v3/klines?symbol=${encodeURIComponent(symbol)}&interval=1m&startTime=${startTime}&endTime=${endTime}&limit=${KLINES_PAGE_LIMIT}`;
    const label = {
      what: `GET /api/v3/klines ${symbol} ${new Date(startTime).toISOString()}`,
      giveUpWhat: `GET ${url}`,
      symbol,
    };
    return withRestRetries(this.#retry, label, async (attempt) => {
      const res = await this.#fetch(url);
      if (res.ok) {
        const body: unknown = await res.json();
        if (!Array.isArray(body)) {
          throw new SourceError(
            `${url}: expected an array of klines, got ${JSON.stringify(body).slice(0, 120)}`,
            {
              retryable: false,
            },
          );
        }
        return { ok: true, value: body };
      }
      const text = await res.text();
      const why = `HTTP ${res.status} ${text.slice(0, 200)}`;
      if (res.status === 429 || res.status === 418) {
        // An absent header is no "retry now": Number(null) is 0, so look at the header first.
        const header = res.headers.get("retry-after");
        const seconds = header === null ? Number.NaN : Number(header);
        const waitMs =
          Number.isFinite(seconds) && seconds >= 0
            ? seconds * 1000
            : restBackoffDelay(this.#retry, attempt);
        return {
          ok: false,
          why: `${why} (Retry-After ${res.headers.get("retry-after") ?? "absent"})`,
          waitMs,
        };
      }
      if (res.status >= 500)
        return { ok: false, why, waitMs: restBackoffDelay(this.#retry, attempt) };
      throw new SourceError(`GET ${url}: ${why}`, { retryable: false });
    });
  }
}
