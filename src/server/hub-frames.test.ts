import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bar } from "../domain/bar.js";
import { Hub } from "./hub.js";
import type { HubSocket } from "./hub-client.js";

/** Records what was written as is (the Buffer objects), and can stall like a full socket. */
class RawSocket implements HubSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: (string | Buffer)[] = [];
  stalled = false;
  send(data: string | Buffer, _options: { binary: boolean }, cb?: (error?: Error) => void): void {
    this.frames.push(data);
    if (this.stalled) this.bufferedAmount += data.length;
    else cb?.();
  }
  close(): void {
    this.readyState = 3;
  }
  messages(): Record<string, unknown>[] {
    return this.frames.flatMap((f) =>
      String(f)
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
  }
  seqs(): number[] {
    return this.messages()
      .filter((m) => m.type === "slice")
      .map((m) => m.seq as number);
  }
}

const bar = (time: number): Bar => ({ time, open: 10, high: 11, low: 9, close: 10, volume: 1 });
const slice = (i: number) => new Map([["A", bar(i * 60_000)]]);

let hub: Hub | undefined;
afterEach(() => {
  hub?.close();
  vi.useRealTimers();
});

function subscribed(h: Hub, socket: RawSocket) {
  const client = h.addClient(socket);
  h.handleMessage(client, { type: "subscribe", symbols: ["*"], channels: ["slices"] });
  return client;
}

describe("Hub frames", () => {
  it("sends the same Buffer to every client of a set, even after one was held back", () => {
    hub = new Hub({ snapshot: () => undefined, now: () => 0, highWaterMark: 1 });
    const a = new RawSocket();
    const b = new RawSocket();
    subscribed(hub, a);
    subscribed(hub, b);
    hub.pump();
    for (let i = 0; i < 3; i++) hub.publishSlice(i * 60_000, slice(i));
    b.stalled = true;
    b.bufferedAmount = 10; // b cannot take this pump's frame
    hub.pump();
    for (let i = 3; i < 5; i++) hub.publishSlice(i * 60_000, slice(i));
    b.stalled = false;
    b.bufferedAmount = 0;
    hub.pump();
    const slicesOf = (s: RawSocket) =>
      s.frames.filter((f) => String(f).startsWith('{"type":"slice"'));
    expect(slicesOf(a), "a: one frame per pump").toHaveLength(2);
    expect(slicesOf(b), "b: the frame it missed, then the next").toHaveLength(2);
    expect(slicesOf(b)[0], "the very same bytes, not a copy").toBe(slicesOf(a)[0]);
    expect(slicesOf(b)[1]).toBe(slicesOf(a)[1]);
    expect(a.seqs()).toEqual([0, 1, 2, 3, 4]);
    expect(b.seqs()).toEqual([0, 1, 2, 3, 4]);
  });

  it("a newcomer joins at a frame start and shares the frames from there", () => {
    hub = new Hub({ snapshot: () => undefined, now: () => 0 });
    const a = new RawSocket();
    subscribed(hub, a);
    hub.publishSlice(0, slice(0));
    const b = new RawSocket();
    subscribed(hub, b); // slice 0 was published before b subscribed: not b's
    hub.publishSlice(60_000, slice(1));
    hub.pump();
    expect(a.seqs()).toEqual([0, 1]);
    expect(b.seqs()).toEqual([1]);
    const last = (s: RawSocket) => s.frames.filter((f) => String(f).includes('"slice"')).at(-1);
    expect(last(b), "slice 1 went out as one shared frame").toBe(last(a));
  });

  it("a client that fell behind gets notice, boundaries and state in one frame and stays exact", () => {
    hub = new Hub({
      snapshot: () => undefined,
      now: () => 0,
      maxQueueMessages: 4,
      highWaterMark: 1,
      latestBar: () => bar(0),
      listSymbols: () => ["A"],
    });
    const slow = new RawSocket();
    subscribed(hub, slow);
    hub.pump();
    slow.stalled = true;
    slow.bufferedAmount = 10;
    hub.publishControl({ type: "session", event: "start", date: "2024-01-03" });
    for (let i = 0; i < 20; i++) hub.publishSlice(i * 60_000, slice(i));
    hub.pump();
    const before = slow.frames.length;
    slow.stalled = false;
    slow.bufferedAmount = 0;
    hub.pump();
    expect(slow.frames.length - before, "one write").toBe(1);
    const types = String(slow.frames.at(-1))
      .split("\n")
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(["behind", "session", "state"]);
    const notice = slow.messages().find((m) => m.type === "behind")!;
    expect(notice.slices).toEqual({ count: 20, fromSeq: 0, toSeq: 19 });
    for (let i = 20; i < 23; i++) hub.publishSlice(i * 60_000, slice(i));
    hub.pump();
    expect(slow.seqs(), "every slice after the state arrives").toEqual([20, 21, 22]);
  });

  it("schedules pumps at most every pumpIntervalMs; what came meanwhile goes in one frame", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate"] });
    let t = 0;
    hub = new Hub({ snapshot: () => undefined, now: () => t, pumpIntervalMs: 16 });
    const a = new RawSocket();
    subscribed(hub, a);
    vi.advanceTimersByTime(0); // the first pump runs at once (setImmediate)
    const pumps = hub.pumps;
    expect(pumps).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      t += 2;
      hub.publishSlice(i * 60_000, slice(i));
      vi.advanceTimersByTime(2);
    }
    expect(hub.pumps, "10 ms after the last pump: none yet").toBe(pumps);
    t += 10;
    vi.advanceTimersByTime(10);
    expect(hub.pumps).toBe(pumps + 1);
    const frames = a.frames.filter((f) => String(f).includes('"slice"'));
    expect(frames, "five slices, one frame").toHaveLength(1);
    expect(a.seqs()).toEqual([0, 1, 2, 3, 4]);
  });

  it("takes the shortest pump budget while other I/O waits for the event loop", () => {
    let t = 0;
    let busy = false;
    // Each client's write costs 1 ms of the fake clock.
    hub = new Hub({ snapshot: () => undefined, now: () => t, busy: () => busy });
    const sockets = Array.from({ length: 30 }, () => {
      const s = new RawSocket();
      const send = s.send.bind(s);
      s.send = (d, o, cb) => {
        t += 1;
        send(d, o, cb);
      };
      hub!.addClient(s);
      return s;
    });
    t = 1000; // long since the last pump: the budget would be its longest
    busy = true;
    hub.pump();
    const reached = sockets.filter((s) => s.frames.length > 0).length;
    expect(reached, "1 ms of budget: a couple of clients").toBeLessThanOrEqual(2);
    busy = false;
    t += 1000;
    hub.pump();
    const now = sockets.filter((s) => s.frames.length > 0).length;
    expect(now - reached, "not busy: the longest budget, 8 ms").toBeGreaterThan(4);
  });
});
