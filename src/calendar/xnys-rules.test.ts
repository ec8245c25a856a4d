import { describe, expect, it } from "vitest";
import { daysFromCivil, formatDay, parseDay, weekdayOfDay } from "../domain/time.js";
import { easterSunday, XNYS_FIRST_YEAR, XNYS_LAST_YEAR, xnysYearRules } from "./xnys-rules.js";

describe("easterSunday", () => {
  it("gives the Gregorian Easter dates, the earliest and latest possible included", () => {
    const known = [
      "1990-04-15",
      "2000-04-23",
      "2008-03-23",
      "2011-04-24",
      "2019-04-21",
      "2024-03-31",
      "2025-04-20",
      "2026-04-05",
      "2027-03-28",
      "2038-04-25", // the latest possible date
      "2285-03-22", // the earliest possible date
    ];
    for (const date of known) expect(formatDay(easterSunday(Number(date.slice(0, 4))))).toBe(date);
  });

  it("always falls on a Sunday between March 22 and April 25", () => {
    for (let year = 1583; year <= 2600; year++) {
      const day = easterSunday(year);
      expect(weekdayOfDay(day)).toBe(0);
      expect(day).toBeGreaterThanOrEqual(daysFromCivil(year, 3, 22));
      expect(day).toBeLessThanOrEqual(daysFromCivil(year, 4, 25));
    }
  });
});

describe("xnysYearRules", () => {
  it("closes ten weekdays a year from 2026 on, nine when New Year's Day is a Saturday", () => {
    // Ten recurring holidays, each observed on a weekday except a Saturday New Year's Day.
    for (let year = 2026; year <= XNYS_LAST_YEAR; year++) {
      const { closed, earlyCloses } = xnysYearRules(year);
      const saturdayNewYear = weekdayOfDay(daysFromCivil(year, 1, 1)) === 6;
      expect(closed.size, `${year}`).toBe(saturdayNewYear ? 9 : 10);
      for (const day of [...closed.keys(), ...earlyCloses.keys()]) {
        expect(weekdayOfDay(day)).not.toBe(0);
        expect(weekdayOfDay(day)).not.toBe(6);
      }
      for (const day of earlyCloses.keys()) expect(closed.has(day)).toBe(false);
      // Day after Thanksgiving always; Christmas Eve and July 3 when they are Mon..Thu.
      expect(earlyCloses.size).toBeGreaterThanOrEqual(1);
      expect(earlyCloses.size).toBeLessThanOrEqual(3);
    }
  });

  it("names the closures, one-off ones included", () => {
    const { closed } = xnysYearRules(2025);
    expect(closed.get(parseDay("2025-01-09"))).toMatch(/Carter/);
    expect(closed.get(parseDay("2025-04-18"))).toBe("Good Friday");
    expect(xnysYearRules(2012).closed.get(parseDay("2012-10-29"))).toBe("Hurricane Sandy");
    expect(xnysYearRules(XNYS_FIRST_YEAR).closed.get(parseDay("1990-01-01"))).toBe(
      "New Year's Day",
    );
  });

  it("moves fixed holidays off weekends: Saturday to Friday, Sunday to Monday", () => {
    expect(xnysYearRules(2026).closed.get(parseDay("2026-07-03"))).toBe("Independence Day");
    expect(xnysYearRules(2027).closed.get(parseDay("2027-07-05"))).toBe("Independence Day");
    expect(xnysYearRules(2027).closed.get(parseDay("2027-06-18"))).toBe("Juneteenth");
    expect(xnysYearRules(2022).closed.get(parseDay("2022-06-20"))).toBe("Juneteenth");
    expect(xnysYearRules(2021).closed.get(parseDay("2021-12-24"))).toBe("Christmas Day");
    expect(xnysYearRules(2022).closed.get(parseDay("2022-12-26"))).toBe("Christmas Day");
    expect(xnysYearRules(2021).closed.has(parseDay("2021-06-18"))).toBe(false); // before 2022
  });
});
