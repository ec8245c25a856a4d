/**
 * `npm run bench -- heatmap`: the dashboard's quality heatmap, cold, over a DuckDB file of 500
 * symbols x 252 XNYS sessions (~48.7 M bars, written once through the bulk writer; 10 missing
 * minutes in one symbol-day of 13, as the server bench's synthetic store has). Ours: the
 * `/api/history/quality` answer counted in DuckDB (`countBars`, one query); baseline in the same
 * run: the same cells counted by scanning every bar into the process (the route before
 * `countBars`, `countBarsByScan`). Then the cached answer. `HEATMAP_SYMBOLS=N` for a smaller file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xnysCalendar } from "../src/calendar/xnys.js";
import type { TimeRange } from "../src/history/bar-store.js";
import { countBarsByScan } from "../src/history/count-bars.js";
import { DuckDbBarStore } from "../src/history/duckdb/duckdb-bar-store.js";
import { createServer } from "../src/server/public.js";
import { SessionData } from "../src/store/public.js";

const N_SYMBOLS = Number(process.env.HEATMAP_SYMBOLS ?? 500);

async function build(path: string, symbols: string[], dates: string[]): Promise<number> {
  const store = await DuckDbBarStore.open(path);
  const sessions = dates.map((d) => xnysCalendar.session(d)!);
  const n = sessions.length * 390;
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let total = 0;
  const BATCH = 25;
  for (let b = 0; b < symbols.length; b += BATCH) {
    const writer = await store.bulkWriter();
    for (let k = b; k < Math.min(symbols.length, b + BATCH); k++) {
      let i = 0;
      for (const [d, s] of sessions.entries()) {
        const holed = (k * 7 + d) % 13 === 0;
        for (let m = 0; m < 390; m++) {
          if (holed && m >= 100 && m < 110) continue;
          const x = d * 390 + m;
          const open = 50 + k + ((x * 37 + k) % 200) / 100;
          const close = 50 + k + (((x + 1) * 37 + k) % 200) / 100;
          cols.time[i] = s.open + m * 60_000;
          cols.open[i] = open;
          cols.high[i] = Math.max(open, close) + 0.05;
          cols.low[i] = Math.min(open, close) - 0.05;
          cols.close[i] = close;
          cols.volume[i] = 1000 + ((x * 7919) % 5000);
          i++;
        }
      }
      writer.append(symbols[k]!, cols, i, true);
    }
    total += await writer.commit();
  }
  await store.close();
  return total;
}

export async function run(): Promise<void> {
  const symbols = Array.from({ length: N_SYMBOLS }, (_, i) => `T${String(i).padStart(3, "0")}`);
  const dates = xnysCalendar.sessionsBetween("2023-01-03", "2023-12-29");
  const dir = await mkdtemp(join(tmpdir(), "sessiondata-heatmap-"));
  try {
    const path = join(dir, "heatmap.duckdb");
    const b0 = performance.now();
    const bars = await build(path, symbols, dates);
    const buildMs = performance.now() - b0;
    const rows: Record<string, unknown>[] = [];
    const ranges: TimeRange[] = dates.map((d) => {
      const s = xnysCalendar.session(d)!;
      return { from: s.open, to: s.close };
    });
    for (let round = 1; round <= 2; round++) {
      // A fresh store and server each round: nothing cached in the route, DuckDB opened cold.
      const store = await DuckDbBarStore.open(path, { readOnly: true });
      const server = createServer({
        sessionData: new SessionData({ calendar: xnysCalendar }),
        barStore: store,
      });
      try {
        const ask = async (): Promise<{ ms: number; cells: number }> => {
          const t = performance.now();
          const res = await server.app.request(`/api/history/quality?sessions=${dates.length}`, {
            headers: { host: "127.0.0.1" },
          });
          const body = (await res.json()) as { symbols: string[]; sessions: string[] };
          if (res.status !== 200) throw new Error(`quality: ${res.status}`);
          return { ms: performance.now() - t, cells: body.symbols.length * body.sessions.length };
        };
        const cold = await ask();
        const cached = await ask();
        const s0 = performance.now();
        const scanned = await countBarsByScan(store, { symbols, ranges });
        const scanMs = performance.now() - s0;
        const counted = scanned.reduce((n, r) => n + r.reduce((a, b) => a + b, 0), 0);
        rows.push(
          {
            round,
            figure: `GET /api/history/quality, ${cold.cells} cells, cold: countBars in DuckDB (ours)`,
            ms: Math.round(cold.ms),
            goal: "<= 1000",
          },
          {
            round,
            figure: `  the same cells by scanning all ${counted} bars into the process (baseline)`,
            ms: Math.round(scanMs),
            goal: "",
          },
          {
            round,
            figure: `  ratio baseline / ours`,
            ms: Number((scanMs / cold.ms).toFixed(1)),
            goal: "",
          },
          {
            round,
            figure: "  again, from the route's cache (ours)",
            ms: Math.round(cached.ms),
            goal: "",
          },
        );
      } finally {
        await server.close();
        await store.close();
      }
    }
    console.log(
      `Heatmap: DuckDB file of ${symbols.length} symbols x ${dates.length} sessions, ${bars} bars (written in ${Math.round(buildMs / 1000)} s)`,
    );
    console.table(rows);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
