/**
 * `npm run bench -- store`: SessionData's reads, its write throughput and its memory per bar,
 * each beside a naive baseline measured in the same run (an array of bar objects per symbol in a
 * Map, read with `slice`/`filter`; raw typed-array writes; a bare `Map.get`).
 *
 * Reads are timed with hand-rolled loops: tinybench times every call separately, and its own
 * overhead (tens of ns) would swamp reads that cost a few ns. Each figure is the median of
 * several batches of many calls; every loop folds its results into a sink so nothing is
 * optimised away, and the baselines pay the same loop and sink.
 */
import { loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { alwaysOpenCalendar } from "../src/calendar/utc-day-calendar.js";
import { xnysCalendar } from "../src/calendar/xnys.js";
import type { Bar } from "../src/domain/bar.js";
import type { Provenance } from "../src/domain/provenance.js";
import { BarBuffer, BarView } from "../src/store/bar-buffer.js";
import { SessionData } from "../src/store/session-data.js";
import type { SymbolSessionData } from "../src/store/symbol-session-data.js";

const SYMBOLS = 500;
const DATE = "2024-01-03";
const ROTATE = 64; // reads cycle over 64 symbols so no single key stays hot

function symbolName(i: number): string {
  return `SYM${String(i).padStart(4, "0")}`;
}

function makeBar(time: number, i: number, k: number): Bar {
  const open = 100 + (i % 50) + (k % 13) * 0.01;
  const close = open + ((k % 7) - 3) * 0.01;
  return {
    time,
    open,
    high: Math.max(open, close) + 0.02,
    low: Math.min(open, close) - 0.02,
    close,
    volume: 100 + (k % 17),
  };
}

/** Median ns per op over `batches` runs of `iters` calls of `loop` (which returns a sink). */
function median(loop: (iters: number) => number, iters: number, batches = 11): number {
  let sink = loop(Math.min(iters, 10_000)); // warm-up so the JIT settles before timing
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    sink += loop(iters);
    samples.push(Number(process.hrtime.bigint() - t0) / iters);
  }
  if (sink === Number.NEGATIVE_INFINITY) console.log("unreachable", sink);
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

function fmt(ns: number): string {
  return ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : ns.toFixed(0);
}

/** A full XNYS day (extended hours included) of bars for every symbol, in feed order. */
function feedDay(): Bar[][] {
  const s = xnysCalendar.session(DATE)!;
  const perMinute: Bar[][] = [];
  for (let t = s.preOpen, k = 0; t < s.postClose; t += 60_000, k++) {
    const row: Bar[] = [];
    for (let i = 0; i < SYMBOLS; i++) row.push(makeBar(t, i, k));
    perMinute.push(row);
  }
  return perMinute;
}

/** The read benchmarks, in a function of their own so their stores are garbage afterwards. */
function readBench(): void {
  const day = feedDay();
  const sd = new SessionData({ calendar: xnysCalendar });
  const naive = new Map<string, Bar[]>();
  for (const row of day) {
    for (let i = 0; i < SYMBOLS; i++) {
      sd.addBar(symbolName(i), row[i]!);
      const list = naive.get(symbolName(i));
      if (list === undefined) naive.set(symbolName(i), [row[i]!]);
      else list.push(row[i]!);
    }
  }
  reads(sd, naive);
}

function reads(sd: SessionData, naive: Map<string, Bar[]>): void {
  const names = Array.from({ length: ROTATE }, (_, i) => symbolName(i));
  const triples = names.map((_, i) => [
    names[i]!,
    names[(i + 1) % ROTATE]!,
    names[(i + 2) % ROTATE]!,
  ]);
  const M = ROTATE - 1;

  const rows: [string, string, string, string, number, number][] = [];
  const row = (
    read: string,
    target: string,
    claim: string,
    goal: string,
    ours: (n: number) => number,
    base: (n: number) => number,
    iters: number,
  ) => rows.push([read, target, claim, goal, median(ours, iters), median(base, iters)]);

  row(
    "getLatestBar",
    "< 1 µs",
    "0.05 µs",
    "≤ 25 ns",
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += sd.getLatestBar(names[i & M]!)!.close;
      return s;
    },
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += naive.get(names[i & M]!)!.slice(-1)[0]!.close;
      return s;
    },
    2_000_000,
  );
  row(
    "getLastNBars(20)",
    "< 5 µs",
    "1.2 µs",
    "≤ 600 ns",
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += sd.getLastNBars(names[i & M]!, 20)[19]!.close;
      return s;
    },
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += naive.get(names[i & M]!)!.slice(-20)[19]!.close;
      return s;
    },
    200_000,
  );
  row(
    "getBarCount",
    "< 0.1 µs",
    "0.01 µs",
    "≤ 15 ns",
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += sd.getBarCount(names[i & M]!);
      return s;
    },
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += naive.get(names[i & M]!)!.length;
      return s;
    },
    2_000_000,
  );
  row(
    "getLatestBarsMulti(3)",
    "< 1 µs",
    "0.3 µs",
    "≤ 150 ns",
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += sd.getLatestBarsMulti(triples[i & M]!).size;
      return s;
    },
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const m = new Map(
          triples[i & M]!.map((x) => [x, naive.get(x)?.slice(-1)[0]] as const).filter(
            (e): e is readonly [string, Bar] => e[1] !== undefined,
          ),
        );
        s += m.size;
      }
      return s;
    },
    500_000,
  );

  console.log("\nReads (a full XNYS day of 960 bars per symbol, 500 symbols; median ns/op)");
  console.table(
    rows.map(([read, target, claim, goal, ours, base]) => ({
      read,
      "seed's target": target,
      "seed's claim": claim,
      "our goal": goal,
      "ours ns": fmt(ours),
      "naive ns": fmt(base),
      "naive / ours": `${(base / ours).toFixed(1)}×`,
    })),
  );

  // Through the per-symbol handle: no string hashing at all.
  const handles: SymbolSessionData[] = names.map((x) => sd.getSymbol(x)!);
  const map = new Map(names.map((x, i) => [x, i] as const));
  const latest = median((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += handles[i & M]!.getLatestBar()!.close;
    return s;
  }, 10_000_000);
  const count = median((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += handles[i & M]!.getBarCount();
    return s;
  }, 10_000_000);
  const mapGet = median((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += map.get(names[i & M]!)!;
    return s;
  }, 10_000_000);
  // Allocation-free last-20: copies into a caller-owned buffer (issue #19's goal: ≤ 10× one
  // Map.get in the same run, where getLastNBars(20) allocates 20 objects).
  const buf = new BarBuffer(20);
  const last20 = median((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      sd.readLastN(names[i & M]!, 20, buf);
      s += buf.close[19]!;
    }
    return s;
  }, 2_000_000);
  const last20Handle = median((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      handles[i & M]!.readLastN(20, buf);
      s += buf.close[19]!;
    }
    return s;
  }, 2_000_000);
  const view = new BarView();
  const last20View = median((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const k = sd.viewLastN(names[i & M]!, 20, view);
      s += view.close(k - 1);
    }
    return s;
  }, 2_000_000);
  const last20Objects = median((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += sd.getLastNBars(names[i & M]!, 20)[19]!.close;
    return s;
  }, 200_000);
  console.log(
    "\nThrough getSymbol(symbol) handles (goal ≤ 5 ns) and into a BarBuffer (goal ≤ 10× Map.get), beside a bare string-keyed Map.get",
  );
  const vsMap = (ns: number) => `${(ns / mapGet).toFixed(1)}×`;
  console.table([
    { read: "handle.getLatestBar()", "ns/op": fmt(latest), "× Map.get": vsMap(latest) },
    { read: "handle.getBarCount()", "ns/op": fmt(count), "× Map.get": vsMap(count) },
    { read: "sd.readLastN(symbol, 20, buf)", "ns/op": fmt(last20), "× Map.get": vsMap(last20) },
    {
      read: "handle.readLastN(20, buf)",
      "ns/op": fmt(last20Handle),
      "× Map.get": vsMap(last20Handle),
    },
    {
      read: "sd.viewLastN(symbol, 20, view)",
      "ns/op": fmt(last20View),
      "× Map.get": vsMap(last20View),
    },
    {
      read: "sd.getLastNBars(symbol, 20) (objects)",
      "ns/op": fmt(last20Objects),
      "× Map.get": vsMap(last20Objects),
    },
    { read: "Map.get(symbol) alone", "ns/op": fmt(mapGet), "× Map.get": "1.0×" },
  ]);
}

/**
 * The feed of a full XNYS day as "wire" columns (index = minute × SYMBOLS + symbol): the write
 * benchmark decodes each bar into a fresh object as a live feed handler would, so the input
 * objects die young instead of filling the heap that every major GC must mark.
 */
function wireDay(): { minutes: number; wire: Float64Array[] } {
  const s = xnysCalendar.session(DATE)!;
  const minutes = (s.postClose - s.preOpen) / 60_000;
  const wire = Array.from({ length: 6 }, () => new Float64Array(minutes * SYMBOLS));
  for (let k = 0; k < minutes; k++) {
    for (let i = 0; i < SYMBOLS; i++) {
      const b = makeBar(s.preOpen + k * 60_000, i, k);
      const j = k * SYMBOLS + i;
      wire[0]![j] = b.time;
      wire[1]![j] = b.open;
      wire[2]![j] = b.high;
      wire[3]![j] = b.low;
      wire[4]![j] = b.close;
      wire[5]![j] = b.volume;
    }
  }
  return { minutes, wire };
}

function writes(gc: () => void): void {
  const names = Array.from({ length: SYMBOLS }, (_, i) => symbolName(i));
  const { minutes, wire } = wireDay();
  const [T, O, H, L, C, V] = wire as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const total = minutes * SYMBOLS;
  const reps = 9;
  const ours: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < reps; r++) {
    // Collect the previous day's store first, so its garbage is not charged to this one.
    gc();
    const sd = new SessionData({ calendar: xnysCalendar });
    const t0 = process.hrtime.bigint();
    for (let k = 0, j = 0; k < minutes; k++) {
      for (let i = 0; i < SYMBOLS; i++, j++) {
        sd.addBar(names[i]!, {
          time: T[j]!,
          open: O[j]!,
          high: H[j]!,
          low: L[j]!,
          close: C[j]!,
          volume: V[j]!,
        });
      }
    }
    // Derived timeframes fold appended bars on their next read: one read per symbol pays here.
    for (const name of names) sd.getBarCount(name, "1h");
    ours.push(total / (Number(process.hrtime.bigint() - t0) / 1e9));
    if (sd.getBarCount(names[0]!) !== minutes) throw new Error("store lost bars");

    // Raw: the same decoded bars into six pre-sized Float64Arrays per symbol, nothing else (the
    // arrays are allocated inside the timing, as the store's columns are).
    gc();
    const t1 = process.hrtime.bigint();
    const cols = names.map(() => Array.from({ length: 6 }, () => new Float64Array(minutes)));
    for (let k = 0, j = 0; k < minutes; k++) {
      for (let i = 0; i < SYMBOLS; i++, j++) {
        const b: Bar = {
          time: T[j]!,
          open: O[j]!,
          high: H[j]!,
          low: L[j]!,
          close: C[j]!,
          volume: V[j]!,
        };
        const c = cols[i]!;
        c[0]![k] = b.time;
        c[1]![k] = b.open;
        c[2]![k] = b.high;
        c[3]![k] = b.low;
        c[4]![k] = b.close;
        c[5]![k] = b.volume;
      }
    }
    raw.push(total / (Number(process.hrtime.bigint() - t1) / 1e9));
    if (cols[7]![4]![minutes - 1] !== C[total - SYMBOLS + 7]) throw new Error("raw lost bars");
  }
  ours.sort((a, b) => a - b);
  raw.sort((a, b) => a - b);
  const m = (xs: number[]) => `${(xs[xs.length >> 1]! / 1e6).toFixed(2)} M bars/s`;
  const best = (xs: number[]) => `${(xs[xs.length - 1]! / 1e6).toFixed(2)} M bars/s`;
  console.log(
    `\naddBar throughput: ${SYMBOLS} symbols fed minute by minute over a full XNYS day ` +
      `(${minutes} minutes, ${total.toLocaleString("en-US")} bars, each decoded into a fresh object; ` +
      "validation, session check, metrics and 5m/15m/30m/1h; median and best of 9 days)",
  );
  console.table([
    { writer: "SessionData.addBar (goal ≥ 5 M bars/s)", median: m(ours), best: best(ours) },
    { writer: "raw Float64Array column writes", median: m(raw), best: best(raw) },
  ]);
}

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  // Without --expose-gc: turn the flag on at run time and take gc from a fresh context.
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Heap bytes (JS heap plus typed-array backing stores) per bar for one store filled with `bars`. */
function bytesPerBar(
  label: string,
  calendar: typeof xnysCalendar,
  date: string,
  bars: number,
  gc: () => void,
  provenanceOf: (k: number) => Provenance = () => "live",
): Record<string, string | number> {
  const s = calendar.session(date)!;
  const perSymbol = (s.postClose - s.preOpen) / 60_000;
  const symbols = Math.ceil(bars / perSymbol);
  const names = Array.from({ length: symbols }, (_, i) => symbolName(i));
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const sd = new SessionData({ calendar });
  // One mutable bar object: the store copies its numbers, so nothing of the input stays alive.
  const bar = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  let stored = 0;
  for (let t = s.preOpen, k = 0; t < s.postClose; t += 60_000, k++) {
    for (let i = 0; i < symbols && stored < bars; i++) {
      const b = makeBar(t, i, k);
      bar.time = t;
      bar.open = b.open;
      bar.high = b.high;
      bar.low = b.low;
      bar.close = b.close;
      bar.volume = b.volume;
      sd.addBar(names[i]!, bar, provenanceOf(k));
      stored++;
    }
  }
  const after = used();
  const held = sd.symbols().reduce((n, x) => n + sd.getBarCount(x), 0);
  // Naive: the same number of bar objects in arrays in a Map.
  const before2 = used();
  const naive = new Map<string, Bar[]>();
  for (let i = 0; i < symbols; i++) naive.set(names[i]!, []);
  let n2 = 0;
  for (let t = s.preOpen, k = 0; t < s.postClose; t += 60_000, k++) {
    for (let i = 0; i < symbols && n2 < bars; i++, n2++)
      naive.get(names[i]!)!.push(makeBar(t, i, k));
  }
  const after2 = used();
  if (held !== stored || naive.size !== symbols) throw new Error("lost bars");
  return {
    calendar: label,
    symbols,
    "bars stored": held,
    "ours B/bar (goal ≤ 64)": ((after - before) / held).toFixed(1),
    "naive objects B/bar": ((after2 - before2) / n2).toFixed(1),
  };
}

export async function run(): Promise<void> {
  // Other processes share the cores; the load average says how much to trust the figures.
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  readBench();
  const gc = gcFunction();
  writes(gc);
  console.log(
    "\nMemory: 1,000,000 bars as whole sessions (1m columns pre-sized from the calendar, plus " +
      "the derived bars; provenance live unless said); JS heap + typed-array stores after gc",
  );
  console.table([
    bytesPerBar("XNYS (960 min, 390 regular)", xnysCalendar, DATE, 1_000_000, gc),
    bytesPerBar("24/7 (1440 min, all regular)", alwaysOpenCalendar, DATE, 1_000_000, gc),
    // A live session that needed repair: its per-bar provenance column costs 1 byte a bar.
    bytesPerBar("24/7, every 10th bar refilled", alwaysOpenCalendar, DATE, 1_000_000, gc, (k) =>
      k % 10 === 9 ? "refilled" : "live",
    ),
  ]);
}
