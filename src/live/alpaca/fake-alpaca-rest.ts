import type { IncomingMessage, ServerResponse } from "node:http";
import { type Bar, MINUTE_MS } from "../../domain/bar.js";
import type { WallClock } from "../../domain/wall-clock.js";
import { parseRfc3339, wireOfBar } from "./alpaca-format.js";

/** What {@link FakeAlpacaRest} needs from the exchange it belongs to. */
export interface FakeAlpacaRestOptions {
  readonly clock: WallClock;
  readonly keyId: string;
  readonly secretKey: string;
  /** Listed symbols (others have no bars); every symbol when undefined. */
  readonly listed: ReadonlySet<string> | undefined;
  /** The exchange's closed bars of a symbol, in time order. */
  readonly truth: (symbol: string) => Bar[];
}

interface Logged {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The fake's `GET /v2/stocks/bars`, as Alpaca's documentation describes it: `symbols` (comma
 * separated), `timeframe=1Min`, `start` and `end` (RFC 3339, both inclusive), `limit` (1 to
 * 10,000 bars per page over all symbols, default 1,000), `page_token` from the previous
 * answer's `next_page_token`; bars sorted by symbol, then time; keys in the
 * `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY` headers (403 otherwise). Scripted statuses answer
 * first: 429 carries `X-RateLimit-Limit/Remaining/Reset` (reset: epoch seconds, a second ahead on
 * the clock), 5xx Alpaca's `{"message": …}` body.
 */
export class FakeAlpacaRest {
  readonly requests: Logged[] = [];
  readonly #o: FakeAlpacaRestOptions;
  #script: number[] = [];

  constructor(options: FakeAlpacaRestOptions) {
    this.#o = options;
  }

  /** The status codes the next requests answer with, in order, before data. */
  script(statuses: readonly number[]): void {
    this.#script.push(...statuses);
  }

  answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== "/v2/stocks/bars" || req.method !== "GET") {
      send(404, { message: "Not Found" });
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    this.requests.push({ url: req.url ?? "", headers });
    const scripted = this.#script.shift();
    if (scripted !== undefined) {
      if (scripted === 429) {
        send(
          429,
          { message: "too many requests." },
          {
            "x-ratelimit-limit": "200",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": String(Math.floor(this.#o.clock.now() / 1000) + 1),
          },
        );
      } else {
        send(scripted, { message: scripted >= 500 ? "internal server error" : "error" });
      }
      return;
    }
    if (
      headers["apca-api-key-id"] !== this.#o.keyId ||
      headers["apca-api-secret-key"] !== this.#o.secretKey
    ) {
      send(403, { message: "forbidden." });
      return;
    }
    const q = url.searchParams;
    const symbols = (q.get("symbols") ?? "")
      .split(",")
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== "");
    if (symbols.length === 0) {
      send(400, { message: "missing symbols" });
      return;
    }
    if (q.get("timeframe") !== "1Min") {
      send(422, {
        message: `invalid timeframe ${JSON.stringify(q.get("timeframe"))} (this fake serves 1Min)`,
      });
      return;
    }
    const limit = Number(q.get("limit") ?? 1000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      send(422, { message: "invalid limit: must be between 1 and 10000" });
      return;
    }
    const start = q.has("start") ? parseRfc3339(q.get("start")!) : Number.NEGATIVE_INFINITY;
    // Without `end`, Alpaca answers up to now (15 minutes ago for a free plan's SIP; not modelled).
    const end = q.has("end") ? parseRfc3339(q.get("end")!) : this.#o.clock.now();
    if (Number.isNaN(start) || Number.isNaN(end)) {
      send(422, { message: "invalid start or end: RFC 3339 expected" });
      return;
    }
    // The token is opaque to clients; here: the symbol and time the next page starts at.
    let from: { s: string; t: number } | undefined;
    const token = q.get("page_token");
    if (token !== null) {
      try {
        from = JSON.parse(Buffer.from(token, "base64url").toString());
      } catch {
        send(422, { message: "invalid page_token" });
        return;
      }
    }
    const sorted = [...new Set(symbols)].sort();
    const bars: Record<string, ReturnType<typeof wireOfBar>[]> = {};
    let count = 0;
    let next: string | null = null;
    outer: for (const s of sorted) {
      if (from !== undefined && s < from.s) continue;
      if (this.#o.listed !== undefined && !this.#o.listed.has(s)) continue;
      for (const bar of this.#o.truth(s)) {
        if (bar.time < start || bar.time > end) continue;
        // Only closed minutes are history.
        if (bar.time + MINUTE_MS > this.#o.clock.now()) continue;
        if (from !== undefined && s === from.s && bar.time < from.t) continue;
        if (count === limit) {
          next = Buffer.from(JSON.stringify({ s, t: bar.time })).toString("base64url");
          break outer;
        }
        (bars[s] ??= []).push(wireOfBar(bar));
        count++;
      }
    }
    send(200, { bars, next_page_token: next });
  }
}
