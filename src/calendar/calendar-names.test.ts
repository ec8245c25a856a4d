import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../domain/errors.js";
import { CALENDARS, calendarByName, calendarNames, findCalendar } from "./calendar-names.js";
import { regularBarCount, type Session } from "./trading-calendar.js";
import { xnysCalendar } from "./xnys.js";

describe("calendarByName", () => {
  it("finds every built-in calendar by its name, in any case", () => {
    for (const calendar of CALENDARS) {
      expect(calendarByName(calendar.name), calendar.name).toBe(calendar);
      expect(calendarByName(calendar.name.toLowerCase()), calendar.name).toBe(calendar);
    }
    expect(findCalendar("nyse"), "alias").toBe(xnysCalendar);
  });

  it("refuses an unknown name, listing the names", () => {
    expect(() => calendarByName("XPAR")).toThrow(InvalidArgumentError);
    expect(() => calendarByName("XPAR")).toThrow(calendarNames().join(", "));
    expect(findCalendar("XPAR")).toBeUndefined();
  });
});

describe("regularBarCount with a break", () => {
  const open = Date.UTC(2024, 0, 4, 0, 0);
  const session: Session = {
    date: "2024-01-04",
    open,
    close: open + 360 * 60_000,
    preOpen: open,
    postClose: open + 360 * 60_000,
    earlyClose: false,
    breakStart: open + 150 * 60_000,
    breakEnd: open + 210 * 60_000,
  };

  it("leaves the break's minutes out, whatever `until`", () => {
    expect(regularBarCount(session, undefined), "whole session").toBe(300);
    expect(regularBarCount(session, open + 100 * 60_000), "before the break").toBe(100);
    expect(regularBarCount(session, open + 180 * 60_000), "inside the break").toBe(150);
    expect(regularBarCount(session, open + 211 * 60_000), "a minute after it").toBe(151);
  });
});
