import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { xnysCalendar } from "../calendar/public.js";
import type { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";
import { createServer, type SessiondataServer } from "./server.js";
import { sampleStore } from "./server.test-helpers.js";

const DAY = "2024-01-03";
const OPEN = xnysCalendar.session(DAY)!.open;
const TOKEN = "a-token-of-twenty-chars";
let store: MemoryBarStore;

beforeAll(async () => {
  store = await sampleStore({
    symbols: ["AAA", "BBB", "CCC"],
    from: DAY,
    to: DAY,
    holes: [["BBB", 30, 10]],
  });
});

let server: SessiondataServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await server?.close();
  server = undefined;
});

// biome-ignore lint/suspicious/noExplicitAny: messages are checked field by field
type Msg = Record<string, any>;

async function listen(
  token?: string,
  limits: { maxQueueMessages?: number; highWaterMark?: number } = {},
): Promise<string> {
  server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
    ...(token === undefined ? {} : { token }),
    hub: { flushIntervalMs: 20, ...limits },
  });
  const { url } = await server.listen(0, "127.0.0.1");
  return url.replace(/^http/, "ws");
}

/** Opens a socket and collects every message it receives. */
function open(
  url: string,
  headers?: Record<string, string>,
): Promise<{ ws: WebSocket; got: Msg[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, headers === undefined ? {} : { headers });
    sockets.push(ws);
    const got: Msg[] = [];
    ws.on("message", (data) => {
      for (const line of String(data).split("\n")) got.push(JSON.parse(line) as Msg);
    });
    ws.once("open", () => resolve({ ws, got }));
    ws.once("error", reject);
  });
}

async function until(predicate: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("WebSocket /ws", () => {
  it("delivers every slice of a max-speed replay in order to a '*' subscriber", async () => {
    const url = await listen();
    const { ws, got } = await open(`${url}/ws`);
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["*"], channels: ["slices", "quality"] }));
    await until(() => got.some((m) => m.type === "subscribed"), "subscribed");
    await server!.replay.start({});
    await server!.replay.settled();
    await until(() => got.filter((m) => m.type === "slice").length === 390, "390 slices");
    const slices = got.filter((m) => m.type === "slice");
    expect(slices.map((m) => m.seq)).toEqual(Array.from({ length: 390 }, (_, i) => i));
    expect(slices.map((m) => m.time)).toEqual(
      Array.from({ length: 390 }, (_, i) => OPEN + i * 60_000),
    );
    expect(Object.keys(slices[0]!.bars)).toEqual(["AAA", "BBB", "CCC"]);
    expect(Object.keys(slices[35]!.bars), "BBB's hole").toEqual(["AAA", "CCC"]);
    expect(
      got.filter((m) => m.type === "behind"),
      "a fast client misses nothing",
    ).toEqual([]);
    const quality = got.filter((m) => m.type === "quality").map((m) => m.event);
    expect(
      quality.some(
        (e) => e.type === "gapDetected" && e.symbol === "BBB" && e.start === OPEN + 30 * 60_000,
      ),
    ).toBe(true);
    expect(quality.filter((e) => e.type === "gapUnfillable").reduce((n, e) => n + e.count, 0)).toBe(
      10,
    );
    expect(got.filter((m) => m.type === "session").map((m) => m.event)).toEqual(["start", "end"]);
  });

  it("finishes the replay while a client reads nothing, then accounts for every slice", async () => {
    const url = await listen(undefined, { maxQueueMessages: 16, highWaterMark: 1024 });
    const { ws, got } = await open(`${url}/ws`);
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["*"], channels: ["slices"] }));
    await until(() => got.some((m) => m.type === "subscribed"), "subscribed");
    ws.pause();
    await server!.replay.start({});
    await server!.replay.settled();
    expect(server!.replay.state.state, "a stalled reader does not hold the replay").toBe(
      "finished",
    );
    const [client] = [...server!.hub.clients];
    expect(client!.queued, "the queue stays within its bound").toBeLessThanOrEqual(16);
    ws.resume();
    const accounted = () =>
      got.filter((m) => m.type === "slice").length +
      got.filter((m) => m.type === "behind").reduce((n, m) => n + (m.slices?.count ?? 0), 0);
    await until(() => accounted() === 390, "every slice received or reported");
    const seqs = got.filter((m) => m.type === "slice").map((m) => m.seq as number);
    expect(seqs, "in order").toEqual([...seqs].sort((a, b) => a - b));
    const missed = got
      .filter((m) => m.type === "behind" && m.slices)
      .flatMap((m) => Array.from({ length: m.slices.count }, (_, i) => m.slices.fromSeq + i));
    expect(new Set([...seqs, ...missed]).size, "no slice both received and reported").toBe(390);
  });

  it("sends coalesced bar snapshots and the replay state on the default channels", async () => {
    const url = await listen();
    const { ws, got } = await open(`${url}/ws`);
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["CCC"] }));
    await until(() => got.some((m) => m.type === "subscribed"), "subscribed");
    await server!.replay.start({});
    await server!.replay.settled();
    await until(
      () => got.some((m) => m.type === "update" && m.replay?.state === "finished"),
      "the finished state",
    );
    const updates = got.filter((m) => m.type === "update");
    const bars = updates.filter((m) => m.bars !== undefined).map((m) => m.bars);
    expect(bars.length, "coalesced: far fewer updates than 390 bars").toBeLessThan(390);
    expect(
      bars.every((b) => Object.keys(b).every((s) => s === "CCC")),
      "only CCC",
    ).toBe(true);
    await until(
      () => got.some((m) => m.type === "update" && m.bars?.CCC?.time === OPEN + 389 * 60_000),
      "the last bar",
    );
    expect(
      got.some((m) => m.type === "slice"),
      "slices were not asked for",
    ).toBe(false);
  });

  it("reports a live session's status over the WebSocket and GET /api/status", async () => {
    let status = { state: "live", feed: "sim", lateBars: 0 };
    const listeners: ((s: typeof status) => void)[] = [];
    server = createServer({
      sessionData: new SessionData({ calendar: xnysCalendar }),
      barStore: store,
      hub: { flushIntervalMs: 20 },
      status: {
        current: () => status,
        subscribe: (l) => {
          listeners.push(l);
          return () => undefined;
        },
      },
    });
    const { url } = await server.listen(0, "127.0.0.1");
    const { ws, got } = await open(`${url.replace(/^http/, "ws")}/ws`);
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["*"], channels: ["bars"] }));
    await until(() => got.some((m) => m.type === "update" && m.status), "the first status");
    expect(got.find((m) => m.status)!.status).toEqual({ state: "live", feed: "sim", lateBars: 0 });
    status = { state: "reconnecting", feed: "sim", lateBars: 2 };
    for (const l of listeners) l(status);
    await until(
      () => got.some((m) => m.type === "update" && m.status?.state === "reconnecting"),
      "the changed status",
    );
    const res = await fetch(`${url}/api/status`);
    expect(await res.json()).toMatchObject({ live: status, replay: "idle" });
  });

  it("answers a bad message with an error naming the field, and stays open", async () => {
    const url = await listen();
    const { ws, got } = await open(`${url}/ws`);
    ws.send("{nope");
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["AAA"], channels: ["trades"] }));
    ws.send(JSON.stringify({ type: "dance" }));
    ws.send(JSON.stringify({ type: "ping" }));
    await until(() => got.some((m) => m.type === "pong"), "pong");
    const errors = got.filter((m) => m.type === "error").map((m) => m.message);
    expect(errors[0]).toBe("message: is not valid JSON");
    expect(errors[1]).toMatch(
      /^channels\.0: must be one of bars, analysis, quality, gaps, slices \(got "trades"\)$/,
    );
    expect(errors[2]).toMatch(/^type: must be one of "subscribe", "unsubscribe", "ping"$/);
  });

  it("refuses an upgrade without the token, accepts the header or access_token", async () => {
    const url = await listen(TOKEN);
    await expect(open(`${url}/ws`)).rejects.toThrow(/401/);
    await expect(open(`${url}/ws?access_token=wrong`)).rejects.toThrow(/401/);
    const byQuery = await open(`${url}/ws?access_token=${TOKEN}`);
    const byHeader = await open(`${url}/ws`, { Authorization: `Bearer ${TOKEN}` });
    await until(() => byQuery.got.length > 0 && byHeader.got.length > 0, "hello");
    expect(byQuery.got[0]!.type).toBe("hello");
  });

  it("refuses upgrades on other paths", async () => {
    const url = await listen();
    await expect(open(`${url}/other`)).rejects.toThrow(/404/);
  });
});
