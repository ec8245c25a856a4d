import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { requiring, sharedData } from "../../test/requirements.js";
import { alwaysOpenCalendar } from "../calendar/utc-day-calendar.js";
import type { Bar } from "../domain/bar.js";
import { SessionData } from "./session-data.js";

const file = fileURLToPath(
  new URL("../../../shared/data/bars/btc-perp-20211231-20220201_1m.csv", import.meta.url),
);
const btc = sharedData("bars/btc-perp-20211231-20220201_1m.csv");

/** Parses the file's `timestamp,open,high,low,close,volume` rows; timestamps are naive UTC. */
function readBars(): Bar[] {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  expect(lines[0]).toBe("timestamp,open,high,low,close,volume");
  return lines.slice(1).map((line) => {
    const [ts, open, high, low, close, volume] = line.split(",");
    return {
      time: Date.parse(`${ts!.replace(" ", "T")}Z`),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
  });
}

requiring(btc).describe("replay of btc-perp-20211231-20220201_1m.csv (24/7)", () => {
  it("gives every session the metrics computed directly from the file", () => {
    const bars = readBars();
    expect(bars.length).toBe(45_031);
    const byDay = new Map<string, Bar[]>();
    for (const b of bars) {
      const day = new Date(b.time).toISOString().slice(0, 10);
      const list = byDay.get(day);
      if (list === undefined) byDay.set(day, [b]);
      else list.push(b);
    }
    const days = [...byDay.keys()];
    expect(days.length).toBe(33);

    const sd = new SessionData({ calendar: alwaysOpenCalendar, historySessions: 40 });
    const result = sd.addBars("BTC-PERP", bars, "replay");
    expect(result).toEqual({ accepted: bars.length, rejected: 0, errors: [] });
    expect(sd.historySessionDates()).toEqual(days.slice(0, -1));
    expect(sd.currentSession).toBe(days.at(-1));

    for (const [day, dayBars] of byDay) {
      const current = day === days.at(-1);
      const m = sd.getSessionMetrics("BTC-PERP", day)!;
      let volume = 0;
      let pv = 0;
      for (const b of dayBars) {
        volume += b.volume;
        pv += ((b.high + b.low + b.close) / 3) * b.volume;
      }
      const last = dayBars.at(-1)!;
      const expected = current ? (last.time + 60_000 - Date.parse(`${day}T00:00Z`)) / 60_000 : 1440;
      expect(m, day).toEqual({
        symbol: "BTC-PERP",
        sessionDate: day,
        open: dayBars[0]!.open,
        high: Math.max(...dayBars.map((b) => b.high)),
        low: Math.min(...dayBars.map((b) => b.low)),
        close: last.close,
        volume,
        vwap: pv / volume,
        barCount: dayBars.length,
        expectedBarCount: expected,
        barQuality: (dayBars.length / expected) * 100,
        missingBarCount: expected - dayBars.length,
        filledBarCount: 0,
        unfillableBarCount: 0,
        provenance: { live: 0, replay: dayBars.length, refilled: 0, corrected: 0 },
        firstBarTime: dayBars[0]!.time,
        lastBarTime: last.time,
      });
    }
    // The file's first session starts at 23:01: 59 bars of the 1440 the calendar expects.
    expect(sd.getSessionMetrics("BTC-PERP", "2021-12-31")!.missingBarCount).toBe(1381);
    const lastDay = byDay.get(days.at(-1)!)!;
    expect(sd.getLastNBars("BTC-PERP", 1e9, "1h").length).toBe(Math.ceil(lastDay.length / 60));
    expect(sd.getHistoricalBars("BTC-PERP", 1440 * 40).length).toBe(bars.length - lastDay.length);
  });
});
