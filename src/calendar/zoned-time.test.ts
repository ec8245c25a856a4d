import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { InvalidDateError } from "../domain/errors.js";
import {
  daysFromCivil,
  daysInMonth,
  formatDay,
  parseDay,
  weekdayOfDay,
  yearOfDay,
} from "../domain/time.js";
import { ZoneOffsets } from "./zoned-time.js";

const DAY = 86_400_000;

describe("civil dates", () => {
  it("agree with Date for any day from 1600 to 2600", () => {
    fc.assert(
      fc.property(fc.integer({ min: -135_000, max: 230_000 }), (day) => {
        const d = new Date(day * DAY);
        const y = d.getUTCFullYear();
        expect(daysFromCivil(y, d.getUTCMonth() + 1, d.getUTCDate())).toBe(day);
        expect(yearOfDay(day)).toBe(y);
        expect(weekdayOfDay(day)).toBe(d.getUTCDay());
        expect(parseDay(formatDay(day))).toBe(day);
      }),
      { numRuns: runs(3000) },
    );
  });

  it("know leap years, and year ends either side", () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(yearOfDay(daysFromCivil(2023, 12, 31))).toBe(2023);
    expect(yearOfDay(daysFromCivil(2024, 1, 1))).toBe(2024);
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
  });

  it("parse only real YYYY-MM-DD dates", () => {
    expect(parseDay("2024-02-29")).toBe(Date.UTC(2024, 1, 29) / DAY);
    for (const bad of [
      "2023-02-29",
      "2024-00-10",
      "2024-04-31",
      "2024/04/01",
      "2024-4-1",
      " 2024-04-01",
    ]) {
      expect(() => parseDay(bad)).toThrow(InvalidDateError);
    }
    expect(() => parseDay(20240401 as unknown as string)).toThrow(InvalidDateError);
  });
});

describe("ZoneOffsets", () => {
  /** The offset at local noon of each day straight from Intl, for comparison. */
  const slowOffsets = (zone: ZoneOffsets, year: number) => {
    const out: number[] = [];
    for (let day = daysFromCivil(year, 1, 1); day < daysFromCivil(year + 1, 1, 1); day++) {
      const guess = zone.offsetAt(day * DAY + 12 * 3_600_000);
      out.push(zone.offsetAt(day * DAY + 12 * 3_600_000 - guess * 60_000));
    }
    return out;
  };

  for (const [timeZone, year] of [
    ["America/New_York", 2024],
    ["America/New_York", 1974], // year-round DST from January 6 (energy crisis)
    ["Australia/Sydney", 2023], // southern hemisphere: DST at both ends of the year
    ["Australia/Lord_Howe", 2022], // 30-minute DST shift
    ["Asia/Kolkata", 2024], // no DST, +05:30
  ] as const) {
    it(`gives each day's offset in ${timeZone} in ${year} as Intl does`, () => {
      const zone = new ZoneOffsets(timeZone);
      const first = daysFromCivil(year, 1, 1);
      const fast = slowOffsets(zone, year).map((_, i) => zone.offsetOnDay(first + i));
      expect(fast).toEqual(slowOffsets(zone, year));
    });
  }

  it("converts New York wall-clock times to UTC across daylight saving", () => {
    const ny = new ZoneOffsets("America/New_York");
    expect(ny.localToUtc(daysFromCivil(2024, 1, 10), 9 * 60 + 30)).toBe(
      Date.UTC(2024, 0, 10, 14, 30),
    );
    expect(ny.localToUtc(daysFromCivil(2024, 7, 10), 9 * 60 + 30)).toBe(
      Date.UTC(2024, 6, 10, 13, 30),
    );
    expect(ny.offsetAt(Date.UTC(2024, 2, 10, 6, 59))).toBe(-300); // 01:59 EST
    expect(ny.offsetAt(Date.UTC(2024, 2, 10, 7, 0))).toBe(-240); // 03:00 EDT
  });
});
