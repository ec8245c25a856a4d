import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { requiring, sharedData } from "../../test/requirements.js";
import { fxCalendar } from "../calendar/fx-calendar.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { SessionData } from "../store/public.js";
import { noWait } from "./backoff.js";
import { DataUpkeep } from "./data-upkeep.js";
import type { UpkeepEvent } from "./events.js";
import type { Gap } from "./gap.js";

const FILE = fileURLToPath(
  new URL("../../../shared/data/bars/gbpusd-m1-bid-2012.csv", import.meta.url),
);
const gbpusd = sharedData("bars/gbpusd-m1-bid-2012.csv");

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SYMBOL = "GBPUSD";

function readFile(): Bar[] {
  const lines = readFileSync(FILE, "utf8").trim().split("\n");
  expect(lines[0]).toBe("timestamp,open,high,low,close");
  return lines.slice(1).map((line) => {
    const [ts, open, high, low, close] = line.split(",");
    return {
      time: Date.parse(ts!.replace(" ", "T")),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: 0,
    };
  });
}

/**
 * The file's gaps found without the calendar or upkeep: consecutive rows more than a minute
 * apart, the missing minutes cut to FX hours by plain UTC arithmetic (in February 2012 the week
 * runs Sunday 22:00 to Friday 22:00 UTC and each trading day rolls at 22:00 UTC) and split at
 * each day's 22:00 roll.
 */
function scanFileGaps(bars: readonly Bar[], from: number, to: number): Gap[] {
  const trading = (t: number) => {
    const wd = new Date(t).getUTCDay();
    const h = new Date(t).getUTCHours();
    return !(wd === 6 || (wd === 5 && h >= 22) || (wd === 0 && h < 22));
  };
  const out: Gap[] = [];
  for (let i = 1; i < bars.length; i++) {
    const a = bars[i - 1]!.time;
    const b = bars[i]!.time;
    let start = Number.NaN;
    for (let t = a + MINUTE_MS; t <= b; t += MINUTE_MS) {
      const rolls = t % DAY === 22 * HOUR;
      const missing = t < b && t >= from && t < to && trading(t);
      if (!Number.isNaN(start) && (!missing || rolls)) {
        out.push({ symbol: SYMBOL, start, end: t, count: (t - start) / MINUTE_MS });
        start = Number.NaN;
      }
      if (missing && Number.isNaN(start)) start = t;
    }
  }
  return out;
}

requiring(gbpusd).describe("upkeep on real FX gaps (gbpusd-m1-bid-2012.csv)", () => {
  it("finds exactly the gaps an independent scan of the file finds, and gives them up", async () => {
    const bars = readFile();
    expect(bars).toHaveLength(30_117);
    let longer = 0;
    let weekends = 0;
    for (let i = 1; i < bars.length; i++) {
      const d = bars[i]!.time - bars[i - 1]!.time;
      if (d > MINUTE_MS) longer++;
      if (d > DAY) weekends++;
    }
    expect(longer, "the data README's 111 gaps of more than one minute").toBe(111);
    expect(weekends, "4 of them are the weekend breaks").toBe(4);

    // Whole sessions inside the file: it starts at 00:00 of 02-01, inside that day's session.
    const dates = fxCalendar.sessionsBetween("2012-02-02", "2012-02-29");
    const from = fxCalendar.session(dates[0]!)!.open;
    const to = fxCalendar.session(dates[dates.length - 1]!)!.close;
    const expected = scanFileGaps(bars, from, to);
    expect(
      expected,
      "100 intraday gaps fall in whole sessions, plus 4 weekend-edge minutes (Sunday 22:00, Friday 21:59)",
    ).toHaveLength(104);

    const source = new MemoryBarStore();
    await source.writeBars(SYMBOL, bars);
    const sd = new SessionData({ calendar: fxCalendar });
    const upkeep = new DataUpkeep({ sessionData: sd, source, calendar: fxCalendar, sleep: noWait });
    const unfillable: Gap[] = [];
    upkeep.subscribe((e: UpkeepEvent) => {
      if (e.type === "gapUnfillable") unfillable.push(e.gap);
    });
    const found: Gap[] = [];
    for (const date of dates) {
      const s = fxCalendar.session(date)!;
      sd.startSession(date);
      const day = bars.filter((b) => b.time >= s.open && b.time < s.close);
      expect(sd.addBars(SYMBOL, day).rejected, date).toBe(0);
      sd.advanceClock(s.close);
      found.push(...upkeep.checkCompleteness(SYMBOL, s.close));
      await upkeep.runOnce(s.close);
      expect(sd.getSessionMetrics(SYMBOL)!.unfillableBarCount, date).toBe(1440 - day.length);
    }
    expect(found).toEqual(expected);
    expect(unfillable, "the source (the file itself) has none of them").toEqual(expected);
    const r = upkeep.report();
    expect(r.barsFilled).toBe(0);
    expect(r.gapsDetected).toBe(expected.length);
    expect(r.barsUnfillable).toBe(expected.reduce((n, g) => n + g.count, 0));
    expect(r.expectedBars).toBe(dates.length * 1440);
  });
});
