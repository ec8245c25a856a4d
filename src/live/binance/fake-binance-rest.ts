import type { IncomingMessage, ServerResponse } from "node:http";
import type { Bar } from "../../domain/bar.js";
import { klineRow } from "./binance-format.js";

/** What {@link FakeBinanceRest} needs from the exchange it belongs to. */
export interface FakeBinanceRestOptions {
  /** Listed symbols (others answer `-1121 Invalid symbol.`); every symbol when undefined. */
  readonly listed: ReadonlySet<string> | undefined;
  /** The exchange's closed bars of a symbol, in time order. */
  readonly truth: (symbol: string) => Bar[];
}

/**
 * The fake's `GET /api/v3/klines`, as Binance's documentation describes it: `symbol`,
 * `interval=1m`, `startTime` / `endTime` (ms, inclusive), `limit` (1 to 1,000, default 500);
 * without `startTime` the most recent klines. Scripted statuses answer first: 429 and 418 with
 * `Retry-After: 1`, others Binance's `-1000` body.
 */
export class FakeBinanceRest {
  readonly #o: FakeBinanceRestOptions;
  #script: number[] = [];
  #requests = 0;

  constructor(options: FakeBinanceRestOptions) {
    this.#o = options;
  }

  /** Kline requests answered so far (scripted failures included). */
  get requests(): number {
    return this.#requests;
  }

  /** The status codes the next requests answer with, in order, before data. */
  script(statuses: readonly number[]): void {
    this.#script.push(...statuses);
  }

  /** Answers one REST request. */
  answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== "/api/v3/klines") {
      send(404, { code: -1000, msg: "Unknown endpoint" });
      return;
    }
    this.#requests++;
    const scripted = this.#script.shift();
    if (scripted !== undefined) {
      if (scripted === 429 || scripted === 418) {
        send(
          scripted,
          {
            code: -1003,
            msg: "Too many requests; current limit is 6000 request weight per 1 MINUTE.",
          },
          { "retry-after": "1" },
        );
      } else {
        send(scripted, {
          code: -1000,
          msg: "An unknown error occured while processing the request.",
        });
      }
      return;
    }
    const q = url.searchParams;
    const symbol = q.get("symbol");
    if (symbol === null) {
      send(400, {
        code: -1102,
        msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      });
      return;
    }
    if (this.#o.listed !== undefined && !this.#o.listed.has(symbol)) {
      send(400, { code: -1121, msg: "Invalid symbol." });
      return;
    }
    if (q.get("interval") !== "1m") {
      send(400, { code: -1120, msg: "Invalid interval." });
      return;
    }
    const limit = Number(q.get("limit") ?? 500);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      send(400, { code: -1130, msg: "Data sent for parameter 'limit' is not valid." });
      return;
    }
    const start = q.has("startTime") ? Number(q.get("startTime")) : undefined;
    const end = q.has("endTime") ? Number(q.get("endTime")) : undefined;
    const bars = this.#o
      .truth(symbol)
      .filter(
        (b) => (start === undefined || b.time >= start) && (end === undefined || b.time <= end),
      );
    // Without startTime Binance returns the most recent klines; with it, the first from there.
    const page = start === undefined ? bars.slice(-limit) : bars.slice(0, limit);
    send(200, page.map(klineRow));
  }
}
