import { describe, expect, it } from "vitest";
import { InvalidDateError } from "../domain/errors.js";
import {
  answerFile,
  answerFileMismatches,
  readAnswerFile,
  wallClock,
  weekdaysBetween,
} from "./answer-file.test-helpers.js";
import { xlonCalendar as xlon } from "./xlon.js";

const FILE = answerFile("xlon.csv");
const london = wallClock("Europe/London");

describe.skipIf(!FILE.present)("XLON against exchange_calendars' answer file (1990-2019)", () => {
  const rows = FILE.present ? readAnswerFile(FILE.path) : new Map();

  it("has every one of the 7,583 sessions with the same open and close, and no other", () => {
    expect(rows.size).toBe(7583);
    expect(answerFileMismatches(xlon, rows)).toEqual([]);
    expect(xlon.sessionsBetween("1990-01-02", "2019-12-31")).toEqual([...rows.keys()]);
  });

  it("marks exactly the file's 12:30 closes as early closes", () => {
    const early = [...rows.values()].filter((r) => r.close - r.open < 8.5 * 3_600_000);
    expect(early.length).toBe(59);
    for (const r of early) expect(xlon.session(r.date)?.earlyClose, r.date).toBe(true);
    const flagged = [...rows.keys()].filter((d) => xlon.session(d)?.earlyClose);
    expect(flagged).toEqual(early.map((r) => r.date));
  });
});

/**
 * England and Wales bank holidays as GOV.UK publishes them (https://www.gov.uk/bank-holidays,
 * and its bank-holidays.json), the LSE closing on each; with the LSE's half days (12:30) on
 * Christmas Eve and New Year's Eve or the Friday before (londonstockexchange.com, "Business
 * days").
 */
const PUBLISHED: Record<number, { closed: string[]; half: string[] }> = {
  2020: {
    // The early May bank holiday moved to Friday 8 May for the 75th anniversary of VE Day.
    closed: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    half: ["12-24", "12-31"],
  },
  2021: {
    closed: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    half: ["12-24", "12-31"],
  },
  2022: {
    // Spring bank holiday moved to Thursday 2 June, Platinum Jubilee Friday 3 June, the state
    // funeral of Queen Elizabeth II Monday 19 September.
    closed: [
      "01-03",
      "04-15",
      "04-18",
      "05-02",
      "06-02",
      "06-03",
      "08-29",
      "09-19",
      "12-26",
      "12-27",
    ],
    half: ["12-23", "12-30"],
  },
  2023: {
    // The coronation of King Charles III, Monday 8 May.
    closed: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    half: ["12-22", "12-29"],
  },
  2024: {
    closed: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    half: ["12-24", "12-31"],
  },
  2025: {
    closed: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    half: ["12-24", "12-31"],
  },
  2026: {
    closed: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    half: ["12-24", "12-31"],
  },
  2027: {
    closed: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
    half: ["12-24", "12-31"],
  },
};

describe("XLON after the answer file (rules and proclamations)", () => {
  for (const [year, { closed, half }] of Object.entries(PUBLISHED)) {
    it(`closes on GOV.UK's ${year} bank holidays and half-closes on the eves`, () => {
      const weekdays = weekdaysBetween(`${year}-01-01`, `${year}-12-31`);
      expect(weekdays.filter((d) => !xlon.isTradingDay(d))).toEqual(
        closed.map((d) => `${year}-${d}`),
      );
      expect(weekdays.filter((d) => xlon.session(d)?.earlyClose)).toEqual(
        half.map((d) => `${year}-${d}`),
      );
      for (const d of half) {
        expect(london(xlon.session(`${year}-${d}`)!.close)).toBe(`${year}-${d} 12:30`);
      }
    });
  }

  it("opens 08:00 to 16:30 London time, 510 minutes, with no extended hours", () => {
    const s = xlon.session("2024-07-01")!;
    expect(london(s.open)).toBe("2024-07-01 08:00");
    expect(london(s.close)).toBe("2024-07-01 16:30");
    expect(s.preOpen).toBe(s.open);
    expect(s.postClose).toBe(s.close);
    expect(xlon.expectedBarCount("2024-07-01")).toBe(510);
    expect(xlon.expectedBarCount("2024-12-24"), "a half day is 08:00-12:30").toBe(270);
    expect(s.breakStart).toBeUndefined();
  });
});

describe("XLON daylight saving", () => {
  const utc = (t: number) => new Date(t).toISOString().slice(11, 16);
  it("opens 08:00 UTC in winter and 07:00 UTC in British Summer Time", () => {
    // BST 2024: from Sunday 31 March to Sunday 27 October.
    expect(utc(xlon.session("2024-03-28")!.open)).toBe("08:00");
    expect(utc(xlon.session("2024-04-02")!.open)).toBe("07:00");
    expect(utc(xlon.session("2024-10-25")!.close)).toBe("15:30");
    expect(utc(xlon.session("2024-10-28")!.close)).toBe("16:30");
  });

  it("puts instants around the switch in the right session, or in none", () => {
    expect(xlon.sessionDateOf(Date.parse("2024-04-02T07:00:00Z"))).toBe("2024-04-02");
    expect(xlon.sessionDateOf(Date.parse("2024-04-02T06:59:00Z"))).toBeUndefined();
    expect(xlon.isOpen(Date.parse("2024-04-02T15:29:00Z"))).toBe(true);
    expect(xlon.isOpen(Date.parse("2024-04-02T15:30:00Z"))).toBe(false);
    expect(xlon.isOpen(Date.parse("2024-10-28T16:29:00Z"))).toBe(true);
    expect(xlon.isOpen(Date.parse("2024-03-31T12:00:00Z")), "a Sunday").toBe(false);
  });
});

describe("XLON input checks", () => {
  it("refuses malformed dates and dates outside 1990..2199", () => {
    expect(() => xlon.session("2024-02-30")).toThrow(InvalidDateError);
    expect(() => xlon.session("1989-12-29")).toThrow(
      /outside the XLON calendar's supported range 1990-01-01..2199-12-31/,
    );
    expect(xlon.sessionDateOf(Date.UTC(1985, 5, 3, 12)), "out of range is no session").toBe(
      undefined,
    );
    expect(xlon.nextSession("2024-12-24")).toBe("2024-12-27");
    expect(xlon.previousSession("2025-01-02")).toBe("2024-12-31");
  });
});
