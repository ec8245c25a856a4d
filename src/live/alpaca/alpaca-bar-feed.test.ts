import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.js";
import type { Bar } from "../../domain/bar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import type { Provenance } from "../../domain/provenance.js";
import type { LiveFeedError } from "../feed-errors.js";
import { eventually } from "../live-feed.contract.js";
import type { FeedStatus } from "../live-feed.js";
import { AlpacaBarFeed, type AlpacaBarFeedOptions } from "./alpaca-bar-feed.js";
import { AlpacaError } from "./alpaca-errors.js";
import { FakeAlpaca, type FakeAlpacaOptions } from "./fake-alpaca.js";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 2, 15, 0);
const SECRET = "S3CR3T-do-not-leak-9f8e7d";
const KEY = "PKTESTKEY0123456789";

const bar = (minute: number, base = 100): Bar => ({
  time: T0 + minute * MIN,
  open: base + minute,
  high: base + minute + 2,
  low: base + minute - 1,
  close: base + minute + 1,
  volume: 10 + minute,
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("AlpacaBarFeed against FakeAlpaca", () => {
  let clock: FakeClock;
  let exchange: FakeAlpaca;
  let feed: AlpacaBarFeed;
  let received: { symbol: string; bar: Bar; provenance: Provenance }[];
  let statuses: FeedStatus[];
  let errors: { error: Error; fatal: boolean }[];

  const setup = async (
    fake: FakeAlpacaOptions = {},
    options: AlpacaBarFeedOptions = {},
  ): Promise<void> => {
    exchange = new FakeAlpaca({ clock, keyId: KEY, secretKey: SECRET, ...fake });
    await exchange.start();
    feed = new AlpacaBarFeed({
      wsUrl: exchange.wsUrl,
      restUrl: exchange.restUrl,
      keyId: KEY,
      secretKey: SECRET,
      clock,
      reconnect: { initialMs: 1_000, maxMs: 8_000 },
      connectionLimitRetryMs: 60_000,
      random: () => 0.5,
      ...options,
    });
    feed.on("bar", (symbol, b, provenance) => received.push({ symbol, bar: b, provenance }));
    feed.on("status", (s) => statuses.push(s));
    feed.on("error", (error, fatal) => errors.push({ error, fatal }));
  };

  const live = async (symbols = ["AAPL", "MSFT"]): Promise<void> => {
    await feed.connect();
    await feed.subscribe(symbols);
    await eventually(() => exchange.subscribed().length === symbols.length, "subscriptions");
  };

  /** Everything the feed said: every error message and status reason. */
  const everything = (): string =>
    [
      ...errors.map((e) => `${e.error.name} ${e.error.message} ${String(e.error.cause ?? "")}`),
      ...statuses.map((s) => s.reason ?? ""),
    ].join("\n");

  beforeEach(() => {
    clock = new FakeClock(T0 + 30_000);
    received = [];
    statuses = [];
    errors = [];
  });

  afterEach(async () => {
    await feed?.close();
    await exchange?.stop();
  });

  it("authenticates with the auth message and subscribes bars and updatedBars together", async () => {
    await setup();
    await live();
    const sent = exchange.received.map((t) => JSON.parse(t));
    expect(sent[0], "auth first, with the key and secret").toEqual({
      action: "auth",
      key: KEY,
      secret: SECRET,
    });
    expect(sent[1]).toEqual({
      action: "subscribe",
      bars: ["AAPL", "MSFT"],
      updatedBars: ["AAPL", "MSFT"],
    });
    expect(feed.url, "the stream URL is the base plus /v2/iex").toBe(`${exchange.wsUrl}/v2/iex`);
  });

  it("takes the keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY, and without them says which is missing, quoting neither", async () => {
    const saved = [process.env.APCA_API_KEY_ID, process.env.APCA_API_SECRET_KEY];
    try {
      process.env.APCA_API_KEY_ID = KEY;
      process.env.APCA_API_SECRET_KEY = SECRET;
      exchange = new FakeAlpaca({ clock, keyId: KEY, secretKey: SECRET });
      await exchange.start();
      feed = new AlpacaBarFeed({ wsUrl: exchange.wsUrl, restUrl: exchange.restUrl, clock });
      await feed.connect();
      expect(feed.state, "the environment's keys authenticated").toBe("live");
      delete process.env.APCA_API_SECRET_KEY;
      const error = (() => {
        try {
          new AlpacaBarFeed({ clock });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error?.message).toMatch(/APCA_API_SECRET_KEY/);
      expect(error?.message).toMatch(/secret missing/);
      expect(error?.message).not.toContain(KEY);
    } finally {
      process.env.APCA_API_KEY_ID = saved[0];
      process.env.APCA_API_SECRET_KEY = saved[1];
      if (saved[0] === undefined) delete process.env.APCA_API_KEY_ID;
      if (saved[1] === undefined) delete process.env.APCA_API_SECRET_KEY;
    }
  });

  it("never puts the key or secret in an error, a status, a stat or the feed's inspection", async () => {
    await setup({ symbols: ["AAPL", "MSFT"] });
    await live();
    exchange.emitRaw("{oops");
    exchange.emitInvalid("AAPL", T0);
    exchange.emitError(500, { close: true });
    await eventually(() => feed.state === "reconnecting", "reconnect after 500");
    exchange.scriptRest([403]);
    await clock.advance(MIN);
    await eventually(() => feed.state === "live", "live again");
    const wrong = new AlpacaBarFeed({
      wsUrl: exchange.wsUrl,
      restUrl: exchange.restUrl,
      keyId: KEY,
      secretKey: `${SECRET}-wrong`,
      clock,
    });
    const refused = await wrong.connect().catch((e: Error) => e);
    errors.push({ error: refused as Error, fatal: true });
    expect(errors.length, "faults happened").toBeGreaterThan(3);
    const said = `${everything()}\n${inspect(feed, { depth: 5 })}\n${JSON.stringify(feed)}\n${JSON.stringify(feed.stats)}\n${inspect(wrong, { depth: 5 })}`;
    expect(said.includes(SECRET), "the secret appears nowhere").toBe(false);
    expect(said.includes(KEY), "the key id appears nowhere").toBe(false);
  });

  it("402 auth failed: connect rejects with AlpacaError 402 (kind auth) and the feed stays closed", async () => {
    await setup({}, { secretKey: "bad" });
    const error = await feed.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaError);
    expect((error as AlpacaError).code).toBe(402);
    expect((error as AlpacaError).kind).toBe("auth");
    expect((error as Error).message).toMatch(/error 402 \(auth failed/);
    expect(feed.state).toBe("closed");
  });

  it("402 on a reconnect is fatal: error(fatal), closed, no more attempts", async () => {
    await setup();
    await live();
    exchange.scriptAuth([402]);
    exchange.dropConnections();
    await eventually(() => feed.state === "reconnecting", "reconnecting");
    await clock.advance(1_000);
    await eventually(() => feed.state === "closed", "closed by the 402");
    const fatal = errors.find((e) => e.fatal);
    expect(fatal?.error, "a fatal AlpacaError 402").toBeInstanceOf(AlpacaError);
    expect((fatal?.error as AlpacaError | undefined)?.code).toBe(402);
    const attempts = exchange.attempts.length;
    await clock.advance(10 * MIN);
    await settle();
    expect(exchange.attempts.length, "no attempt after the fatal error").toBe(attempts);
  });

  it("409 insufficient subscription (a sip feed on an iex plan) is refused at connect", async () => {
    await setup({ feeds: ["iex"] }, { feed: "sip" });
    const error = await feed.connect().catch((e: unknown) => e);
    expect((error as AlpacaError).code).toBe(409);
    expect((error as AlpacaError).action).toBe("fatal");
    expect(feed.state).toBe("closed");
  });

  it("406 at the first connect rejects (kind connection-limit): another client holds the key's connection", async () => {
    await setup();
    exchange.holdConnectionSlots(1);
    const error = await feed.connect().catch((e: unknown) => e);
    expect((error as AlpacaError).code).toBe(406);
    expect((error as AlpacaError).kind).toBe("connection-limit");
  });

  it("406 on reconnect is retried no sooner than the floor, not in a tight loop, then goes live with a backfill", async () => {
    await setup();
    await live(["AAPL"]);
    exchange.holdConnectionSlots(1);
    exchange.dropConnections();
    await eventually(() => feed.state === "reconnecting", "reconnecting");
    await clock.advance(1_000);
    await eventually(() => exchange.attempts.length === 2, "the first reconnect attempt");
    await eventually(
      () => statuses.filter((s) => s.retryInMs !== undefined).length === 2,
      "the 406 retry status",
    );
    const retry = statuses.filter((s) => s.retryInMs !== undefined)[1]!;
    expect(retry.retryInMs, "at least the 60 s floor after a 406").toBeGreaterThanOrEqual(60_000);
    expect(retry.reason).toMatch(/406/);
    await clock.advance(59_000);
    await settle();
    expect(exchange.attempts.length, "no attempt within the floor").toBe(2);
    exchange.emitBar("AAPL", bar(0));
    exchange.holdConnectionSlots(0);
    await clock.advance(1_000);
    await eventually(() => feed.state === "live", "live once the slot is free");
    expect(
      received.map((r) => r.provenance),
      "minute 0 came by backfill",
    ).toEqual(["refilled"]);
    expect(errors.some((e) => (e.error as AlpacaError).code === 406 && !e.fatal)).toBe(true);
  });

  it("406 too many times in a row closes the feed (fatal)", async () => {
    await setup({}, { maxConnectionLimitRetries: 2, connectionLimitRetryMs: 5_000 });
    await live(["AAPL"]);
    exchange.holdConnectionSlots(1);
    exchange.dropConnections();
    for (let i = 0; i < 6 && feed.state !== "closed"; i++) {
      await clock.advance(10_000);
      await settle();
    }
    await eventually(() => feed.state === "closed", "closed after 3 refusals");
    const fatal = errors.find((e) => e.fatal)?.error as AlpacaError;
    expect(fatal.code).toBe(406);
    expect(fatal.message).toMatch(/3 times in a row/);
    expect(exchange.attempts.length, "the first connect and 3 refused reconnects").toBe(4);
  });

  it("405 symbol limit: subscribe rejects, the feed stays live with the symbols it had", async () => {
    await setup({ symbolLimit: 2 });
    await live(["AAPL", "MSFT"]);
    const error = await feed.subscribe(["SPY"]).catch((e: unknown) => e);
    expect((error as AlpacaError).code).toBe(405);
    expect(feed.state).toBe("live");
    await clock.advance(MIN);
    exchange.emitBar("AAPL", bar(0));
    exchange.emitBar("SPY", bar(0), { force: true });
    await eventually(() => received.length === 1 && errors.length >= 1, "AAPL's bar, SPY refused");
    expect(feed.stats.unsubscribed, "SPY was not kept").toBe(1);
  });

  it("407 slow client (and other reconnect codes) reconnect and backfill", async () => {
    await setup();
    await live(["AAPL"]);
    await clock.advance(MIN);
    exchange.emitBar("AAPL", bar(0));
    await eventually(() => received.length === 1, "minute 0");
    exchange.stall();
    exchange.emitBar("AAPL", bar(1));
    exchange.dropConnections();
    await eventually(() => feed.state === "reconnecting", "reconnecting");
    await clock.advance(MIN);
    await eventually(() => feed.state === "live", "live");
    await clock.advance(MIN);
    exchange.emitError(407, { close: true });
    await eventually(() => statuses.at(-1)?.state === "reconnecting", "reconnecting after 407");
    expect(statuses.at(-1)?.reason).toMatch(/407/);
    await clock.advance(MIN);
    await eventually(() => feed.state === "live", "live after 407");
    expect(received.map((r) => [(r.bar.time - T0) / MIN, r.provenance])).toEqual([
      [0, "live"],
      [1, "refilled"],
    ]);
  });

  it("reads a batch of messages in one frame, drops duplicates, delivers T:u as corrected and counts it all", async () => {
    await setup({ symbols: ["AAPL", "MSFT", "SPY"] });
    await live(["AAPL", "MSFT"]);
    await clock.advance(MIN);
    exchange.batch(() => {
      exchange.emitBar("AAPL", bar(0));
      exchange.emitBar("MSFT", bar(0, 200));
      exchange.emitBar("AAPL", bar(0));
      exchange.emitPartial("AAPL", bar(1));
      exchange.emitCorrection("AAPL", { ...bar(0), close: 100.5, volume: 42 });
    });
    exchange.emitRaw('[{"T":"b","S":"AAPL"}]');
    exchange.emitRaw(
      '[{"T":"b","S":"AAPL","o":1,"h":2,"l":0.5,"c":1.5,"v":3,"t":"2024-01-02T15:00:30Z"}]',
    );
    exchange.emitRaw("{not json");
    exchange.emitInvalid("MSFT", T0);
    exchange.emitBar("SPY", bar(0, 300), { force: true });
    await eventually(() => errors.length === 5, "five faults");
    expect(received.map((r) => `${r.symbol} ${r.provenance} ${r.bar.close}`)).toEqual([
      "AAPL live 101",
      "MSFT live 201",
      "AAPL corrected 100.5",
    ]);
    expect(feed.stats).toMatchObject({
      live: 2,
      corrected: 1,
      duplicates: 1,
      malformed: 2,
      invalidBars: 2,
      unsubscribed: 1,
    });
    const offMinute = errors.find((e) => /15:00:30/.test(e.error.message))?.error as LiveFeedError;
    expect(offMinute?.kind, "a t off the minute is an invalid bar").toBe("invalid-bar");
    expect(errors.every((e) => !e.fatal)).toBe(true);
    expect(exchange.truth("AAPL")[0]?.close, "the correction is the truth").toBe(100.5);
  });

  it("subscribes symbols asked for while connecting or reconnecting once the connection is up", async () => {
    await setup();
    const connecting = feed.connect();
    await feed.subscribe(["AAPL"]);
    await connecting;
    await eventually(() => exchange.subscribed().includes("AAPL"), "AAPL subscribed");
    exchange.refuseConnections(true);
    exchange.dropConnections();
    await eventually(() => feed.state === "reconnecting", "reconnecting");
    await feed.subscribe(["MSFT"]);
    await feed.unsubscribe(["AAPL"]);
    exchange.refuseConnections(false);
    await clock.advance(MIN);
    await eventually(() => feed.state === "live", "live again");
    await eventually(() => exchange.subscribed().join() === "MSFT", "only MSFT subscribed");
    expect(exchange.subscribed()).toEqual(["MSFT"]);
  });

  it("stays live on a quiet stream: its own pings are answered, so silence of data is no stall", async () => {
    await setup({}, { heartbeatTimeoutMs: 30_000, pingIntervalMs: 10_000 });
    await live(["AAPL"]);
    for (let i = 0; i < 12; i++) {
      const pings = exchange.pingsReceived;
      await clock.advance(10_000);
      await eventually(() => exchange.pingsReceived > pings, `ping ${i + 1}`);
      await settle();
    }
    expect(feed.state, "two minutes without a bar or a server ping").toBe("live");
    expect(statuses.filter((s) => s.state === "reconnecting")).toEqual([]);
    exchange.stall();
    // Silence must pass the 30 s limit at a check (every 15 s): within 50 s of the last pong.
    for (let i = 0; i < 5; i++) {
      await clock.advance(10_000);
      await settle();
    }
    await eventually(
      () => statuses.some((s) => s.state === "reconnecting"),
      "stall noticed once pongs stop",
    );
    expect(statuses.find((s) => s.state === "reconnecting")?.reason).toMatch(/heartbeat timeout/);
    expect(feed.stats.heartbeatTimeouts).toBe(1);
    expect(errors.map((e) => (e.error as LiveFeedError).kind)).toEqual(["heartbeat"]);
  });

  it("reads a symbol sent in lower case as the upper-case one subscribed", async () => {
    await setup();
    await live(["AAPL"]);
    await clock.advance(MIN);
    exchange.emitRaw(
      '[{"T":"b","S":"aapl","o":1,"h":2,"l":0.5,"c":1.5,"v":3,"t":"2024-01-02T15:00:00Z","n":1,"vw":1.2}]',
    );
    await eventually(() => received.length === 1, "the bar");
    expect(received[0]?.symbol).toBe("AAPL");
  });

  it("keeps a wsUrl that already names a path and rejects an unknown feed", async () => {
    await setup();
    const sandbox = new AlpacaBarFeed({
      wsUrl: "wss://stream.data.sandbox.alpaca.markets/v2/sip",
      keyId: KEY,
      secretKey: SECRET,
    });
    expect(sandbox.url).toBe("wss://stream.data.sandbox.alpaca.markets/v2/sip");
    expect(
      () => new AlpacaBarFeed({ keyId: KEY, secretKey: SECRET, feed: "nyse" as never }),
    ).toThrow(/feed must be iex, sip, delayed_sip or test, got "nyse"/);
  });
});
