import { describe, expect, it } from "vitest";
import { InvalidDateError } from "../domain/errors.js";
import {
  answerFile,
  answerFileMismatches,
  readAnswerFile,
  wallClock,
  weekdaysBetween,
} from "./answer-file.test-helpers.js";
import { xhkgCalendar as xhkg } from "./xhkg.js";

const FILE = answerFile("xhkg.csv");
const hongKong = wallClock("Asia/Hong_Kong");
const MINUTE = 60_000;

describe.skipIf(!FILE.present)("XHKG against exchange_calendars' answer file (1990-2019)", () => {
  const rows = FILE.present ? readAnswerFile(FILE.path) : new Map();

  it("has every one of the 7,403 sessions with the same open, close and lunch break", () => {
    expect(rows.size).toBe(7403);
    expect(answerFileMismatches(xhkg, rows)).toEqual([]);
    expect(xhkg.sessionsBetween("1990-01-02", "2019-12-31")).toEqual([...rows.keys()]);
  });
});

/**
 * Weekday closures and half days as published: the general holidays the Government Gazette
 * lists each year (https://www.gov.hk/en/about/abouthk/holiday/), the HKEX half days on the eves
 * of Christmas, New Year and Lunar New Year (HKEX "Trading Calendar and Holiday Schedule"), and
 * the days HKEX cancelled all trading: typhoon Nangka 2020-10-13, Kompasu 2021-10-13, Talim
 * 2023-07-17, Saola 2023-09-01, the black rainstorm of 2023-09-08 (HKEX notice "HKEX securities
 * and derivatives markets morning trading sessions cancelled", then all sessions) and Yagi
 * 2024-09-06 (HKEX notice "No trading today in securities and derivatives markets due to
 * issuance of Typhoon Signal No. 8"). Since 2024-09-23 HKEX trades through severe weather.
 */
const PUBLISHED: Record<number, { closed: string[]; half: string[] }> = {
  2020: {
    closed: [
      "01-01",
      "01-27",
      "01-28",
      "04-10",
      "04-13",
      "04-30",
      "05-01",
      "06-25",
      "07-01",
      "10-01",
      "10-02",
      "10-13",
      "10-26",
      "12-25",
    ],
    half: ["01-24", "12-24", "12-31"],
  },
  2021: {
    // Ching Ming on Easter Sunday: the day following Easter Monday (6 April) in its place.
    closed: [
      "01-01",
      "02-12",
      "02-15",
      "04-02",
      "04-05",
      "04-06",
      "05-19",
      "06-14",
      "07-01",
      "09-22",
      "10-01",
      "10-13",
      "10-14",
      "12-27",
    ],
    half: ["02-11", "12-24", "12-31"],
  },
  2022: {
    // Mid-Autumn on a Saturday: "the second day following the Mid-Autumn Festival", 12 September.
    closed: [
      "02-01",
      "02-02",
      "02-03",
      "04-05",
      "04-15",
      "04-18",
      "05-02",
      "05-09",
      "06-03",
      "07-01",
      "09-12",
      "10-04",
      "12-26",
      "12-27",
    ],
    half: ["01-31"],
  },
  2023: {
    closed: [
      "01-02",
      "01-23",
      "01-24",
      "01-25",
      "04-05",
      "04-07",
      "04-10",
      "05-01",
      "05-26",
      "06-22",
      "07-17",
      "09-01",
      "09-08",
      "10-02",
      "10-23",
      "12-25",
      "12-26",
    ],
    half: [],
  },
  2024: {
    closed: [
      "01-01",
      "02-12",
      "02-13",
      "03-29",
      "04-01",
      "04-04",
      "05-01",
      "05-15",
      "06-10",
      "07-01",
      "09-06",
      "09-18",
      "10-01",
      "10-11",
      "12-25",
      "12-26",
    ],
    half: ["02-09", "12-24", "12-31"],
  },
  2025: {
    closed: [
      "01-01",
      "01-29",
      "01-30",
      "01-31",
      "04-04",
      "04-18",
      "04-21",
      "05-01",
      "05-05",
      "07-01",
      "10-01",
      "10-07",
      "10-29",
      "12-25",
      "12-26",
    ],
    half: ["01-28", "12-24", "12-31"],
  },
  2026: {
    closed: [
      "01-01",
      "02-17",
      "02-18",
      "02-19",
      "04-03",
      "04-06",
      "04-07",
      "05-01",
      "05-25",
      "06-19",
      "07-01",
      "10-01",
      "10-19",
      "12-25",
    ],
    half: ["02-16", "12-24", "12-31"],
  },
};

describe("XHKG after the answer file (rules, gazette and HKEX notices)", () => {
  for (const [year, { closed, half }] of Object.entries(PUBLISHED)) {
    it(`is closed and half-closed on exactly the published ${year} days`, () => {
      const weekdays = weekdaysBetween(`${year}-01-01`, `${year}-12-31`);
      expect(weekdays.filter((d) => !xhkg.isTradingDay(d))).toEqual(
        closed.map((d) => `${year}-${d}`),
      );
      expect(weekdays.filter((d) => xhkg.session(d)?.earlyClose)).toEqual(
        half.map((d) => `${year}-${d}`),
      );
      for (const d of half) {
        const s = xhkg.session(`${year}-${d}`)!;
        expect(hongKong(s.close), "a half day ends at noon").toBe(`${year}-${d} 12:00`);
        expect(s.breakStart, "and has no lunch break").toBeUndefined();
      }
    });
  }

  it("trades 09:30-12:00 and 13:00-16:00 since 2011-03-07, from 10:00 before", () => {
    const s = xhkg.session("2024-03-04")!;
    expect([s.open, s.breakStart!, s.breakEnd!, s.close].map(hongKong)).toEqual([
      "2024-03-04 09:30",
      "2024-03-04 12:00",
      "2024-03-04 13:00",
      "2024-03-04 16:00",
    ]);
    expect(xhkg.expectedBarCount("2024-03-04"), "150 + 180 minutes").toBe(330);
    expect(hongKong(xhkg.session("2011-03-04")!.open)).toBe("2011-03-04 10:00");
    expect(hongKong(xhkg.session("2010-12-24")!.close), "the old half day").toBe(
      "2010-12-24 12:30",
    );
    expect(xhkg.isOpen(s.breakStart! - MINUTE)).toBe(true);
    expect(xhkg.isOpen(s.breakStart! + 10 * MINUTE)).toBe(false);
    expect(xhkg.isOpen(s.breakEnd!)).toBe(true);
  });

  it("applies the substitution rules in years no list reaches yet", () => {
    // 2030: Lunar New Year on Sunday 3 February: the 4th day (Wednesday 6th) substitutes.
    expect(["2030-02-04", "2030-02-05", "2030-02-06"].map((d) => xhkg.isTradingDay(d))).toEqual([
      false,
      false,
      false,
    ]);
    expect(xhkg.session("2030-02-01")?.earlyClose, "the eve is Saturday 2 February").toBe(false);
    // 2037: Ching Ming on Saturday 4 April, the day following Good Friday: moved past Easter
    // Monday to Tuesday 7 April.
    expect(xhkg.isTradingDay("2037-04-06")).toBe(false);
    expect(xhkg.isTradingDay("2037-04-07")).toBe(false);
    expect(xhkg.isTradingDay("2037-04-08")).toBe(true);
    expect(xhkg.isTradingDay("2099-12-24")).toBe(true);
  });
});

describe("XHKG input checks", () => {
  it("refuses dates outside the lunisolar table's 1990..2099", () => {
    expect(() => xhkg.session("1989-12-29")).toThrow(InvalidDateError);
    expect(() => xhkg.session("2100-01-04")).toThrow(/outside the XHKG calendar's supported range/);
    expect(new Date(xhkg.session("2025-07-02")!.open).toISOString()).toBe(
      "2025-07-02T01:30:00.000Z",
    );
  });
});
