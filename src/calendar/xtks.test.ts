import { describe, expect, it } from "vitest";
import { InvalidDateError } from "../domain/errors.js";
import { daysFromCivil, formatDay } from "../domain/time.js";
import {
  answerFile,
  answerFileMismatches,
  readAnswerFile,
  wallClock,
  weekdaysBetween,
} from "./answer-file.test-helpers.js";
import { autumnalEquinoxDay, japaneseHolidays, vernalEquinoxDay } from "./japan-holidays.js";
import { xtksCalendar as xtks } from "./xtks.js";

const FILE = answerFile("xtks.csv");
const tokyo = wallClock("Asia/Tokyo");
const MINUTE = 60_000;

describe.skipIf(!FILE.present)("XTKS against exchange_calendars' answer file (2000-2019)", () => {
  const rows = FILE.present ? readAnswerFile(FILE.path) : new Map();

  it("has every one of the 4,906 sessions with the same open, close and lunch break", () => {
    expect(rows.size).toBe(4906);
    expect(answerFileMismatches(xtks, rows)).toEqual([]);
    expect(xtks.sessionsBetween("2000-01-04", "2019-12-30")).toEqual([...rows.keys()]);
  });
});

/**
 * The JPX market holidays (https://www.jpx.co.jp/english/corporate/about-jpx/calendar/), which
 * are Japan's national holidays as the Cabinet Office lists them
 * (https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html) plus December 31 to January 3:
 * weekdays only. 2020 and 2021 carry the Olympic moves of Marine, Sports and Mountain Day;
 * 2020-10-01 is the day arrowhead failed and the exchange did not trade.
 */
const PUBLISHED: Record<number, string[]> = {
  2020: [
    "01-01",
    "01-02",
    "01-03",
    "01-13",
    "02-11",
    "02-24",
    "03-20",
    "04-29",
    "05-04",
    "05-05",
    "05-06",
    "07-23",
    "07-24",
    "08-10",
    "09-21",
    "09-22",
    "10-01",
    "11-03",
    "11-23",
    "12-31",
  ],
  2021: [
    "01-01",
    "01-11",
    "02-11",
    "02-23",
    "04-29",
    "05-03",
    "05-04",
    "05-05",
    "07-22",
    "07-23",
    "08-09",
    "09-20",
    "09-23",
    "11-03",
    "11-23",
    "12-31",
  ],
  2022: [
    "01-03",
    "01-10",
    "02-11",
    "02-23",
    "03-21",
    "04-29",
    "05-03",
    "05-04",
    "05-05",
    "07-18",
    "08-11",
    "09-19",
    "09-23",
    "10-10",
    "11-03",
    "11-23",
  ],
  2023: [
    "01-02",
    "01-03",
    "01-09",
    "02-23",
    "03-21",
    "05-03",
    "05-04",
    "05-05",
    "07-17",
    "08-11",
    "09-18",
    "10-09",
    "11-03",
    "11-23",
  ],
  2024: [
    "01-01",
    "01-02",
    "01-03",
    "01-08",
    "02-12",
    "02-23",
    "03-20",
    "04-29",
    "05-03",
    "05-06",
    "07-15",
    "08-12",
    "09-16",
    "09-23",
    "10-14",
    "11-04",
    "12-31",
  ],
  2025: [
    "01-01",
    "01-02",
    "01-03",
    "01-13",
    "02-11",
    "02-24",
    "03-20",
    "04-29",
    "05-05",
    "05-06",
    "07-21",
    "08-11",
    "09-15",
    "09-23",
    "10-13",
    "11-03",
    "11-24",
    "12-31",
  ],
  2026: [
    "01-01",
    "01-02",
    "01-12",
    "02-11",
    "02-23",
    "03-20",
    "04-29",
    "05-04",
    "05-05",
    "05-06",
    "07-20",
    "08-11",
    "09-21",
    "09-22",
    "09-23",
    "10-12",
    "11-03",
    "11-23",
    "12-31",
  ],
};

describe("XTKS after the answer file (rules and published holidays)", () => {
  for (const [year, closed] of Object.entries(PUBLISHED)) {
    it(`is closed on exactly the JPX's ${year} market holidays`, () => {
      const weekdays = weekdaysBetween(`${year}-01-01`, `${year}-12-31`);
      expect(weekdays.filter((d) => !xtks.isTradingDay(d))).toEqual(
        closed.map((d) => `${year}-${d}`),
      );
    });
  }

  it("closes at 15:30 from 2024-11-05 and at 15:00 before, with the 11:30-12:30 lunch", () => {
    const before = xtks.session("2024-11-01")!;
    const after = xtks.session("2024-11-05")!;
    expect(tokyo(before.close)).toBe("2024-11-01 15:00");
    expect(tokyo(after.close)).toBe("2024-11-05 15:30");
    for (const s of [before, after]) {
      expect(tokyo(s.open)).toBe(`${s.date} 09:00`);
      expect(tokyo(s.breakStart!)).toBe(`${s.date} 11:30`);
      expect(tokyo(s.breakEnd!)).toBe(`${s.date} 12:30`);
    }
    expect(xtks.expectedBarCount("2024-11-01"), "150 + 150 minutes").toBe(300);
    expect(xtks.expectedBarCount("2024-11-05"), "150 + 180 minutes").toBe(330);
  });

  it("leaves the lunch break out of the expected minutes and of isOpen", () => {
    const s = xtks.session("2025-01-06")!;
    expect(xtks.expectedBarCount(s.date, s.breakStart)).toBe(150);
    expect(xtks.expectedBarCount(s.date, s.breakStart! + 30 * MINUTE), "inside the break").toBe(
      150,
    );
    expect(xtks.expectedBarCount(s.date, s.breakEnd! + MINUTE)).toBe(151);
    expect(xtks.isOpen(s.breakStart! - MINUTE)).toBe(true);
    expect(xtks.isOpen(s.breakStart!)).toBe(false);
    expect(xtks.isOpen(s.breakEnd! - MINUTE)).toBe(false);
    expect(xtks.isOpen(s.breakEnd!)).toBe(true);
    expect(xtks.sessionDateOf(s.breakStart!), "the break is still the day's session").toBe(s.date);
    expect(xtks.isOpen(s.close)).toBe(false);
    expect(xtks.sessionDateOf(s.close)).toBeUndefined();
  });

  it("computes the substitute, sandwiched and Golden Week days far ahead", () => {
    const holidays = (year: number) =>
      [...japaneseHolidays(year).keys()].sort((a, b) => a - b).map(formatDay);
    // 2032 and 2037: Respect for the Aged Day and the autumnal equinox two days apart.
    expect(holidays(2032)).toContain("2032-09-21");
    expect(holidays(2037)).toContain("2037-09-22");
    // Children's Day on a Sunday in 2030: the substitute is Monday May 6.
    expect(holidays(2030)).toContain("2030-05-06");
    // Constitution Day on a Sunday (2037): May 4 and 5 are holidays, so the substitute is May 6.
    expect(holidays(2037)).toContain("2037-05-06");
    expect(xtks.isTradingDay("2037-05-07")).toBe(true);
    // The 2019 enthronement: April 30 and May 2 sandwiched by April 29 and May 1.
    for (const d of ["2019-04-30", "2019-05-01", "2019-05-02", "2019-10-22"]) {
      expect(xtks.isTradingDay(d), d).toBe(false);
    }
    expect(xtks.isTradingDay("2099-12-30")).toBe(true);
    expect(xtks.isTradingDay("2099-12-31")).toBe(false);
  });

  it("puts the equinoxes where the National Astronomical Observatory does", () => {
    // The dates the National Astronomical Observatory of Japan published ("暦要項").
    const vernal: Record<number, number> = { 2023: 21, 2024: 20, 2025: 20, 2026: 20, 2027: 21 };
    const autumnal: Record<number, number> = { 2023: 23, 2024: 22, 2025: 23, 2026: 23, 2027: 23 };
    for (const [y, d] of Object.entries(vernal)) expect(vernalEquinoxDay(+y), y).toBe(d);
    for (const [y, d] of Object.entries(autumnal)) expect(autumnalEquinoxDay(+y), y).toBe(d);
    expect(formatDay(daysFromCivil(2012, 9, autumnalEquinoxDay(2012)))).toBe("2012-09-22");
  });
});

describe("XTKS time zone and input checks", () => {
  it("keeps the same UTC hours all year (Japan has no daylight saving)", () => {
    for (const date of ["2025-01-06", "2025-07-07"]) {
      const s = xtks.session(date)!;
      expect(new Date(s.open).toISOString()).toBe(`${date}T00:00:00.000Z`);
      expect(new Date(s.close).toISOString()).toBe(`${date}T06:30:00.000Z`);
    }
  });

  it("refuses dates outside 1990..2099", () => {
    expect(() => xtks.session("1989-12-29")).toThrow(InvalidDateError);
    expect(() => xtks.session("2100-01-04")).toThrow(/outside the XTKS calendar's supported range/);
    expect(xtks.nextSession("2025-12-30")).toBe("2026-01-05");
  });
});
