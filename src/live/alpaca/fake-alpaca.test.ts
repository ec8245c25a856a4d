import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { FakeClock } from "../../../test/fake-clock.js";
import { eventually } from "../live-feed.contract.js";
import { FakeAlpaca } from "./fake-alpaca.js";

/** A bare client that keeps every message (parsed) the server sent. */
async function client(url: string): Promise<{ ws: WebSocket; got: unknown[][] }> {
  const ws = new WebSocket(url);
  const got: unknown[][] = [];
  ws.on("message", (data) => got.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  await eventually(() => got.length >= 1, "the connected message");
  return { ws, got };
}

describe("FakeAlpaca speaks Alpaca's stream protocol", () => {
  let clock: FakeClock;
  let exchange: FakeAlpaca;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    clock = new FakeClock(Date.UTC(2024, 0, 2, 15));
    exchange = new FakeAlpaca({ clock, symbolLimit: 2 });
    await exchange.start();
  });

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await exchange.stop();
  });

  const open = async (feed = "iex") => {
    const c = await client(`${exchange.wsUrl}/v2/${feed}`);
    sockets.push(c.ws);
    return c;
  };
  const auth = { action: "auth", key: "FAKEKEYID", secret: "FAKESECRET" };

  it("greets, authenticates, subscribes and answers errors in Alpaca's words", async () => {
    const { ws, got } = await open();
    expect(got[0]).toEqual([{ T: "success", msg: "connected" }]);
    ws.send(JSON.stringify({ action: "subscribe", bars: ["AAPL"] }));
    await eventually(() => got.length === 2, "401");
    expect(got[1]).toEqual([{ T: "error", code: 401, msg: "not authenticated" }]);
    ws.send(JSON.stringify(auth));
    await eventually(() => got.length === 3, "authenticated");
    expect(got[2]).toEqual([{ T: "success", msg: "authenticated" }]);
    ws.send(JSON.stringify(auth));
    await eventually(() => got.length === 4, "403");
    expect(got[3]).toEqual([{ T: "error", code: 403, msg: "already authenticated" }]);
    ws.send("{nope");
    await eventually(() => got.length === 5, "400");
    expect(got[4]).toEqual([{ T: "error", code: 400, msg: "invalid syntax" }]);
    ws.send(JSON.stringify({ action: "subscribe", bars: ["AAPL", "MSFT"], updatedBars: ["AAPL"] }));
    await eventually(() => got.length === 6, "subscription");
    expect(got[5]).toEqual([
      {
        T: "subscription",
        trades: [],
        quotes: [],
        bars: ["AAPL", "MSFT"],
        updatedBars: ["AAPL"],
        dailyBars: [],
        statuses: [],
        lulds: [],
        corrections: [],
        cancelErrors: [],
      },
    ]);
    ws.send(JSON.stringify({ action: "subscribe", bars: ["SPY"] }));
    await eventually(() => got.length === 7, "405");
    expect(got[6]).toEqual([{ T: "error", code: 405, msg: "symbol limit exceeded" }]);
    exchange.batch(() => {
      exchange.emitBar("AAPL", {
        time: Date.UTC(2024, 0, 2, 14, 59),
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        volume: 300,
      });
      exchange.emitBar("MSFT", {
        time: Date.UTC(2024, 0, 2, 14, 59),
        open: 3,
        high: 4,
        low: 2.5,
        close: 3.5,
        volume: 100,
      });
    });
    await eventually(() => got.length === 8, "one batched frame");
    expect(got[7], "both bars in one array, t the minute's start").toEqual([
      {
        T: "b",
        S: "AAPL",
        o: 1,
        h: 2,
        l: 0.5,
        c: 1.5,
        v: 300,
        t: "2024-01-02T14:59:00Z",
        n: 3,
        vw: 1.3333,
      },
      {
        T: "b",
        S: "MSFT",
        o: 3,
        h: 4,
        l: 2.5,
        c: 3.5,
        v: 100,
        t: "2024-01-02T14:59:00Z",
        n: 1,
        vw: 3.3333,
      },
    ]);
  });

  it("refuses a second connection for the key with 406 and closes it", async () => {
    const first = await open();
    first.ws.send(JSON.stringify(auth));
    await eventually(() => first.got.length === 2, "first authenticated");
    const second = await open();
    let closed = false;
    second.ws.on("close", () => {
      closed = true;
    });
    second.ws.send(JSON.stringify(auth));
    await eventually(() => closed, "the second closed");
    expect(second.got[1]).toEqual([{ T: "error", code: 406, msg: "connection limit exceeded" }]);
  });

  it("ends a connection that does not authenticate within 10 s with 404", async () => {
    const { ws, got } = await open();
    let closed = false;
    ws.on("close", () => {
      closed = true;
    });
    await clock.advance(9_999);
    expect(got.length, "still waiting at 9.999 s").toBe(1);
    await clock.advance(1);
    await eventually(() => closed, "closed after the auth timeout");
    expect(got[1]).toEqual([{ T: "error", code: 404, msg: "auth timeout" }]);
  });

  it("answers 409 for a feed the key's plan lacks", async () => {
    await exchange.stop();
    exchange = new FakeAlpaca({ clock, feeds: ["iex"] });
    await exchange.start();
    const { ws, got } = await open("sip");
    ws.send(JSON.stringify(auth));
    await eventually(() => got.length === 2, "409");
    expect(got[1]).toEqual([{ T: "error", code: 409, msg: "insufficient subscription" }]);
  });
});
