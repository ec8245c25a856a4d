import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarByName, xnysCalendar } from "../calendar/public.js";
import type { Bar } from "../domain/bar.js";
import { DuckDbBarStore } from "../history/duckdb/duckdb-bar-store.js";
import { SessionData } from "../store/public.js";
import { createServer, type SessiondataServer } from "./server.js";

const FROM = "2024-01-08";
const TO = "2024-01-12";
let dir: string;
let store: DuckDbBarStore;
let server: SessiondataServer;

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await server.app.request(path, { headers: { host: "127.0.0.1" } });
  return { status: res.status, body: await res.json() };
}

/**
 * Every minute from an hour before each session's open to an hour after its close (break
 * included), less a different run of minutes each day: some in the session, some around
 * UTC midnight, some in the break, some outside the session.
 */
function barsOf(calendarName: string, seed: number): Bar[] {
  const cal = calendarByName(calendarName);
  const out: Bar[] = [];
  for (const [d, date] of cal.sessionsBetween(FROM, TO).entries()) {
    const s = cal.session(date)!;
    for (let t = s.open - 3_600_000; t < s.close + 3_600_000; t += 60_000) {
      const m = Math.floor(t / 60_000);
      if ((m + seed * 13 + d * 7) % 29 < 2 + d) continue;
      out.push({ time: t, open: 10, high: 11, low: 9, close: 10.5, volume: 1 });
    }
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sessiondata-quality-"));
  store = await DuckDbBarStore.open(join(dir, "q.duckdb"));
  for (const [symbol, calendar, timeZone, seed] of [
    ["ES", "GLBX", "America/Chicago", 1],
    ["TKS", "XTKS", "Asia/Tokyo", 2],
    ["BTC", "24/7", "UTC", 3],
    ["NYS", "XNYS", "America/New_York", 4],
  ] as const) {
    await store.setSymbolInfo({ symbol, calendar, timeZone, priceDecimals: 2 });
    await store.writeBars(symbol, barsOf(calendar, seed));
  }
  server = createServer({
    sessionData: new SessionData({ calendar: xnysCalendar }),
    barStore: store,
  });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("heatmap cells, counted in DuckDB, equal each day's quality", () => {
  it("for sessions across UTC midnight (GLBX, 24/7), with a break (XTKS) and plain (XNYS)", async () => {
    const { status, body } = await get(`/api/history/quality?from=${FROM}&to=${TO}`);
    expect(status).toBe(200);
    let compared = 0;
    for (const [i, symbol] of (body.symbols as string[]).entries()) {
      for (const [j, date] of (body.sessions as string[]).entries()) {
        const cell = body.quality[i][j];
        const day = await get(`/api/history/symbols/${symbol}/day?date=${date}`);
        if (day.status === 404) {
          expect(cell, `${symbol} ${date} is no session: no cell`).toBeNull();
          continue;
        }
        const { present, expected } = day.body;
        // The cell is the day's quality at one decimal.
        expect(cell, `${symbol} ${date}: heatmap = /day's ${present} of ${expected}`).toBe(
          Math.round((present / expected) * 1000) / 10,
        );
        expect(day.body.quality, `${symbol} ${date} has gaps`).toBeLessThan(100);
        compared++;
      }
    }
    // Five sessions each, but XTKS was closed on 2024-01-08 (Coming of Age Day).
    expect(compared, "every symbol's sessions were compared").toBe(4 * 5 - 1);
  });
});
