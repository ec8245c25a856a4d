import { afterEach, describe, expect, it } from "vitest";
import type { Bar } from "../domain/bar.js";
import { Hub, type HubOptions } from "./hub.js";
import type { HubSocket } from "./hub-client.js";

/** A socket whose buffer fills as it is written and empties only when `drain()` is called. */
class FakeSocket implements HubSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly received: Record<string, unknown>[] = [];
  readonly #callbacks: ((error?: Error) => void)[] = [];
  #stalled: boolean;
  constructor(stalled = false) {
    this.#stalled = stalled;
  }
  send(data: string | Buffer, options: { binary: boolean }, cb?: (error?: Error) => void): void {
    expect(options.binary, "always a text frame").toBe(false);
    // A frame may carry several messages, one per line.
    for (const line of String(data).split("\n")) {
      this.received.push(JSON.parse(line) as Record<string, unknown>);
    }
    if (this.#stalled) this.bufferedAmount += data.length;
    if (cb !== undefined) this.#callbacks.push(cb);
  }
  close(): void {
    this.readyState = 3;
  }
  /** The peer read everything: the buffer empties and write callbacks fire. */
  drain(): void {
    this.#stalled = false;
    this.bufferedAmount = 0;
    for (const cb of this.#callbacks.splice(0)) cb();
  }
  ofType(type: string): Record<string, unknown>[] {
    return this.received.filter((m) => m.type === type);
  }
}

const bar = (time: number, close = 10): Bar => ({
  time,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 100,
});

let hub: Hub | undefined;
afterEach(() => hub?.close());

/** A hub whose pump budget never runs out (the clock stands still) unless a test moves it. */
function testHub(options: Omit<HubOptions, "snapshot"> & Partial<Pick<HubOptions, "snapshot">>) {
  return new Hub({ snapshot: () => undefined, now: () => 0, ...options });
}

describe("Hub", () => {
  it("greets a client and confirms its subscription", () => {
    hub = testHub({});
    const socket = new FakeSocket();
    const client = hub.addClient(socket);
    hub.handleMessage(client, { type: "subscribe", symbols: ["AAPL"], channels: ["slices"] });
    hub.pump();
    expect(socket.received.map((m) => m.type)).toEqual(["hello", "subscribed"]);
    expect(socket.received[1]).toMatchObject({ symbols: ["AAPL"], channels: ["slices"] });
  });

  it("delivers every slice in order, filtered to the client's symbols", () => {
    hub = testHub({});
    const all = new FakeSocket();
    const one = new FakeSocket();
    hub.handleMessage(hub.addClient(all), {
      type: "subscribe",
      symbols: ["*"],
      channels: ["slices"],
    });
    hub.handleMessage(hub.addClient(one), {
      type: "subscribe",
      symbols: ["B"],
      channels: ["slices"],
    });
    for (let i = 0; i < 5; i++) {
      const bars = new Map<string, Bar>([["A", bar(i * 60_000)]]);
      if (i % 2 === 0) bars.set("B", bar(i * 60_000, 20));
      hub.publishSlice(i * 60_000, bars);
    }
    hub.pump();
    expect(all.ofType("slice").map((m) => m.seq)).toEqual([0, 1, 2, 3, 4]);
    const mine = one.ofType("slice");
    expect(
      mine.map((m) => m.seq),
      "only slices holding B",
    ).toEqual([0, 2, 4]);
    expect(mine[0]!.bars, "only B's bar, as [o,h,l,c,v]").toEqual({ B: [20, 21, 19, 20, 100] });
  });

  it("writes slice JSON by hand exactly as JSON.stringify would", () => {
    hub = testHub({});
    const raw: string[] = [];
    const socket = new FakeSocket();
    const send = socket.send.bind(socket);
    socket.send = (data, options, cb) => {
      raw.push(String(data));
      send(data, options, cb);
    };
    hub.handleMessage(hub.addClient(socket), {
      type: "subscribe",
      symbols: ["*"],
      channels: ["slices"],
    });
    const b = {
      time: 0,
      open: 1e-7,
      high: 123456789.125,
      low: 1e-7,
      close: 0.1 + 0.2,
      volume: 1e21,
    };
    hub.publishSlice(
      60_000,
      new Map([
        ["BRK.B", b],
        ['Q"X', b],
      ]),
    );
    hub.pump();
    const expected = JSON.stringify({
      type: "slice",
      seq: 0,
      time: 60_000,
      bars: {
        "BRK.B": [b.open, b.high, b.low, b.close, b.volume],
        'Q"X': [b.open, b.high, b.low, b.close, b.volume],
      },
    });
    expect(raw.at(-1)).toBe(expected);
  });

  it("never writes to a socket while publishing: the pump does, later", () => {
    hub = testHub({});
    const socket = new FakeSocket();
    hub.handleMessage(hub.addClient(socket), {
      type: "subscribe",
      symbols: ["*"],
      channels: ["slices"],
    });
    hub.pump();
    const before = socket.received.length;
    for (let i = 0; i < 10; i++) hub.publishSlice(i * 60_000, new Map([["A", bar(i * 60_000)]]));
    expect(socket.received.length, "publishSlice only queues").toBe(before);
    hub.pump();
    expect(socket.ofType("slice")).toHaveLength(10);
  });

  it("serialises each slice once per subscription set, not once per client", () => {
    hub = testHub({});
    const sockets: FakeSocket[] = [];
    for (let i = 0; i < 150; i++) {
      const socket = new FakeSocket();
      sockets.push(socket);
      hub.handleMessage(hub.addClient(socket), {
        type: "subscribe",
        symbols: i < 100 ? ["*"] : ["B", "A"],
        channels: ["slices"],
      });
    }
    for (let i = 0; i < 20; i++) {
      hub.publishSlice(
        i * 60_000,
        new Map([
          ["A", bar(i * 60_000)],
          ["B", bar(i * 60_000)],
        ]),
      );
    }
    hub.pump();
    expect(hub.sliceEncodings, "two subscription sets x 20 slices").toBe(40);
    expect(
      sockets.every((s) => s.ofType("slice").length === 20),
      "every client got every slice",
    ).toBe(true);
  });

  it("coalesces a slow client to the latest state and tells it what it missed, while a fast one gets every slice", () => {
    const latest = new Map<string, Bar>();
    hub = testHub({
      maxQueueMessages: 10,
      highWaterMark: 1,
      latestBar: (s) => latest.get(s),
      listSymbols: () => latest.keys(),
    });
    const slow = new FakeSocket(true);
    const fast = new FakeSocket();
    const slowClient = hub.addClient(slow);
    hub.pump(); // hello fills the slow socket's buffer: everything else waits in its queue
    hub.handleMessage(slowClient, { type: "subscribe", symbols: ["*"], channels: ["slices"] });
    hub.handleMessage(hub.addClient(fast), {
      type: "subscribe",
      symbols: ["*"],
      channels: ["slices"],
    });
    for (let i = 0; i < 100; i++) {
      const b = bar(i * 60_000, 10 + i);
      latest.set("A", b);
      hub.publishSlice(i * 60_000, new Map([["A", b]]));
      if (i % 7 === 0) hub.pump();
    }
    hub.pump();
    expect(slowClient.queued, "the log's bound, plus its own 'subscribed'").toBeLessThanOrEqual(11);
    expect(
      fast.ofType("slice").map((m) => m.seq),
      "the fast client misses nothing",
    ).toEqual(Array.from({ length: 100 }, (_, i) => i));
    slow.drain();
    hub.pump();
    const types = slow.received.map((m) => m.type);
    expect(types, "its replies, then the notice and the state").toEqual([
      "hello",
      "subscribed",
      "behind",
      "state",
    ]);
    const notice = slow.ofType("behind")[0]!;
    const state = slow.ofType("state")[0]!;
    expect(notice.slices, "the missed run is named exactly: all 100, as one run").toEqual({
      count: 100,
      fromSeq: 0,
      toSeq: 99,
    });
    expect(state, "then the latest bar as of slice 99, [t,o,h,l,c,v]").toEqual({
      type: "state",
      seq: 99,
      time: 99 * 60_000,
      bars: { A: [99 * 60_000, 109, 110, 108, 109, 100] },
    });
    for (let i = 100; i < 105; i++) hub.publishSlice(i * 60_000, new Map([["A", bar(i * 60_000)]]));
    hub.pump();
    expect(
      slow.ofType("slice").map((m) => m.seq),
      "a caught-up client gets every slice again",
    ).toEqual([100, 101, 102, 103, 104]);
  });

  it("bounds a stalled client's memory in bytes as well as in messages", () => {
    hub = testHub({ maxQueueMessages: 1000, maxQueueBytes: 2000, highWaterMark: 1 });
    const slow = new FakeSocket(true);
    const client = hub.addClient(slow);
    hub.pump();
    hub.handleMessage(client, { type: "subscribe", symbols: ["*"], channels: ["slices"] });
    const many = new Map<string, Bar>();
    for (let s = 0; s < 20; s++) many.set(`S${s}`, bar(0));
    let most = 0;
    for (let i = 0; i < 5000; i++) {
      hub.publishSlice(i * 60_000, many);
      most = Math.max(most, client.group!.bytes);
    }
    expect(most, "never more than the byte bound plus one slice").toBeLessThanOrEqual(2000 + 600);
    slow.drain();
    hub.pump();
    expect(client.dropped, "the rest was coalesced away").toBeGreaterThan(4900);
  });

  it("stops a pump when its time budget is spent and goes on where it stopped", () => {
    let t = 0;
    hub = new Hub({ snapshot: () => undefined, now: () => t++ });
    const sockets = Array.from({ length: 40 }, () => new FakeSocket());
    for (const s of sockets) hub.addClient(s);
    hub.pump();
    const reached = sockets.filter((s) => s.received.length > 0).length;
    expect(reached, "one pump reaches only some clients").toBeLessThan(40);
    expect(reached).toBeGreaterThan(0);
    while (sockets.some((s) => s.received.length === 0)) hub.pump();
    expect(
      sockets.every((s) => s.ofType("hello").length === 1),
      "round robin reaches every client once",
    ).toBe(true);
  });

  it("coalesces bar updates per symbol into one message per flush", () => {
    const closes = new Map<string, number>();
    hub = testHub({ snapshot: (s) => ({ close: closes.get(s) }), flushIntervalMs: 10_000 });
    const socket = new FakeSocket();
    const client = hub.addClient(socket);
    hub.handleMessage(client, { type: "subscribe", symbols: ["*"] });
    hub.flush();
    socket.received.length = 0;
    for (let i = 0; i < 1000; i++) {
      closes.set(`S${i % 50}`, i);
      hub.markBar(`S${i % 50}`);
    }
    hub.flush();
    const updates = socket.ofType("update");
    expect(updates).toHaveLength(1);
    const bars = updates[0]!.bars as Record<string, { close: number }>;
    expect(Object.keys(bars)).toHaveLength(50);
    expect(bars.S0!.close, "the newest value wins").toBe(950);
    hub.flush();
    expect(socket.ofType("update"), "nothing changed, nothing sent").toHaveLength(1);
  });

  it("merges updates for a stalled client instead of queueing each", () => {
    let n = 0;
    hub = testHub({ snapshot: () => ({ n }), flushIntervalMs: 10_000, highWaterMark: 1 });
    const slow = new FakeSocket(true);
    const client = hub.addClient(slow);
    hub.handleMessage(client, { type: "subscribe", symbols: ["A", "B"] });
    for (let i = 0; i < 100; i++) {
      n = i;
      hub.markBar(i % 2 === 0 ? "A" : "B");
      hub.flush();
    }
    expect(client.dropped, "coalesced updates are never dropped").toBe(0);
    slow.drain();
    hub.pump();
    const updates = slow.ofType("update");
    expect(updates).toHaveLength(1);
    expect(
      updates[0]!.bars,
      "100 flushes behind: the current picture, built when it can send",
    ).toEqual({
      A: { n: 99 },
      B: { n: 99 },
    });
  });

  it("merges a few missed updates, newest value per symbol", () => {
    let n = 0;
    hub = testHub({ snapshot: () => ({ n }), flushIntervalMs: 10_000, highWaterMark: 1 });
    const slow = new FakeSocket(true);
    const client = hub.addClient(slow);
    hub.handleMessage(client, { type: "subscribe", symbols: ["A", "B"] });
    for (let i = 0; i < 10; i++) {
      n = i;
      hub.markBar(i % 2 === 0 ? "A" : "B");
      hub.flush();
    }
    slow.drain();
    hub.pump();
    const updates = slow.ofType("update");
    expect(updates).toHaveLength(1);
    expect(updates[0]!.bars).toEqual({ A: { n: 8 }, B: { n: 9 } });
  });

  it("sends quality events only to subscribers of the symbol", () => {
    hub = testHub({ snapshot: () => undefined });
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.handleMessage(hub.addClient(a), { type: "subscribe", symbols: ["A"] });
    hub.handleMessage(hub.addClient(b), { type: "subscribe", symbols: ["B"], channels: ["bars"] });
    hub.publishQuality({ type: "gapDetected", symbol: "A", start: 0, end: 60_000, count: 1 });
    hub.publishQuality({ type: "gapDetected", symbol: "B", start: 0, end: 60_000, count: 1 });
    hub.pump();
    expect(a.ofType("quality")).toEqual([
      {
        type: "quality",
        event: { type: "gapDetected", symbol: "A", start: 0, end: 60_000, count: 1 },
      },
    ]);
    expect(b.ofType("quality"), "B did not ask for the quality channel").toEqual([]);
  });

  it("sends a reset before the updates that follow it, and none of the old data", () => {
    let value = "old";
    hub = testHub({ snapshot: () => ({ value }), flushIntervalMs: 10_000, highWaterMark: 1 });
    const slow = new FakeSocket(true);
    const client = hub.addClient(slow);
    hub.handleMessage(client, { type: "subscribe", symbols: ["A"], channels: ["bars"] });
    hub.markBar("A");
    hub.flush(); // an update of the old data waits behind the stalled socket
    hub.markBar("A");
    hub.reset({ type: "reset" });
    value = "new";
    hub.markBar("A");
    hub.flush();
    slow.drain();
    hub.pump();
    const after = slow.received.slice(1).map((m) => (m.type === "update" ? m.bars : m.type));
    expect(after).toEqual(["subscribed", "reset", { A: { value: "new" } }]);
  });

  it("gives a new '*' subscriber the current picture of every symbol", () => {
    hub = testHub({ snapshot: (s) => ({ s }), listSymbols: () => ["X", "Y"] });
    const socket = new FakeSocket();
    const client = hub.addClient(socket);
    hub.handleMessage(client, { type: "subscribe", symbols: ["*"], channels: ["bars"] });
    hub.flush();
    expect(socket.ofType("update")[0]!.bars).toEqual({ X: { s: "X" }, Y: { s: "Y" } });
  });

  it("coalesces gap events into a count on the gaps channel and leaves qualityChanged out", () => {
    hub = testHub({ snapshot: () => undefined, flushIntervalMs: 10_000 });
    const page = new FakeSocket();
    const program = new FakeSocket();
    hub.handleMessage(hub.addClient(page), {
      type: "subscribe",
      symbols: ["*"],
      channels: ["gaps"],
    });
    hub.handleMessage(hub.addClient(program), {
      type: "subscribe",
      symbols: ["A"],
      channels: ["quality"],
    });
    hub.flush();
    for (let minute = 0; minute < 500; minute++) {
      hub.publishQuality({ type: "qualityChanged", symbol: "A", quality: 99 });
      hub.publishQuality({ type: "qualityChanged", symbol: "B", quality: 98 });
    }
    hub.publishQuality({ type: "gapDetected", symbol: "A", start: 0, end: 60_000, count: 1 });
    hub.publishQuality({ type: "gapFilled", symbol: "A", start: 0, end: 60_000, count: 1 });
    hub.publishQuality({ type: "gapUnfillable", symbol: "B", start: 0, end: 60_000, count: 1 });
    hub.flush();
    expect(page.ofType("quality"), "no event by event traffic").toEqual([]);
    expect(
      page
        .ofType("update")
        .map((m) => m.gaps)
        .filter((g) => g !== undefined),
    ).toEqual([3]);
    expect(
      program.ofType("quality"),
      "the quality channel still has every event of A",
    ).toHaveLength(502);
  });
});
