import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.js";
import type { Bar } from "../../domain/bar.js";
import { SourceError } from "../../domain/errors.js";
import type { LiveFeedError } from "../feed-errors.js";
import { AlpacaBarsRest } from "./alpaca-rest.js";
import { FakeAlpaca } from "./fake-alpaca.js";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 2, 15, 0);

const bar = (minute: number, base = 100): Bar => ({
  time: T0 + minute * MIN,
  open: base + minute,
  high: base + minute + 2,
  low: base + minute - 1,
  close: base + minute + 1,
  volume: 10 + minute,
});

describe("AlpacaBarsRest on FakeAlpaca's GET /v2/stocks/bars", () => {
  let clock: FakeClock;
  let exchange: FakeAlpaca;
  let faults: LiveFeedError[];

  const rest = (options: { pageLimit?: number; secretKey?: string; attempts?: number } = {}) =>
    new AlpacaBarsRest({
      restUrl: exchange.restUrl,
      keyId: exchange.keyId,
      secretKey: options.secretKey ?? exchange.secretKey,
      feed: "iex",
      clock,
      random: () => 0.5,
      pageLimit: options.pageLimit,
      attempts: options.attempts,
      onFault: (e) => faults.push(e),
    });

  beforeEach(async () => {
    clock = new FakeClock(T0 + 30 * MIN);
    exchange = new FakeAlpaca({ clock, symbols: ["AAPL", "MSFT", "SPY"] });
    await exchange.start();
    faults = [];
    for (let m = 0; m < 10; m++) {
      exchange.emitBar("AAPL", bar(m));
      exchange.emitBar("MSFT", bar(m, 200));
    }
  });

  afterEach(() => exchange.stop());

  it("reads [from, to) exactly, with Alpaca's inclusive end asked as to - 1 min", async () => {
    const bars = await rest().readBars("aapl", bar(2).time, bar(5).time);
    expect(bars, "minutes 2, 3, 4: the bar at `to` is excluded").toEqual([bar(2), bar(3), bar(4)]);
    const url = new URL(exchange.restLog[0]!.url, "http://x");
    expect(url.searchParams.get("timeframe")).toBe("1Min");
    expect(url.searchParams.get("start")).toBe("2024-01-02T15:02:00Z");
    expect(url.searchParams.get("end"), "inclusive end: the last minute wanted").toBe(
      "2024-01-02T15:04:00Z",
    );
    expect(url.searchParams.get("feed")).toBe("iex");
    expect(url.searchParams.get("adjustment")).toBe("raw");
  });

  it("follows next_page_token across pages and symbols, many symbols in one request", async () => {
    const got = await rest({ pageLimit: 3 }).readBarsMulti(
      ["MSFT", "AAPL", "SPY"],
      T0,
      T0 + 10 * MIN,
    );
    expect(got.get("AAPL"), "every AAPL bar, in order").toEqual(
      Array.from({ length: 10 }, (_, m) => bar(m)),
    );
    expect(got.get("MSFT")).toEqual(Array.from({ length: 10 }, (_, m) => bar(m, 200)));
    expect(got.get("SPY"), "a symbol without bars has an empty entry").toEqual([]);
    expect(exchange.restRequests, "20 bars at 3 a page: 7 pages").toBe(7);
    const first = new URL(exchange.restLog[0]!.url, "http://x");
    expect(first.searchParams.get("symbols"), "one request carries every symbol").toBe(
      "AAPL,MSFT,SPY",
    );
    const later = new URL(exchange.restLog[1]!.url, "http://x");
    expect(later.searchParams.get("page_token"), "the next page asks with the token").not.toBe(
      null,
    );
  });

  it("asks only for closed minutes", async () => {
    clock = new FakeClock(T0 + 5 * MIN + 30_000);
    const bars = await rest().readBars("AAPL", T0, T0 + 60 * MIN);
    expect(
      bars.map((b) => (b.time - T0) / MIN),
      "minute 5 is still in progress",
    ).toEqual([0, 1, 2, 3, 4]);
  });

  it("sends the keys as headers, never in the URL", async () => {
    await rest().readBars("AAPL", T0, T0 + 2 * MIN);
    const { url, headers } = exchange.restLog[0]!;
    expect(headers["apca-api-key-id"]).toBe(exchange.keyId);
    expect(headers["apca-api-secret-key"]).toBe(exchange.secretKey);
    expect(url.includes(exchange.keyId) || url.includes(exchange.secretKey), url).toBe(false);
  });

  it("retries 500 with backoff and waits out a 429 until X-RateLimit-Reset, then reads", async () => {
    exchange.scriptRest([500, 429]);
    const start = clock.now();
    const bars = await clock.run(rest().readBars("AAPL", T0, T0 + 3 * MIN));
    expect(bars).toEqual([bar(0), bar(1), bar(2)]);
    expect(exchange.restRequests, "500, 429, data").toBe(3);
    expect(
      faults.map((f) => f.kind),
      "each failure reported",
    ).toEqual(["backfill", "backfill"]);
    expect(faults[1]!.message, "the 429 says how long it waits").toMatch(/rate limited; waiting/);
    expect(clock.now() - start, "backoff (250..500 ms) plus the wait to the reset").toBeLessThan(
      2_000,
    );
  });

  it("fails at once, not retryable, on bad keys (403), and the message quotes no secret", async () => {
    const error = await rest({ secretKey: "WRONG-SECRET-123" })
      .readBars("AAPL", T0, T0 + 2 * MIN)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/HTTP 403/);
    expect((error as Error).message).not.toContain("WRONG-SECRET-123");
    expect(exchange.restRequests, "asked once").toBe(1);
  });

  it("gives up after its attempts with a retryable SourceError", async () => {
    exchange.scriptRest([500, 502, 503]);
    const error = await clock
      .run(rest({ attempts: 3 }).readBars("AAPL", T0, T0 + 2 * MIN))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/gave up after 3 attempts/);
  });
});
