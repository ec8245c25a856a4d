import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { requiring, sharedData } from "../../test/requirements.js";
import { InvalidDateError } from "../domain/errors.js";
import { xnysCalendar as xnys } from "./xnys.js";

const SESSIONS_CSV = fileURLToPath(
  new URL("../../../shared/data/calendars/xnys.csv", import.meta.url),
);
const PANDAS_CSV = fileURLToPath(
  new URL("../../../shared/data/calendars/nyse-full-day-holidays-since-1928.csv", import.meta.url),
);
const answerFiles = sharedData(
  "calendars/xnys.csv",
  "calendars/nyse-full-day-holidays-since-1928.csv",
);
const haveData = answerFiles.met;

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const weekdaysBetween = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(isoDate(t));
  }
  return out;
};

/** New York wall-clock time of an instant, `YYYY-MM-DD HH:MM`, the slow way (for checks). */
const nyFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
const nyWallClock = (ms: number) => nyFormat.format(ms).replace(",", "");

requiring(answerFiles).describe("XNYS against exchange_calendars' answer file (1990-2023)", () => {
  const rows = haveData ? readFileSync(SESSIONS_CSV, "utf8").trim().split("\n").slice(1) : [];
  const file = new Map<string, { open: number; close: number }>();
  for (const row of rows) {
    const [date, open, close] = row.split(",");
    file.set(date!.slice(0, 10), { open: Date.parse(open!), close: Date.parse(close!) });
  }

  it("has every one of the 8,324 sessions with the same open and close", () => {
    expect(file.size).toBe(8324);
    const wrong: string[] = [];
    for (const [date, { open, close }] of file) {
      const s = xnys.session(date);
      if (s === undefined || s.open !== open || s.close !== close) wrong.push(date);
      else if (s.earlyClose !== close - open < 390 * 60_000) wrong.push(`${date} earlyClose`);
    }
    expect(wrong).toEqual([]);
  });

  it("has no session on any weekday the file leaves out", () => {
    const extra = weekdaysBetween("1990-01-01", "2023-01-13").filter(
      (d) => !file.has(d) && xnys.isTradingDay(d),
    );
    expect(extra).toEqual([]);
    expect(xnys.sessionsBetween("1990-01-01", "2023-01-13")).toEqual([...file.keys()]);
  });

  it("closes on exactly the weekday holidays of the pandas list from 1990 to its end", () => {
    const listed = new Set<string>();
    for (const line of readFileSync(PANDAS_CSV, "utf8").trim().split("\n")) {
      const [m, d, y] = line.trim().split("/").map(Number);
      const date = isoDate(Date.UTC(y!, m! - 1, d!));
      const wd = new Date(date).getUTCDay();
      if (y! >= 1990 && wd !== 0 && wd !== 6) listed.add(date);
    }
    const closed = weekdaysBetween("1990-01-01", "2021-07-05").filter((d) => !xnys.isTradingDay(d));
    expect(listed.size).toBe(283);
    expect(closed).toEqual([...listed].sort());
  });
});

/** NYSE's published holidays and early closes (nyse.com/markets/hours-calendars). */
const PUBLISHED: Record<number, { closed: string[]; early: string[] }> = {
  2023: {
    closed: [
      "01-02",
      "01-16",
      "02-20",
      "04-07",
      "05-29",
      "06-19",
      "07-04",
      "09-04",
      "11-23",
      "12-25",
    ],
    early: ["07-03", "11-24"],
  },
  2024: {
    closed: [
      "01-01",
      "01-15",
      "02-19",
      "03-29",
      "05-27",
      "06-19",
      "07-04",
      "09-02",
      "11-28",
      "12-25",
    ],
    early: ["07-03", "11-29", "12-24"],
  },
  2025: {
    closed: [
      "01-01",
      "01-09",
      "01-20",
      "02-17",
      "04-18",
      "05-26",
      "06-19",
      "07-04",
      "09-01",
      "11-27",
      "12-25",
    ],
    early: ["07-03", "11-28", "12-24"],
  },
  2026: {
    closed: [
      "01-01",
      "01-19",
      "02-16",
      "04-03",
      "05-25",
      "06-19",
      "07-03",
      "09-07",
      "11-26",
      "12-25",
    ],
    early: ["11-27", "12-24"],
  },
  2027: {
    closed: [
      "01-01",
      "01-18",
      "02-15",
      "03-26",
      "05-31",
      "06-18",
      "07-05",
      "09-06",
      "11-25",
      "12-24",
    ],
    early: ["11-26"],
  },
};

describe("XNYS after the answer file (rules only)", () => {
  for (const [year, { closed, early }] of Object.entries(PUBLISHED)) {
    it(`matches the NYSE's published ${year} holidays and early closes`, () => {
      const weekdays = weekdaysBetween(`${year}-01-01`, `${year}-12-31`);
      expect(weekdays.filter((d) => !xnys.isTradingDay(d))).toEqual(
        closed.map((d) => `${year}-${d}`),
      );
      expect(weekdays.filter((d) => xnys.session(d)?.earlyClose)).toEqual(
        early.map((d) => `${year}-${d}`),
      );
      for (const d of early) {
        expect(nyWallClock(xnys.session(`${year}-${d}`)!.close)).toBe(`${year}-${d} 13:00`);
      }
    });
  }

  it("keeps New Year's Day on a Saturday unobserved and moves a Sunday one to Monday", () => {
    expect(xnys.isTradingDay("2021-12-31")).toBe(true); // 2022-01-01 is a Saturday
    expect(xnys.isTradingDay("2027-12-31")).toBe(true); // 2028-01-01 is a Saturday
    expect(xnys.isTradingDay("2023-01-02")).toBe(false); // 2023-01-01 is a Sunday
    expect(xnys.isTradingDay("2034-01-02")).toBe(false); // 2034-01-01 is a Sunday
  });

  it("opens at 09:30 and closes at 16:00, or early at 14:00 (to 1992) or 13:00, on every session to 2199", () => {
    // An early close was at 14:00 until 1992 and at 13:00 since 1993; extended hours end four
    // hours after the close. The examples are the 14:00 closes a random draw once found.
    const noon = (date: string) => Date.parse(`${date}T17:00:00Z`);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2199, 11, 31) }), (t) => {
        const date = isoDate(t - (t % DAY));
        const s = xnys.session(date);
        if (s === undefined) return;
        const close = !s.earlyClose ? "16:00" : date < "1993-01-01" ? "14:00" : "13:00";
        const postClose = { "16:00": "20:00", "14:00": "18:00", "13:00": "17:00" }[close];
        expect(nyWallClock(s.preOpen)).toBe(`${date} 04:00`);
        expect(nyWallClock(s.open)).toBe(`${date} 09:30`);
        expect(nyWallClock(s.close), `${date} closes at ${close}`).toBe(`${date} ${close}`);
        expect(nyWallClock(s.postClose)).toBe(`${date} ${postClose}`);
      }),
      {
        numRuns: runs(2000),
        examples: ["1990-12-24", "1991-12-24", "1992-11-27", "1992-12-24", "2024-07-03"].map(
          (d) => [noon(d)] as [number],
        ),
      },
    );
  });

  it("computes Good Friday from Easter far ahead (2100-04-02 is Easter Friday's date less 2)", () => {
    // Easter Sundays: 2038-04-25 (the latest possible), 2100-03-28, 2160-03-23 (the earliest).
    expect(xnys.isTradingDay("2038-04-23")).toBe(false);
    expect(xnys.isTradingDay("2100-03-26")).toBe(false);
    expect(xnys.isTradingDay("2160-03-21")).toBe(false);
    expect(xnys.isTradingDay("2160-03-20")).toBe(true);
  });
});

describe("XNYS navigation", () => {
  it("finds the next and previous sessions across weekends, holidays and closures", () => {
    expect(xnys.nextSession("2024-03-28")).toBe("2024-04-01"); // Good Friday, weekend
    expect(xnys.previousSession("2024-04-01")).toBe("2024-03-28");
    expect(xnys.nextSession("2024-03-30")).toBe("2024-04-01"); // from a Saturday
    expect(xnys.previousSession("2024-03-30")).toBe("2024-03-28");
    expect(xnys.nextSession("2001-09-10")).toBe("2001-09-17");
    expect(xnys.previousSession("2001-09-17")).toBe("2001-09-10");
    expect(xnys.nextSession("2025-01-08")).toBe("2025-01-10");
    expect(xnys.nextSession("2026-12-31")).toBe("2027-01-04");
  });

  it("lists sessions with both ends inclusive", () => {
    expect(xnys.sessionsBetween("2024-07-01", "2024-07-08")).toEqual([
      "2024-07-01",
      "2024-07-02",
      "2024-07-03",
      "2024-07-05",
      "2024-07-08",
    ]);
    expect(xnys.sessionsBetween("2024-07-04", "2024-07-07")).toEqual(["2024-07-05"]);
    expect(xnys.sessionsBetween("2024-07-08", "2024-07-01")).toEqual([]);
    expect(xnys.sessionsBetween("2024-07-05", "2024-07-05")).toEqual(["2024-07-05"]);
  });

  it("counts expected bars: 390, 210 on a 13:00 close, 270 on a 14:00 close, cut at `until`", () => {
    expect(xnys.expectedBarCount("2024-07-02")).toBe(390);
    expect(xnys.expectedBarCount("2024-07-03")).toBe(210);
    expect(xnys.expectedBarCount("1991-12-24")).toBe(270);
    // Extended hours run four hours past any early close: 17:00 after 13:00, 18:00 after 14:00.
    expect(nyWallClock(xnys.session("1991-12-24")!.postClose)).toBe("1991-12-24 18:00");
    expect(xnys.expectedBarCount("2024-07-04")).toBe(0);
    expect(xnys.expectedBarCount("2024-07-06")).toBe(0);
    const open = xnys.session("2024-07-03")!.open;
    expect(xnys.expectedBarCount("2024-07-03", open - 60_000)).toBe(0);
    expect(xnys.expectedBarCount("2024-07-03", open)).toBe(0);
    expect(xnys.expectedBarCount("2024-07-03", open + 10 * 60_000)).toBe(10);
    expect(xnys.expectedBarCount("2024-07-03", open + 10 * 60_000 + 1)).toBe(11);
    expect(xnys.expectedBarCount("2024-07-03", open + DAY)).toBe(210);
  });
});

describe("XNYS sessionDateOf", () => {
  const at = (date: string, hhmm: string, offsetHours: number) =>
    Date.parse(`${date}T${hhmm}:00Z`) + offsetHours * 3_600_000;

  it("covers 04:00 to 20:00 New York time, in winter and in summer", () => {
    for (const [date, off] of [
      ["2024-01-10", 5],
      ["2024-07-10", 4],
    ] as const) {
      expect(xnys.sessionDateOf(at(date, "03:59", off))).toBeUndefined();
      expect(xnys.sessionDateOf(at(date, "04:00", off))).toBe(date);
      expect(xnys.sessionDateOf(at(date, "09:30", off))).toBe(date);
      expect(xnys.sessionDateOf(at(date, "19:59", off))).toBe(date);
      expect(xnys.sessionDateOf(at(date, "20:00", off))).toBeUndefined();
      expect(xnys.sessionDateOf(at(date, "23:30", off))).toBeUndefined();
    }
  });

  it("ends extended hours at 17:00 after a 13:00 close, and has none on closed days", () => {
    expect(xnys.sessionDateOf(at("2024-11-29", "16:59", 5))).toBe("2024-11-29");
    expect(xnys.sessionDateOf(at("2024-11-29", "17:00", 5))).toBeUndefined();
    expect(xnys.sessionDateOf(at("2024-11-28", "12:00", 5))).toBeUndefined(); // Thanksgiving
    expect(xnys.sessionDateOf(at("2024-11-30", "12:00", 5))).toBeUndefined(); // Saturday
    expect(xnys.sessionDateOf(Number.NaN)).toBeUndefined();
  });

  it("agrees with a slow Intl computation at random instants", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 2), max: Date.UTC(2199, 11, 30) }), (t) => {
        const [date, hhmm] = nyWallClock(t).split(" ");
        const s = xnys.session(date!);
        const inHours = s !== undefined && hhmm! >= "04:00" && t < s.postClose;
        expect(xnys.sessionDateOf(t)).toBe(inHours ? date : undefined);
      }),
      { numRuns: runs(5000) },
    );
  });
});

describe("XNYS daylight saving", () => {
  const utcOpen = (date: string) => new Date(xnys.session(date)!.open).toISOString();
  it("shifts the UTC open across the switches, under both the 2007 and the older US rules", () => {
    expect(utcOpen("2024-03-08")).toBe("2024-03-08T14:30:00.000Z"); // EST
    expect(utcOpen("2024-03-11")).toBe("2024-03-11T13:30:00.000Z"); // EDT from 2024-03-10
    expect(utcOpen("2024-11-01")).toBe("2024-11-01T13:30:00.000Z");
    expect(utcOpen("2024-11-04")).toBe("2024-11-04T14:30:00.000Z"); // EST from 2024-11-03
    expect(utcOpen("2006-03-31")).toBe("2006-03-31T14:30:00.000Z"); // EDT began 2006-04-02
    expect(utcOpen("2006-04-03")).toBe("2006-04-03T13:30:00.000Z");
    expect(utcOpen("2006-10-27")).toBe("2006-10-27T13:30:00.000Z"); // EDT ended 2006-10-29
    expect(utcOpen("2006-10-30")).toBe("2006-10-30T14:30:00.000Z");
  });

  it("puts Monday's pre-market after a switch in Monday's session", () => {
    expect(xnys.sessionDateOf(Date.parse("2024-03-11T08:00:00Z"))).toBe("2024-03-11"); // 04:00 EDT
    expect(xnys.sessionDateOf(Date.parse("2024-03-11T07:59:00Z"))).toBeUndefined();
    expect(xnys.sessionDateOf(Date.parse("2024-11-04T09:00:00Z"))).toBe("2024-11-04"); // 04:00 EST
    expect(xnys.sessionDateOf(Date.parse("2024-11-04T08:59:00Z"))).toBeUndefined();
  });
});

describe("XNYS input checks", () => {
  it("returns one frozen, memoised session object per date", () => {
    const s = xnys.session("2024-07-03");
    expect(xnys.session("2024-07-03")).toBe(s);
    expect(Object.isFrozen(s)).toBe(true);
    expect(xnys.name).toBe("XNYS");
    expect(xnys.timeZone).toBe("America/New_York");
  });

  it("refuses malformed dates and dates outside 1990..2199", () => {
    for (const bad of ["2024-02-30", "20240201", "2024-1-01", "2024-13-01", "", "2024-02-0x"]) {
      expect(() => xnys.session(bad)).toThrow(InvalidDateError);
    }
    expect(() => xnys.session("1989-12-29")).toThrow(/outside the XNYS calendar's supported range/);
    expect(() => xnys.isTradingDay("2200-01-03")).toThrow(InvalidDateError);
    expect(() => xnys.previousSession("1990-01-02")).toThrow(/no previous session/);
    expect(() => xnys.nextSession("2199-12-31")).toThrow(/no next session/);
    expect(() => xnys.sessionsBetween("1980-01-01", "1990-01-05")).toThrow(InvalidDateError);
    expect(
      xnys.sessionDateOf(Date.UTC(1985, 5, 3, 15)),
      "out of range is no session",
    ).toBeUndefined();
    expect(xnys.previousSession("1990-01-03")).toBe("1990-01-02");
  });
});
