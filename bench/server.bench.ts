/**
 * `npm run bench -- server` (loopback only, bounded in count and time):
 * - Fan-out (issue #13): a max-speed replay of 100 symbols x 8 sessions with 0, 100 and 1,000
 *   WebSocket clients (in a child process) subscribed to every symbol's slices and bars, in one
 *   run, the no-client replay measured first and again last (its baseline). Goal: 1,000 clients
 *   >= 80 % of the no-client bars/s. During each replay a second child process asks
 *   `GET /api/symbols/:s/latest` every 5 ms, one request at a time: its p50/p99/max latency
 *   (goal p99 <= 50 ms). Every client's account is checked: slices received + slices reported
 *   missed in `behind` notices = every slice, in order, no overlap.
 * - Dashboard (when /usr/bin/chromium exists): the page in headless Chromium during a 500-symbol,
 *   2-session replay at max speed: WebSocket messages and bytes per second it receives, and its
 *   frame intervals (requestAnimationFrame), beside the same page idle for as long.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { AnalysisEngine } from "../src/analysis/public.js";
import { xnysCalendar } from "../src/calendar/xnys.js";
import { createServer } from "../src/server/public.js";
import { sampleStore } from "../src/server/server.test-helpers.js";
import { SessionData } from "../src/store/public.js";

const SYMBOLS = Array.from({ length: 100 }, (_, i) => `S${String(i).padStart(3, "0")}`);
const FROM = "2024-01-03";
const TO = "2024-01-12";

/**
 * The clients, run by `node -e` in a child process: each subscribes to `"*"` slices and bars,
 * checks that sequence numbers only grow, and records what `behind` notices said it missed.
 * After the parent writes the total slice count to stdin, each account is checked and printed.
 */
const CLIENT_SCRIPT = `
const WebSocket = require("ws");
const [url, n] = process.argv.slice(1);
const clients = [];
let opened = 0;
for (let i = 0; i < Number(n); i++) {
  const c = { got: 0, last: -1, ordered: true, missed: [], seqs: new Set(), behind: 0, states: 0 };
  const ws = new WebSocket(url);
  ws.on("open", () => {
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["*"], channels: ["slices", "bars"] }));
  });
  ws.on("message", (data) => {
    // Slices are most of the traffic: read their seq from the first bytes instead of parsing
    // the whole message, so the client process (sharing the machine) costs the server less.
    const head = data.toString("latin1", 0, 40);
    const sm = /^\\{"type":"slice","seq":(\\d+)/.exec(head);
    const m = sm === null ? JSON.parse(String(data)) : { type: "slice", seq: Number(sm[1]) };
    if (m.type === "subscribed") {
      if (++opened === Number(n)) process.stdout.write("ready\\n");
    } else if (m.type === "slice") {
      if (m.seq <= c.last) c.ordered = false;
      c.last = m.seq; c.got++; c.seqs.add(m.seq);
    } else if (m.type === "state") {
      c.states++;
      if (m.seq < c.last) c.ordered = false;
      c.last = m.seq;
    } else if (m.type === "behind" && m.slices) {
      if (m.slices.fromSeq !== c.last + 1 && c.last >= 0) c.ordered = false;
      c.behind++;
      c.missed.push([m.slices.fromSeq, m.slices.toSeq, m.slices.count]);
    }
  });
  clients.push(c);
}
process.stdin.once("data", (line) => {
  const [from, to] = String(line).trim().split(" ").map(Number);
  const total = to - from;
  const deadline = Date.now() + 30000;
  const account = (c) => c.got + c.missed.reduce((a, [, , k]) => a + k, 0);
  const check = () => {
    if (clients.some((c) => account(c) < total) && Date.now() < deadline) return setTimeout(check, 20);
    const out = clients.map((c) => {
      const missedSeqs = new Set();
      for (const [a, b] of c.missed) for (let s = a; s <= b; s++) missedSeqs.add(s);
      let exact = c.ordered && account(c) === total && missedSeqs.size === account(c) - c.got;
      for (let s = from; s < to && exact; s++) if (c.seqs.has(s) === missedSeqs.has(s)) exact = false;
      return { got: c.got, missed: missedSeqs.size, behind: c.behind, exact };
    });
    process.stdout.write(JSON.stringify(out) + "\\n");
    process.exit(0);
  };
  check();
});
`;

/** Asks one URL every 5 ms, one request at a time, until stdin says stop; prints latencies. */
const PROBE_SCRIPT = `
const http = require("node:http");
const [url] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const ms = [];
let stop = false;
process.stdin.once("data", () => { stop = true; });
const once = () => {
  if (stop) {
    ms.sort((a, b) => a - b);
    const q = (x) => ms.length === 0 ? 0 : ms[Math.min(ms.length - 1, Math.floor(x * ms.length))];
    process.stdout.write(JSON.stringify({ n: ms.length, p50: q(0.5), p99: q(0.99), max: ms.at(-1) ?? 0 }) + "\\n");
    process.exit(0);
  }
  const t0 = performance.now();
  http.get(url, { agent }, (res) => {
    res.resume();
    res.on("end", () => {
      if (res.statusCode === 200) ms.push(performance.now() - t0);
      setTimeout(once, 5);
    });
  }).on("error", () => setTimeout(once, 5));
};
process.stdout.write("ready\\n");
once();
`;

/** A child process speaking lines on stdout. */
function child(script: string, args: string[]) {
  const proc = spawn(process.execPath, ["-e", script, ...args], {
    cwd: process.cwd(),
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  proc.stdout.on("data", (d) => {
    out += String(d);
    let i = out.indexOf("\n");
    while (i >= 0) {
      lines.push(out.slice(0, i));
      out = out.slice(i + 1);
      i = out.indexOf("\n");
    }
    wake?.();
  });
  return {
    proc,
    async line(): Promise<string> {
      while (lines.length === 0) await new Promise<void>((r) => (wake = r));
      return lines.shift()!;
    },
  };
}

interface Account {
  got: number;
  missed: number;
  behind: number;
  exact: boolean;
}

interface FanRun {
  clients: number;
  ms: number;
  bars: number;
  slices: number;
  accounts: Account[];
  latency: { n: number; p50: number; p99: number; max: number };
  encodings: number;
}

async function replayWith(
  store: Awaited<ReturnType<typeof sampleStore>>,
  clients: number,
): Promise<FanRun> {
  const sessionData = new SessionData({ calendar: xnysCalendar });
  const server = createServer({ sessionData, barStore: store });
  const { url } = await server.listen(0, "127.0.0.1");
  // One session first, so /latest has a symbol to answer for from the start.
  await server.replay.start({ from: FROM, to: FROM });
  await server.replay.settled();
  const fans =
    clients === 0
      ? undefined
      : child(CLIENT_SCRIPT, [`${url.replace(/^http/, "ws")}/ws`, String(clients)]);
  if (fans !== undefined) await fans.line(); // every client subscribed
  const probe = child(PROBE_SCRIPT, [`${url}/api/symbols/${SYMBOLS[7]}/latest`]);
  await probe.line();
  const seq0 = server.hub.sliceSeq;
  const enc0 = server.hub.sliceEncodings;
  const t0 = performance.now();
  await server.replay.start({ from: FROM, to: TO });
  await server.replay.settled();
  const ms = performance.now() - t0;
  probe.proc.stdin.write("stop\n");
  const latency = JSON.parse(await probe.line()) as FanRun["latency"];
  const state = server.replay.state;
  let accounts: Account[] = [];
  if (fans !== undefined) {
    // The measured replay's slices are seq0 .. sliceSeq - 1 (the warm-up session came before).
    fans.proc.stdin.write(`${seq0} ${server.hub.sliceSeq}\n`);
    accounts = (JSON.parse(await fans.line()) as Account[]).map((a) => a);
    fans.proc.kill();
  }
  const encodings = server.hub.sliceEncodings - enc0;
  await server.close();
  probe.proc.kill();
  return {
    clients,
    ms,
    bars: state.bars,
    slices: server.hub.sliceSeq - seq0,
    accounts,
    latency,
    encodings,
  };
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
  const runs: (FanRun & { name: string })[] = [];
  for (const [name, n] of [
    ["no client (baseline)", 0],
    ["100 clients", 100],
    ["1,000 clients", 1000],
    ["no client (baseline, again)", 0],
  ] as const) {
    runs.push({ name, ...(await replayWith(store, n)) });
  }
  const bps = (r: FanRun) => r.bars / (r.ms / 1000);
  const base = (bps(runs[0]!) + bps(runs[3]!)) / 2;
  console.log(
    `Fan-out: max-speed replay of ${SYMBOLS.length} symbols, ${FROM}..${TO}; clients subscribed to "*" slices + bars; /latest probed every 5 ms`,
  );
  console.table(
    runs.map((r) => ({
      run: r.name,
      "wall ms": Math.round(r.ms),
      "bars/s": Math.round(bps(r)),
      "% of no client": Math.round((bps(r) / base) * 100),
      "slice encodings": r.encodings,
      "clients exact":
        r.clients === 0 ? "-" : `${r.accounts.filter((a) => a.exact).length}/${r.clients}`,
      "clients behind": r.accounts.filter((a) => a.behind > 0).length,
      "slices got (avg)":
        r.clients === 0 ? "-" : Math.round(r.accounts.reduce((n, a) => n + a.got, 0) / r.clients),
      "/latest n": r.latency.n,
      "p50 ms": Number(r.latency.p50.toFixed(2)),
      "p99 ms": Number(r.latency.p99.toFixed(2)),
      "max ms": Number(r.latency.max.toFixed(2)),
    })),
  );
  const thousand = runs[2]!;
  const ratio = bps(thousand) / base;
  console.log(
    `1,000 clients: ${(ratio * 100).toFixed(0)}% of the no-client bars/s (goal >= 80%): ${ratio >= 0.8 ? "met" : "NOT met"}; ` +
      `/latest p99 during it ${thousand.latency.p99.toFixed(1)} ms (goal <= 50 ms): ${thousand.latency.p99 <= 50 ? "met" : "NOT met"}`,
  );
  console.log(
    "exact: slices received + reported missed (behind notices) = every slice, in order, no overlap.\n" +
      "A client that falls behind gets one behind notice and the latest state instead of the backlog.",
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
