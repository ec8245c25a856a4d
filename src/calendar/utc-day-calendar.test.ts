import { describe, expect, it } from "vitest";
import { InvalidArgumentError, InvalidDateError } from "../domain/errors.js";
import { fxCalendar } from "./fx-calendar.js";
import { alwaysOpenCalendar, weekdaysCalendar } from "./utc-day-calendar.js";
import { xnysCalendar } from "./xnys.js";

describe("alwaysOpenCalendar", () => {
  it("has a session every UTC day of 1,440 minutes", () => {
    const s = alwaysOpenCalendar.session("2022-01-01");
    expect(s).toEqual({
      date: "2022-01-01",
      open: Date.UTC(2022, 0, 1),
      close: Date.UTC(2022, 0, 2),
      preOpen: Date.UTC(2022, 0, 1),
      postClose: Date.UTC(2022, 0, 2),
      earlyClose: false,
    });
    expect(alwaysOpenCalendar.expectedBarCount("2022-01-01")).toBe(1440);
    expect(alwaysOpenCalendar.expectedBarCount("2022-01-01", Date.UTC(2022, 0, 1, 0, 10))).toBe(10);
    expect(alwaysOpenCalendar.sessionDateOf(Date.UTC(2022, 0, 1, 23, 59))).toBe("2022-01-01");
    expect(alwaysOpenCalendar.sessionsBetween("2021-12-30", "2022-01-02")).toHaveLength(4);
  });
});

describe("weekdaysCalendar", () => {
  it("skips weekends", () => {
    expect(weekdaysCalendar.isTradingDay("2012-02-04")).toBe(false);
    expect(weekdaysCalendar.sessionDateOf(Date.UTC(2012, 1, 5, 22))).toBeUndefined();
    expect(weekdaysCalendar.nextSession("2012-02-03")).toBe("2012-02-06");
    expect(weekdaysCalendar.previousSession("2012-02-06")).toBe("2012-02-03");
    expect(weekdaysCalendar.sessionsBetween("2012-02-01", "2012-02-07")).toEqual([
      "2012-02-01",
      "2012-02-02",
      "2012-02-03",
      "2012-02-06",
      "2012-02-07",
    ]);
    expect(weekdaysCalendar.expectedBarCount("2012-02-04")).toBe(0);
  });

  it("refuses malformed dates", () => {
    expect(() => weekdaysCalendar.isTradingDay("2012-02-30")).toThrow(InvalidDateError);
    expect(() => weekdaysCalendar.session("20120201")).toThrow(/YYYY-MM-DD/);
  });
});

describe("the edges of the representable dates, and a NaN until", () => {
  it.each([
    ["24/7", alwaysOpenCalendar, "2024-01-03"],
    ["24/5-UTC", weekdaysCalendar, "2024-01-03"],
    ["24/5", fxCalendar, "2024-01-03"],
    ["XNYS", xnysCalendar, "2024-01-03"],
  ])("%s refuses expectedBarCount(date, NaN) instead of answering NaN", (_, calendar, date) => {
    expect(() => calendar.expectedBarCount(date, Number.NaN)).toThrow(InvalidArgumentError);
    expect(calendar.expectedBarCount(date, Number.POSITIVE_INFINITY)).toBe(
      calendar.expectedBarCount(date),
    );
  });

  it.each([
    ["24/7", alwaysOpenCalendar],
    ["24/5-UTC", weekdaysCalendar],
    ["24/5", fxCalendar],
  ])(
    "%s: no session date beyond four-digit years (undefined or InvalidDateError, never +010000-01)",
    (_, calendar) => {
      expect(() => calendar.nextSession("9999-12-31")).toThrow(InvalidDateError);
      expect(() => calendar.previousSession("0100-01-01")).toThrow(InvalidDateError);
      expect(calendar.sessionDateOf(1e16), "past year 9999").toBeUndefined();
      expect(calendar.sessionDateOf(-1e15), "before year 100").toBeUndefined();
      expect(calendar.nextSession("9999-12-01")).toMatch(/^9999-12-0\d$/);
    },
  );
});
