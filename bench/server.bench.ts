/**
 * `npm run bench -- server` (loopback only, bounded in count and time, ~40 s):
 * - HTTP: requests/s on `GET /api/symbols/:symbol/latest` (zod validation, store read, JSON)
 *   with autocannon in a worker thread, beside a bare hono "hello" route on the same adapter in
 *   the same run. Target: >= 20,000 req/s.
 * - WebSocket: 100 clients (in a child process) subscribed to every symbol's slices of a
 *   50-symbol, 5-session replay at max speed: once with the default limits (every client should
 *   get every slice), once with small queues and ten clients stalled for two seconds (drops must
 *   happen). Every client must hold every slice in order or have been told exactly which it
 *   missed (received + reported missed = all, no overlap). Beside: the replay with no client.
 * - Dashboard (when /usr/bin/chromium exists): the page in headless Chromium during a 500-symbol,
 *   2-session replay at max speed: WebSocket messages and bytes per second it receives, and its
 *   frame intervals (requestAnimationFrame), beside the same page idle for as long.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { chromium } from "playwright-core";
import { AnalysisEngine } from "../src/analysis/public.js";
import { xnysCalendar } from "../src/calendar/xnys.js";
import { createServer } from "../src/server/public.js";
import { sampleStore } from "../src/server/server.test-helpers.js";
import { SessionData } from "../src/store/public.js";

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Cannon;

const HTTP_SECONDS = 6;
const CONNECTIONS = 64;
const CLIENTS = 100;
const SLOW_CLIENTS = 10;
const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${String(i).padStart(3, "0")}`);
const FROM = "2024-01-03";
const TO = "2024-01-09";

async function cannon(url: string): Promise<CannonResult> {
  return autocannon({ url, connections: CONNECTIONS, duration: HTTP_SECONDS, workers: 1 });
}

function listenBare(): Promise<{ server: Server; url: string }> {
  const app = new Hono().get("/hello", (c) => c.text("hello"));
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/hello` });
    }),
  );
}

/**
 * The clients, run by `node -e` in a child process: each subscribes to `"*"` slices, checks that
 * sequence numbers only grow, and records what `dropped` notices said it missed. After the
 * parent writes the total slice count to stdin, each client's account is checked and printed.
 */
const CLIENT_SCRIPT = `
const WebSocket = require("ws");
const [url, n, slow] = process.argv.slice(1);
const clients = [];
let opened = 0;
for (let i = 0; i < Number(n); i++) {
  const c = { got: 0, last: -1, ordered: true, missed: [], seqs: new Set(), notices: 0 };
  const ws = new WebSocket(url);
  ws.on("open", () => {
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["*"], channels: ["slices"] }));
  });
  ws.on("message", (data) => {
    const m = JSON.parse(String(data));
    if (m.type === "subscribed") {
      if (i < Number(slow)) { ws.pause(); setTimeout(() => ws.resume(), 2000); }
      if (++opened === Number(n)) process.stdout.write("ready\\n");
    } else if (m.type === "slice") {
      if (m.seq <= c.last) c.ordered = false;
      c.last = m.seq; c.got++; c.seqs.add(m.seq);
    } else if (m.type === "dropped" && m.slices) {
      c.notices++;
      c.missed.push([m.slices.fromSeq, m.slices.toSeq, m.slices.count]);
    }
  });
  clients.push(c);
}
process.stdin.once("data", (line) => {
  const total = Number(String(line).trim());
  const deadline = Date.now() + 20000;
  const account = (c) => c.got + c.missed.reduce((a, [, , k]) => a + k, 0);
  const check = () => {
    if (clients.some((c) => account(c) < total) && Date.now() < deadline) return setTimeout(check, 20);
    const out = clients.map((c) => {
      const missedSeqs = new Set();
      for (const [a, b] of c.missed) for (let s = a; s <= b; s++) missedSeqs.add(s);
      let exact = c.ordered && account(c) === total && missedSeqs.size === account(c) - c.got;
      for (let s = 0; s < total && exact; s++) if (c.seqs.has(s) === missedSeqs.has(s)) exact = false;
      return { got: c.got, missed: missedSeqs.size, notices: c.notices, exact };
    });
    process.stdout.write(JSON.stringify(out) + "\\n");
    process.exit(0);
  };
  check();
});
`;

async function replayAlone(store: Awaited<ReturnType<typeof sampleStore>>) {
  const server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
  });
  const t0 = performance.now();
  await server.replay.start({ from: FROM, to: TO });
  await server.replay.settled();
  const ms = performance.now() - t0;
  const state = server.replay.state;
  await server.close();
  return { ms, slices: state.slices, bars: state.bars };
}

async function replayWithClients(
  store: Awaited<ReturnType<typeof sampleStore>>,
  slow: number,
  hub: { maxQueueMessages?: number; highWaterMark?: number },
) {
  const server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
    hub,
  });
  const { url } = await server.listen(0, "127.0.0.1");
  const child = spawn(
    process.execPath,
    ["-e", CLIENT_SCRIPT, `${url.replace(/^http/, "ws")}/ws`, String(CLIENTS), String(slow)],
    { cwd: process.cwd(), stdio: ["pipe", "pipe", "inherit"] },
  );
  let out = "";
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  child.stdout.on("data", (d) => {
    out += String(d);
    let i = out.indexOf("\n");
    while (i >= 0) {
      lines.push(out.slice(0, i));
      out = out.slice(i + 1);
      i = out.indexOf("\n");
    }
    wake?.();
  });
  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) await new Promise<void>((r) => (wake = r));
    return lines.shift()!;
  };
  await nextLine(); // ready: every client subscribed
  const t0 = performance.now();
  await server.replay.start({ from: FROM, to: TO });
  await server.replay.settled();
  const ms = performance.now() - t0;
  const state = server.replay.state;
  child.stdin.write(`${server.hub.sliceSeq}\n`);
  const accounts = JSON.parse(await nextLine()) as {
    got: number;
    missed: number;
    notices: number;
    exact: boolean;
  }[];
  const told = [...server.hub.clients].reduce((n, c) => n + c.dropped, 0);
  await server.close();
  child.kill();
  return { ms, slices: state.slices, bars: state.bars, total: server.hub.sliceSeq, accounts, told };
}

/** Counts WebSocket messages and bytes and records frame times; installed before the page loads. */
const PAGE_PROBE = `(() => {
  const probe = { messages: 0, bytes: 0, frames: [], counting: false };
  window.__probe = probe;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (!probe.counting) return;
        probe.messages++;
        probe.bytes += e.data.length;
      });
    }
  };
  const tick = (t) => {
    if (probe.counting) probe.frames.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

interface PageFigures {
  seconds: number;
  messagesPerSecond: number;
  kbPerSecond: number;
  frames: number;
  p50: number;
  p99: number;
  max: number;
}

const READ_PROBE = `(() => {
  const p = window.__probe;
  p.counting = false;
  const f = p.frames;
  const gaps = [];
  for (let i = 1; i < f.length; i++) gaps.push(f[i] - f[i - 1]);
  gaps.sort((a, b) => a - b);
  const q = (x) => (gaps.length === 0 ? 0 : gaps[Math.min(gaps.length - 1, Math.floor(x * gaps.length))]);
  return { messages: p.messages, bytes: p.bytes, frames: f.length, p50: q(0.5), p99: q(0.99), max: gaps.at(-1) ?? 0 };
})()`;

/** The dashboard during a 500-symbol replay at max speed, and idle for as long (baseline). */
async function dashboardFigures(): Promise<
  { replay: PageFigures; idle: PageFigures; flushes: number } | undefined
> {
  const CHROMIUM = "/usr/bin/chromium";
  if (!existsSync(CHROMIUM)) return undefined;
  const symbols = Array.from({ length: 500 }, (_, i) => `T${String(i).padStart(3, "0")}`);
  const store = await sampleStore({ symbols, from: FROM, to: "2024-01-04" });
  const sessionData = new SessionData({ calendar: xnysCalendar });
  const analysis = new AnalysisEngine({ sessionData, indicators: ["sma:50", "ema:20", "rsi:14"] });
  const server = createServer({ sessionData, barStore: store, analysis });
  const { url } = await server.listen(0, "127.0.0.1");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await page.addInitScript(PAGE_PROBE);
    await page.goto(url);
    await page.locator("#conn.on").waitFor();
    const measure = async (during: () => Promise<void>): Promise<PageFigures> => {
      await page.evaluate("window.__probe.counting = true");
      const t0 = performance.now();
      await during();
      const seconds = (performance.now() - t0) / 1000;
      const r = await page.evaluate<{
        messages: number;
        bytes: number;
        frames: number;
        p50: number;
        p99: number;
        max: number;
      }>(READ_PROBE);
      await page.evaluate(
        "window.__probe.frames = []; window.__probe.messages = 0; window.__probe.bytes = 0",
      );
      return {
        seconds,
        messagesPerSecond: r.messages / seconds,
        kbPerSecond: r.bytes / 1024 / seconds,
        frames: r.frames,
        p50: r.p50,
        p99: r.p99,
        max: r.max,
      };
    };
    const flushesBefore = server.hub.flushes;
    const replay = await measure(async () => {
      await page.click("#btn-start");
      await page.locator("#replay-state", { hasText: "finished" }).waitFor({ timeout: 120_000 });
    });
    const flushes = server.hub.flushes - flushesBefore;
    const idle = await measure(() => new Promise((r) => setTimeout(r, replay.seconds * 1000)));
    return { replay, idle, flushes };
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function run(): Promise<void> {
  const store = await sampleStore({ symbols: SYMBOLS, from: FROM, to: TO });

  // --- HTTP ---
  const api = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
  });
  await api.replay.start({ from: FROM, to: FROM, symbols: SYMBOLS });
  await api.replay.settled();
  const { url } = await api.listen(0, "127.0.0.1");
  const bare = await listenBare();
  const latestUrl = `${url}/api/symbols/S007/latest`;
  // Warm both up, then measure them alternately so a busy neighbour hurts neither alone.
  await autocannon({ url: bare.url, connections: CONNECTIONS, duration: 1, workers: 1 });
  await autocannon({ url: latestUrl, connections: CONNECTIONS, duration: 1, workers: 1 });
  const hello = await cannon(bare.url);
  const latest = await cannon(latestUrl);
  await api.close();
  await new Promise<void>((r) => bare.server.close(() => r()));
  const row = (name: string, r: CannonResult) => ({
    route: name,
    "req/s": Math.round(r.requests.average),
    requests: r.requests.total,
    "p50 ms": r.latency.p50,
    "p99 ms": r.latency.p99,
    "non-2xx": r.non2xx,
    errors: r.errors,
  });
  console.log(`HTTP: autocannon, ${CONNECTIONS} connections, ${HTTP_SECONDS} s each, loopback`);
  console.table([
    row("GET /api/symbols/S007/latest (ours)", latest),
    row("GET /hello (bare hono, baseline)", hello),
  ]);
  console.log(
    `latest-bar route: ${Math.round(latest.requests.average).toLocaleString("en-US")} req/s (goal >= 20,000): ${latest.requests.average >= 20_000 ? "met" : "NOT met"}; ${((latest.requests.average / hello.requests.average) * 100).toFixed(0)}% of bare hono`,
  );

  // --- WebSocket fan-out ---
  const alone = await replayAlone(store);
  // Default limits, nobody stalls: every client should get every slice. Then small queues with
  // ten clients stalled for 2 s, so drops happen and their accounting is checked.
  const runs = [
    { name: `${CLIENTS} clients, default limits`, fan: await replayWithClients(store, 0, {}) },
    {
      name: `${CLIENTS} clients, ${SLOW_CLIENTS} stall 2 s, queue 256 msgs, HWM 256 KiB`,
      fan: await replayWithClients(store, SLOW_CLIENTS, {
        maxQueueMessages: 64,
        highWaterMark: 64 * 1024,
      }),
    },
  ];
  console.log(
    `\nWebSocket: ${CLIENTS} clients ("*", slices) of a ${SYMBOLS.length}-symbol replay, ${FROM}..${TO}, max speed`,
  );
  console.table([
    ...runs.map(({ name, fan }) => ({
      run: `replay + ${name} (ours)`,
      "wall ms": Math.round(fan.ms),
      "bars/s": Math.round(fan.bars / (fan.ms / 1000)),
      slices: fan.total,
      "clients complete": fan.accounts.filter((a) => a.missed === 0 && a.got === fan.total).length,
      "clients exact": fan.accounts.filter((a) => a.exact).length,
      "slices missed (reported)": fan.accounts.reduce((n, a) => n + a.missed, 0),
      "msgs dropped (server)": fan.told,
    })),
    {
      run: "replay, no client (baseline)",
      "wall ms": Math.round(alone.ms),
      "bars/s": Math.round(alone.bars / (alone.ms / 1000)),
      slices: alone.slices,
      "clients complete": 0,
      "clients exact": 0,
      "slices missed (reported)": 0,
      "msgs dropped (server)": 0,
    },
  ]);
  console.log(
    "complete: every slice received, in order; exact: received + reported-missed = every slice, in order, no overlap.\n" +
      "The 100 clients share one child process, which parses more slowly than the server sends: with small queues every\n" +
      "client falls behind and drops (drop-oldest), and each is told exactly which slices it missed.",
  );

  // --- the dashboard with 500 symbols ---
  const page = await dashboardFigures();
  if (page === undefined) {
    console.log("\nDashboard: skipped (/usr/bin/chromium is missing)");
    return;
  }
  const pageRow = (name: string, f: PageFigures) => ({
    page: name,
    seconds: Number(f.seconds.toFixed(1)),
    "ws msgs/s": Number(f.messagesPerSecond.toFixed(1)),
    "ws KiB/s": Math.round(f.kbPerSecond),
    frames: f.frames,
    "frame p50 ms": Number(f.p50.toFixed(1)),
    "frame p99 ms": Number(f.p99.toFixed(1)),
    "frame max ms": Number(f.max.toFixed(1)),
  });
  console.log(
    "\nDashboard in headless Chromium: 500 symbols x 2 sessions at max speed, with analysis",
  );
  console.table([
    pageRow("during the replay (ours)", page.replay),
    pageRow("idle page (baseline)", page.idle),
  ]);
  console.log(
    `server flushes during the replay: ${page.flushes} (${(page.flushes / page.replay.seconds).toFixed(1)}/s; the page gets at most one update per flush)`,
  );
}
