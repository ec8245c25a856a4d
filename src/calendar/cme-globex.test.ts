import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MINUTE_MS } from "../domain/bar.js";
import { importFile } from "../history/import/import-file.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import {
  answerFile,
  answerFileMismatches,
  readAnswerFile,
  wallClock,
  weekdaysBetween,
} from "./answer-file.test-helpers.js";
import { cmeGlobexCalendar as glbx } from "./cme-globex.js";
import { xlonCalendar } from "./xlon.js";

const FILE = answerFile("cmes.csv");
const chicago = wallClock("America/Chicago");
const london = wallClock("Europe/London");
const at = (iso: string) => Date.parse(iso);

describe.skipIf(!FILE.present)("GLBX against exchange_calendars' CMES answer file (dates)", () => {
  const rows = FILE.present ? readAnswerFile(FILE.path) : new Map();

  it("has a session on every one of the file's 7,737 dates and on no other", () => {
    expect(rows.size).toBe(7737);
    // The file models CME as 17:00-17:00 without the halt: only its dates are the oracle.
    expect(answerFileMismatches(glbx, rows, { hours: false })).toEqual([]);
    expect(glbx.sessionsBetween("1990-01-02", "2019-12-31")).toEqual([...rows.keys()]);
  });
});

/**
 * CME Group holiday calendars (cmegroup.com/trading-hours, "Holiday calendar"): CME Globex is
 * closed for the trading day on New Year's Day, Good Friday and Christmas Day, and closed on
 * 2025-01-09 for the national day of mourning for President Carter; on the other US holidays
 * (MLK, Presidents, Memorial, Juneteenth, Independence, Labor, Thanksgiving) it opens.
 */
const CLOSED: Record<number, string[]> = {
  2020: ["01-01", "04-10", "12-25"],
  2021: ["01-01", "04-02", "12-24"], // Christmas on a Saturday: Friday 24th closed
  2022: ["04-15", "12-26"], // New Year's Day on a Saturday: not moved; Christmas on a Sunday
  2023: ["01-02", "04-07", "12-25"],
  2024: ["01-01", "03-29", "12-25"],
  2025: ["01-01", "01-09", "04-18", "12-25"],
  2026: ["01-01", "04-03", "12-25"],
};

describe("GLBX sessions after the answer file", () => {
  for (const [year, closed] of Object.entries(CLOSED)) {
    it(`is closed on exactly CME's ${year} full-day holidays`, () => {
      expect(
        weekdaysBetween(`${year}-01-01`, `${year}-12-31`).filter((d) => !glbx.isTradingDay(d)),
      ).toEqual(closed.map((d) => `${year}-${d}`));
    });
  }

  it("labels a session by the day it ends: 17:00 Chicago the evening before to 16:00", () => {
    const monday = glbx.session("2024-01-08")!;
    expect(chicago(monday.open), "Monday opens on Sunday evening").toBe("2024-01-07 17:00");
    expect(chicago(monday.close)).toBe("2024-01-08 16:00");
    expect(glbx.expectedBarCount("2024-01-08")).toBe(1380);
    const afterHoliday = glbx.session("2024-12-26")!;
    expect(chicago(afterHoliday.open), "the session after Christmas opens on Christmas").toBe(
      "2024-12-25 17:00",
    );
    expect(glbx.session("2024-12-25")).toBeUndefined();
    expect(glbx.expectedBarCount("2024-01-15"), "MLK Day trades a full session").toBe(1380);
  });

  it("has the daily halt and the weekend outside every session", () => {
    // Friday 2024-01-05: close 16:00 CST = 22:00 UTC; Sunday 17:00 CST = 23:00 UTC.
    expect(glbx.sessionDateOf(at("2024-01-05T21:59:00Z"))).toBe("2024-01-05");
    expect(glbx.sessionDateOf(at("2024-01-05T22:00:00Z")), "Friday 16:00").toBeUndefined();
    expect(glbx.sessionDateOf(at("2024-01-06T12:00:00Z")), "Saturday").toBeUndefined();
    expect(glbx.sessionDateOf(at("2024-01-07T22:59:00Z")), "Sunday 16:59").toBeUndefined();
    expect(glbx.sessionDateOf(at("2024-01-07T23:00:00Z"))).toBe("2024-01-08");
    // The daily halt, Tuesday 16:00-17:00 CST.
    expect(glbx.sessionDateOf(at("2024-01-09T21:59:00Z"))).toBe("2024-01-09");
    expect(glbx.isOpen(at("2024-01-09T22:00:00Z"))).toBe(false);
    expect(glbx.isOpen(at("2024-01-09T22:59:00Z"))).toBe(false);
    expect(glbx.sessionDateOf(at("2024-01-09T23:00:00Z"))).toBe("2024-01-10");
    expect(glbx.isOpen(at("2024-01-09T23:00:00Z"))).toBe(true);
  });
});

describe("GLBX daylight saving", () => {
  const utc = (t: number) => new Date(t).toISOString().slice(0, 16);
  it("follows Chicago's switches, the session after a switch opening at the new offset", () => {
    // CDT from Sunday 2024-03-10 02:00: Monday's session opens Sunday 17:00 CDT = 22:00 UTC.
    expect(utc(glbx.session("2024-03-08")!.open)).toBe("2024-03-07T23:00");
    expect(utc(glbx.session("2024-03-08")!.close)).toBe("2024-03-08T22:00");
    expect(utc(glbx.session("2024-03-11")!.open)).toBe("2024-03-10T22:00");
    expect(utc(glbx.session("2024-03-11")!.close)).toBe("2024-03-11T21:00");
    // CST from Sunday 2024-11-03 02:00.
    expect(utc(glbx.session("2024-11-01")!.close)).toBe("2024-11-01T21:00");
    expect(utc(glbx.session("2024-11-04")!.open)).toBe("2024-11-03T23:00");
    for (const date of glbx.sessionsBetween("2024-01-01", "2024-12-31")) {
      expect(glbx.expectedBarCount(date), date).toBe(1380);
    }
  });

  it("keeps Chicago hours through the weeks the US and UK clocks disagree", () => {
    // 2024-03-10..03-31: the US on summer time, the UK not yet; 2024-10-27..11-03 the reverse.
    const mismatch = [
      ...glbx.sessionsBetween("2024-03-11", "2024-03-29"),
      ...glbx.sessionsBetween("2024-10-28", "2024-11-01"),
    ];
    expect(mismatch.length, "19 weekdays, Good Friday 2024-03-29 closed").toBe(19);
    for (const date of mismatch) {
      const s = glbx.session(date)!;
      expect(chicago(s.open).slice(11), date).toBe("17:00");
      expect(chicago(s.close).slice(11), date).toBe("16:00");
      // An hour earlier than usual in London: the halt starts at 20:00 there, not 22:00.
      expect(london(s.close).slice(11), date).toBe("21:00");
    }
    expect(london(glbx.session("2024-03-05")!.close).slice(11)).toBe("22:00");
    expect(london(glbx.session("2024-04-02")!.close).slice(11)).toBe("22:00");
    // London's own open stays 08:00 local, 08:00 UTC until its switch on 2024-03-31.
    expect(new Date(xlonCalendar.session("2024-03-28")!.open).toISOString().slice(11, 16)).toBe(
      "08:00",
    );
  });
});

const BARS = fileURLToPath(
  new URL("../../../shared/data/bars/6EH4.XCME_1min_bars_20240101_20240131.csv", import.meta.url),
);
const haveBars = existsSync(BARS);
if (!haveBars) console.warn(`skipping the 6E quality test: ${BARS} is absent (../shared/data)`);

describe.skipIf(!haveBars)("6E (Euro FX futures, January 2024) on CME Globex", () => {
  it("has every bar in a session and reads 98.61 % (29,996 of 30,419 minutes)", async () => {
    const store = new MemoryBarStore();
    // The file stamps each bar with its end: 23:01 is the bar of 23:00-23:01 UTC.
    await importFile(store, BARS, { symbol: "6EH4", stamp: "end" });
    const bars = await store.readBars("6EH4", 0, Number.MAX_SAFE_INTEGER);
    expect(bars.length).toBe(29_996);
    const outside = bars.filter((b) => glbx.sessionDateOf(b.time) === undefined);
    expect(
      outside.map((b) => new Date(b.time).toISOString()),
      "bars outside a session",
    ).toEqual([]);
    const until = bars[bars.length - 1]!.time + MINUTE_MS;
    const sessions = glbx.sessionsBetween("2024-01-01", "2024-02-01");
    const perSession = sessions.map((date) => {
      const s = glbx.session(date)!;
      const present = bars.filter((b) => b.time >= s.open && b.time < Math.min(s.close, until));
      return { date, present: present.length, expected: glbx.expectedBarCount(date, until) };
    });
    expect(sessions.length, "Jan 2..31 and the start of Feb 1").toBe(23);
    expect(perSession.filter((p) => p.expected === 1380).length).toBe(22);
    expect(perSession.at(-1), "the 2024-02-01 session up to the last bar").toEqual({
      date: "2024-02-01",
      present: 59,
      expected: 59,
    });
    const present = perSession.reduce((n, p) => n + p.present, 0);
    const expected = perSession.reduce((n, p) => n + p.expected, 0);
    expect([present, expected]).toEqual([29_996, 30_419]);
    expect(((present / expected) * 100).toFixed(2)).toBe("98.61");
    const mlk = perSession.find((p) => p.date === "2024-01-15")!;
    expect(((mlk.present / mlk.expected) * 100).toFixed(2), "MLK Day trades thinly").toBe("91.45");
  });
});
