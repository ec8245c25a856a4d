import { afterEach, describe, expect, it } from "vitest";
import type { Bar } from "../domain/bar.js";
import { Hub } from "./hub.js";
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
    this.received.push(JSON.parse(String(data)) as Record<string, unknown>);
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

describe("Hub", () => {
  it("greets a client and confirms its subscription", () => {
    hub = new Hub({ snapshot: () => undefined });
    const socket = new FakeSocket();
    const client = hub.addClient(socket);
    hub.handleMessage(client, { type: "subscribe", symbols: ["AAPL"], channels: ["slices"] });
    expect(socket.received.map((m) => m.type)).toEqual(["hello", "subscribed"]);
    expect(socket.received[1]).toMatchObject({ symbols: ["AAPL"], channels: ["slices"] });
  });

  it("delivers every slice in order, filtered to the client's symbols", () => {
    hub = new Hub({ snapshot: () => undefined });
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
    expect(all.ofType("slice").map((m) => m.seq)).toEqual([0, 1, 2, 3, 4]);
    const mine = one.ofType("slice");
    expect(
      mine.map((m) => m.seq),
      "only slices holding B",
    ).toEqual([0, 2, 4]);
    expect(mine[0]!.bars, "only B's bar, as [o,h,l,c,v]").toEqual({ B: [20, 21, 19, 20, 100] });
  });

  it("drops the oldest slices of a stalled client and says exactly which", () => {
    hub = new Hub({ snapshot: () => undefined, maxQueueMessages: 10, highWaterMark: 1 });
    const slow = new FakeSocket(true);
    const client = hub.addClient(slow);
    hub.handleMessage(client, { type: "subscribe", symbols: ["*"], channels: ["slices"] });
    // hello went out and filled the buffer; everything else waits in the queue.
    for (let i = 0; i < 100; i++) hub.publishSlice(i * 60_000, new Map([["A", bar(i * 60_000)]]));
    expect(client.queued, "the queue stays bounded").toBeLessThanOrEqual(10);
    expect(client.dropped).toBe(91);
    slow.drain();
    const notice = slow.ofType("dropped")[0];
    expect(notice).toMatchObject({
      count: 91,
      total: 91,
      slices: { count: 90, fromSeq: 0, toSeq: 89, fromTime: 0, toTime: 89 * 60_000 },
      control: 1,
    });
    const got = slow.ofType("slice").map((m) => m.seq as number);
    expect(got, "the newest ten arrive after the notice, in order").toEqual([
      90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
    ]);
    const seen = new Set([...got, ...Array.from({ length: 90 }, (_, i) => i)]);
    expect(seen.size, "received + reported missed = every slice").toBe(100);
  });

  it("bounds the queue in bytes as well as in messages", () => {
    hub = new Hub({
      snapshot: () => undefined,
      maxQueueMessages: 1000,
      maxQueueBytes: 2000,
      highWaterMark: 1,
    });
    const slow = new FakeSocket(true);
    const client = hub.addClient(slow);
    hub.handleMessage(client, { type: "subscribe", symbols: ["*"], channels: ["slices"] });
    const many = new Map<string, Bar>();
    for (let s = 0; s < 20; s++) many.set(`S${s}`, bar(0));
    for (let i = 0; i < 50; i++) hub.publishSlice(i * 60_000, many);
    expect(client.queued).toBeGreaterThan(0);
    expect(client.queued, "about 2000 bytes of ~500-byte slices").toBeLessThanOrEqual(4);
  });

  it("coalesces bar updates per symbol into one message per flush", () => {
    const closes = new Map<string, number>();
    hub = new Hub({ snapshot: (s) => ({ close: closes.get(s) }), flushIntervalMs: 10_000 });
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
    hub = new Hub({ snapshot: () => ({ n }), flushIntervalMs: 10_000, highWaterMark: 1 });
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
    const updates = slow.ofType("update");
    expect(updates).toHaveLength(1);
    expect(updates[0]!.bars).toEqual({ A: { n: 98 }, B: { n: 99 } });
  });

  it("sends quality events only to subscribers of the symbol", () => {
    hub = new Hub({ snapshot: () => undefined });
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.handleMessage(hub.addClient(a), { type: "subscribe", symbols: ["A"] });
    hub.handleMessage(hub.addClient(b), { type: "subscribe", symbols: ["B"], channels: ["bars"] });
    hub.publishQuality({ type: "gapDetected", symbol: "A", start: 0, end: 60_000, count: 1 });
    hub.publishQuality({ type: "gapDetected", symbol: "B", start: 0, end: 60_000, count: 1 });
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
    hub = new Hub({ snapshot: () => ({ value }), flushIntervalMs: 10_000, highWaterMark: 1 });
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
    const after = slow.received.slice(1).map((m) => (m.type === "update" ? m.bars : m.type));
    expect(after).toEqual(["subscribed", "reset", { A: { value: "new" } }]);
  });

  it("gives a new '*' subscriber the current picture of every symbol", () => {
    hub = new Hub({ snapshot: (s) => ({ s }), listSymbols: () => ["X", "Y"] });
    const socket = new FakeSocket();
    const client = hub.addClient(socket);
    hub.handleMessage(client, { type: "subscribe", symbols: ["*"], channels: ["bars"] });
    hub.flush();
    expect(socket.ofType("update")[0]!.bars).toEqual({ X: { s: "X" }, Y: { s: "Y" } });
  });

  it("coalesces gap events into a count on the gaps channel and leaves qualityChanged out", () => {
    hub = new Hub({ snapshot: () => undefined, flushIntervalMs: 10_000 });
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
