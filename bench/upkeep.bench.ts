/**
 * `npm run bench -- upkeep`: a completeness check over 5,000 symbols of a full XNYS session
 * (390 bars each, 1.95 million bars) with `DataUpkeep.checkAll`, beside a naive scan that builds
 * a Set of each symbol's bar times and walks every expected minute. Target: <= 5 ms per check.
 */
import { Bench } from "tinybench";
import { xnysCalendar } from "../src/calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../src/domain/bar.js";
import { SessionData } from "../src/store/public.js";
import { noWait } from "../src/upkeep/backoff.js";
import { DataUpkeep } from "../src/upkeep/data-upkeep.js";
import type { Gap } from "../src/upkeep/gap.js";

const SYMBOLS = 5_000;
const DATE = "2024-01-08";

/** The obvious way: a Set of present times per symbol, then every expected minute looked up. */
function naiveCheck(sd: SessionData, symbols: readonly string[], open: number, end: number): Gap[] {
  const out: Gap[] = [];
  for (const symbol of symbols) {
    const have = new Set(sd.getSeries(symbol)?.time ?? []);
    let start = Number.NaN;
    for (let t = open; t <= end; t += MINUTE_MS) {
      const missing = t < end && !have.has(t);
      if (missing && Number.isNaN(start)) start = t;
      if (!missing && !Number.isNaN(start)) {
        out.push({ symbol, start, end: t, count: (t - start) / MINUTE_MS });
        start = Number.NaN;
      }
    }
  }
  return out;
}

function build(holeyEvery: number): { sd: SessionData; symbols: string[] } {
  const sd = new SessionData({ calendar: xnysCalendar, historySessions: 0 });
  sd.startSession(DATE);
  const s = xnysCalendar.session(DATE)!;
  const symbols: string[] = [];
  for (let k = 0; k < SYMBOLS; k++) {
    const symbol = `S${String(k).padStart(4, "0")}`;
    symbols.push(symbol);
    const bars: Bar[] = [];
    for (let m = 0; m < 390; m++) {
      // Every `holeyEvery`-th symbol misses three scattered minutes.
      if (holeyEvery > 0 && k % holeyEvery === 0 && (m === 17 + (k % 50) || m === 200 || m === 389))
        continue;
      const p = 100 + (m % 7);
      bars.push({
        time: s.open + m * MINUTE_MS,
        open: p,
        high: p + 1,
        low: p - 1,
        close: p,
        volume: 10,
      });
    }
    sd.addBars(symbol, bars);
  }
  sd.advanceClock(s.close);
  return { sd, symbols };
}

export async function run(): Promise<void> {
  const s = xnysCalendar.session(DATE)!;
  const rows: Record<string, string | number>[] = [];
  for (const [label, holeyEvery] of [
    ["complete", 0],
    ["5% of symbols with 3 gaps", 20],
  ] as const) {
    const t0 = performance.now();
    const { sd, symbols } = build(holeyEvery);
    const buildMs = performance.now() - t0;
    const upkeep = new DataUpkeep({
      sessionData: sd,
      source: { readBars: async () => [] },
      sleep: noWait,
    });
    const ours = upkeep.checkAll(s.close);
    const naive = naiveCheck(sd, symbols, s.open, s.close);
    if (JSON.stringify(ours) !== JSON.stringify(naive)) {
      throw new Error(
        `checkAll and the naive scan disagree (${ours.length} vs ${naive.length} gaps)`,
      );
    }
    let sink = 0;
    const bench = new Bench({ time: 1_500, warmup: true });
    bench
      .add(`checkAll, ${label}`, () => {
        sink += upkeep.checkAll(s.close).length;
      })
      .add(`naive Set scan, ${label}`, () => {
        sink += naiveCheck(sd, symbols, s.open, s.close).length;
      });
    if (holeyEvery === 0) {
      // The whole per-interval pass of a replay when nothing is missing (check + quality upkeep).
      bench.add(`runOnce, ${label}`, async () => {
        await upkeep.runOnce(s.close);
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { latency?: { p50: number; p99: number } } | undefined;
      rows.push({
        check: task.name,
        symbols: SYMBOLS,
        gaps: ours.length,
        "median ms": Number((result?.latency?.p50 ?? Number.NaN).toFixed(3)),
        "p99 ms": Number((result?.latency?.p99 ?? Number.NaN).toFixed(3)),
      });
    }
    const missing = ours.reduce((n, g) => n + g.count, 0);
    console.error(`(${label}: ${SYMBOLS * 390 - missing} bars loaded in ${buildMs.toFixed(0)} ms)`);
    if (sink === 0 && holeyEvery > 0) console.log("(sink)");
  }
  console.table(rows);
  console.log("target: checkAll over 5,000 symbols <= 5 ms (median)");
}
