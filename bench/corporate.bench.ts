/**
 * `npm run bench -- corporate`: what corporate actions cost a replay. One generated data set
 * (200 symbols × 10 XNYS sessions, ~780 k bars, every symbol with a 2-for-1 split and a dividend
 * inside the range), its scan chunks held in memory so the database is not measured; replays
 * through `DataManager.createBacktest` with the default indicators (SMA-50, EMA-20, RSI-14),
 * `adjust` raw, split and total, beside a baseline measured in the same run: the same replay
 * with no factor files at all (the view passes the store's chunks through untouched). Goal:
 * split and total within 10 % of raw.
 */
import { xnysCalendar as calendar } from "../src/calendar/xnys.js";
import type { BarChunk, BarStore, ScanOptions } from "../src/history/bar-store.js";
import {
  AdjustedBarStore,
  type AdjustMode,
  type CorporateActionStore,
  type FactorRow,
  generateSampleBars,
  MemoryBarStore,
  MemoryCorporateActionStore,
  sampleTickers,
} from "../src/history/public.js";
import { SystemManager } from "../src/system/public.js";

const SYMBOLS = 200;
const DATES = calendar.sessionsBetween("2024-01-02", "2024-01-12");

/** The store's chunks of the whole range, read once, behind the port (with corporate actions). */
async function preloaded(store: BarStore, corporate: CorporateActionStore): Promise<BarStore> {
  const from = calendar.session(DATES[0]!)!.preOpen;
  const to = calendar.session(DATES.at(-1)!)!.postClose;
  const chunks: BarChunk[] = [];
  for await (const c of store.scan({ from, to })) chunks.push(c);
  const symbols = await store.symbols();
  const view: BarStore & { corporateActions(): CorporateActionStore } = {
    corporateActions: () => corporate,
    writeBars: async () => undefined,
    readBars: async () => [],
    symbols: async () => symbols,
    coverage: (s) => store.coverage(s),
    countBars: (o) => store.countBars(o),
    symbolInfo: async () => undefined,
    listSymbolInfo: async () => [],
    setSymbolInfo: async () => undefined,
    close: async () => undefined,
    async *scan(_o: ScanOptions) {
      // Every symbol is asked for; the chunks already hold exactly them, in order.
      yield* chunks;
    },
  };
  return view;
}

/** A split taking effect at the 5th session and a 1 % dividend at the 3rd, for every symbol. */
function factorRows(): FactorRow[] {
  return [
    { date: DATES[1]!, priceFactor: 0.99, splitFactor: 0.5, referencePrice: 100 },
    { date: DATES[3]!, priceFactor: 1, splitFactor: 0.5, referencePrice: 100 },
    { date: "2050-12-31", priceFactor: 1, splitFactor: 1, referencePrice: 0 },
  ];
}

/**
 * Bars per second of CPU time (user + system) of one replay: on a shared machine the wall clock
 * measures the neighbours too; this process's CPU time is what the replay itself cost.
 */
async function replay(store: BarStore, adjust: AdjustMode): Promise<number> {
  const system = new SystemManager({ barStore: store, calendar });
  const replay = system.dataManager.createBacktest({
    from: DATES[0]!,
    to: DATES.at(-1)!,
    upkeep: false,
    adjust,
  });
  const start = process.cpuUsage();
  const report = await replay.run();
  const used = process.cpuUsage(start);
  system.analysisEngine.dispose();
  return report.bars / ((used.user + used.system) / 1e6);
}

/** CPU ns per bar of draining the scan the replay makes (the view's own cost, nothing else). */
async function drain(store: BarStore, adjust: AdjustMode): Promise<{ ns: number; bars: number }> {
  const view = new AdjustedBarStore({ barStore: store, calendar, adjust, asOf: DATES.at(-1)! });
  const from = calendar.session(DATES[0]!)!.open;
  const to = calendar.session(DATES.at(-1)!)!.close;
  const symbols = await store.symbols();
  const start = process.cpuUsage();
  let bars = 0;
  let sum = 0;
  for await (const c of view.scan({ symbols, from, to })) {
    bars += c.length;
    for (let i = 0; i < c.length; i++) sum += c.close[i]!;
  }
  const used = process.cpuUsage(start);
  if (!(sum > 0)) throw new Error("nothing scanned");
  return { ns: ((used.user + used.system) * 1000) / bars, bars };
}

export async function run(): Promise<void> {
  const raw = new MemoryBarStore();
  await generateSampleBars(raw, {
    symbols: SYMBOLS,
    from: DATES[0]!,
    to: DATES.at(-1)!,
    seed: 1,
    calendar,
  });
  const none = new MemoryCorporateActionStore();
  const actions = new MemoryCorporateActionStore();
  await actions.writeCorporateActions({
    factorFiles: new Map(sampleTickers(SYMBOLS).map((s) => [s, factorRows()])),
  });
  const plain = await preloaded(raw, none);
  const corporate = await preloaded(raw, actions);
  const cases: [string, BarStore, AdjustMode][] = [
    ["baseline: no factor files", plain, "split"],
    ["adjust raw (indicators rescaled at the split)", corporate, "raw"],
    ["adjust split", corporate, "split"],
    ["adjust total", corporate, "total"],
  ];
  const best = new Map<string, number>();
  // Interleaved rounds, best of each: the machine is shared and the best run is the signal.
  for (let round = 0; round < 7; round++) {
    for (const [name, store, adjust] of cases) {
      const r = await replay(store, adjust);
      best.set(name, Math.max(best.get(name) ?? 0, r));
    }
  }
  const base = best.get(cases[0]![0])!;
  const rawRate = best.get(cases[1]![0])!;
  console.log(
    `${SYMBOLS} symbols × ${DATES.length} sessions, default indicators, bars per CPU-second, best of 7`,
  );
  console.log("case                                              bars/s    vs baseline   vs raw");
  for (const [name] of cases) {
    const r = best.get(name)!;
    console.log(
      `${name.padEnd(48)} ${(r / 1e6).toFixed(2).padStart(6)} M/s   ${(r / base).toFixed(3).padStart(6)}    ${(r / rawRate).toFixed(3).padStart(6)}`,
    );
  }
  // The view's own cost per bar, steadier than whole replays on a busy machine: what adjusting
  // adds to each bar, against what a replay spends on it.
  const scans = new Map<string, number>();
  for (let round = 0; round < 15; round++) {
    for (const [name, store, adjust] of cases) {
      const { ns } = await drain(store, adjust);
      scans.set(name, Math.min(scans.get(name) ?? Number.POSITIVE_INFINITY, ns));
    }
  }
  const replayNs = 1e9 / rawRate;
  console.log(
    `\nthe view's scan alone, CPU ns per bar (best of 15), against a raw replay's ${replayNs.toFixed(0)} ns per bar`,
  );
  const baseScan = scans.get(cases[0]![0])!;
  for (const [name] of cases) {
    const ns = scans.get(name)!;
    console.log(
      `${name.padEnd(48)} ${ns.toFixed(1).padStart(6)} ns   +${(ns - baseScan).toFixed(1).padStart(5)} ns = ${(((ns - baseScan) / replayNs) * 100).toFixed(1)} % of a replayed bar`,
    );
  }
}
