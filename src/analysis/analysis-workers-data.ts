/** The owner's helpers of `AnalysisWorkers`: what crosses to a worker, and starting one. */
import { type MessagePort, Worker } from "node:worker_threads";
import { inRegularHours, type Session } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";
import type { SessionData } from "../store/public.js";
import type { AnalysisWorkerData } from "./analysis-workers-protocol.js";
import type { IndicatorFactory } from "./indicator.js";

/**
 * The history bars `symbol`'s set will ask for when it warms up: `SymbolAnalysis` asks for
 * `want` bars and doubles while too few are admitted (extended-hours bars do not count); the
 * same asks here give the same answer, so only those bars cross, not every kept session.
 */
export function warmupHistory(
  sd: SessionData,
  symbol: string,
  want: number,
  extendedHours: boolean,
): Bar[] {
  if (want === 0) return [];
  let ask = want;
  for (;;) {
    const bars = sd.getHistoricalBars(symbol, ask);
    let admitted = bars.length;
    if (!extendedHours) {
      admitted = 0;
      let session: Session | undefined;
      for (const bar of bars) {
        if (session === undefined || bar.time < session.preOpen || bar.time >= session.postClose) {
          const date = sd.calendar.sessionDateOf(bar.time);
          session = date === undefined ? undefined : sd.calendar.session(date);
        }
        if (inRegularHours(session, bar.time)) admitted++;
      }
    }
    if (admitted >= want || bars.length < ask) return bars;
    ask *= 2;
  }
}

/** Starts the worker entry: through tsx for the TypeScript sources (tests, benchmarks), else the build's .js. */
export function startWorker(data: AnalysisWorkerData, transferList: MessagePort[]): Worker {
  if (import.meta.url.endsWith(".ts")) {
    // tsx resolved here, not from the worker's working directory (which may not see it).
    return new Worker(
      `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(
        new URL("./analysis-worker-entry.ts", import.meta.url).href,
      )}); });`,
      { eval: true, workerData: data, transferList },
    );
  }
  return new Worker(new URL("./analysis-worker-entry.js", import.meta.url), {
    workerData: data,
    transferList,
  });
}

/** Where tsx's API is, for a worker of the TypeScript sources (a bare name where ESM cannot say). */
function tsxApi(): string {
  const meta = import.meta as ImportMeta & { resolve?: (specifier: string) => string };
  return typeof meta.resolve === "function" ? meta.resolve("tsx/esm/api") : "tsx/esm/api";
}

/** The key order of an indicator's object values (`[]` for a number), from a probe fed to ready. */
export function valueKeys(make: IndicatorFactory): string[] {
  const probe = make();
  const t0 = Date.UTC(2024, 0, 2, 14, 30);
  for (let i = 0; i < 100_000 && !probe.isReady; i++) {
    const price = 100 + Math.sin(i / 7) + i * 0.001;
    probe.update({
      time: t0 + i * 60_000,
      open: price,
      high: price + 0.5,
      low: price - 0.5,
      close: price,
      volume: 1_000 + (i % 17),
    });
  }
  const v = probe.value;
  return v !== undefined && typeof v === "object" ? Object.keys(v) : [];
}

/** Bars as 6 numbers a bar (time, open, high, low, close, volume). */
export function packBars(bars: readonly Bar[]): Float64Array {
  const out = new Float64Array(bars.length * 6);
  for (let i = 0, j = 0; i < bars.length; i++, j += 6) {
    const b = bars[i]!;
    out[j] = b.time;
    out[j + 1] = b.open;
    out[j + 2] = b.high;
    out[j + 3] = b.low;
    out[j + 4] = b.close;
    out[j + 5] = b.volume;
  }
  return out;
}

/** `symbol`'s bars of the current session, 6 numbers a bar, from the store's columns. */
export function packSession(sd: SessionData, symbol: string): Float64Array {
  const s = sd.getSeries(symbol);
  const n = s?.length ?? 0;
  const out = new Float64Array(n * 6);
  for (let i = 0, j = 0; i < n; i++, j += 6) {
    out[j] = s!.time[i]!;
    out[j + 1] = s!.open[i]!;
    out[j + 2] = s!.high[i]!;
    out[j + 3] = s!.low[i]!;
    out[j + 4] = s!.close[i]!;
    out[j + 5] = s!.volume[i]!;
  }
  return out;
}
