import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.js";
import { BinanceKlineRest } from "./binance-rest.js";

const T0 = Date.UTC(2024, 0, 2, 10);
const MIN = 60_000;
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A klines endpoint that answers 429 without a Retry-After header, then one kline. */
async function rateLimitedServer(): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    if (n === 1) {
      res.writeHead(429, { "content-type": "application/json" });
      res.end('{"code":-1003,"msg":"Too many requests"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify([[T0, "1.0", "2.0", "0.5", "1.5", "10", T0 + MIN - 1, "0", 1, "0", "0", "0"]]),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n };
}

describe("BinanceKlineRest", () => {
  it("backs off on a 429 without Retry-After instead of asking again at once", async () => {
    const { url, requests } = await rateLimitedServer();
    const clock = new FakeClock(T0 + 10 * MIN);
    const rest = new BinanceKlineRest({ restUrl: url, clock, random: () => 0.5 });
    let done = false;
    const read = rest.readBars("BTCUSDT", T0, T0 + MIN).then((bars) => {
      done = true;
      return bars;
    });
    for (let i = 0; i < 50 && requests() < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(requests(), "one request so far").toBe(1);
    expect(done, "no immediate retry: the backoff waits on the clock").toBe(false);
    await clock.advance(10_000);
    const bars = await read;
    expect(bars.map((b) => b.time)).toEqual([T0]);
    expect(requests()).toBe(2);
  });
});
