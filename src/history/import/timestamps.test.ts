import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { epochToMs, parseNumber, TimestampParser, WallClock } from "./timestamps.js";

const num = (s: string) => parseNumber(s, 0, s.length);

describe("parseNumber", () => {
  it.each([
    ["1.10785", 1.10785],
    ["0.00002853", 0.00002853],
    ["46319.0", 46319],
    ["-12.5", -12.5],
    ["+3", 3],
    [" 7 ", 7],
    ["1e3", 1000],
    ["123456789012345678", Number("123456789012345678")],
    ["2300413.7295", 2300413.7295],
  ])("reads %s", (text, value) => {
    expect(num(text)).toBe(value);
  });

  it.each([
    "",
    "abc",
    "1.2.3",
    "-",
    ".",
    "12a",
    "0x10",
    "0b1",
    "0o7",
    "Infinity",
    "-Infinity",
    "1e",
    "e5",
  ])("refuses %j", (text) => {
    expect(num(text)).toBeNaN();
  });

  it("gives the same double as Number() for any decimal string (property)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = String(x);
        expect(num(text)).toBe(Number(text));
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999_999 }),
        fc.integer({ min: 0, max: 12 }),
        (m, k) => {
          const text = (m / 10 ** k).toFixed(k);
          expect(num(text), text).toBe(Number(text));
        },
      ),
    );
  });
});

describe("TimestampParser", () => {
  const utc = new TimestampParser();
  const p = (parser: TimestampParser, s: string) => parser.parse(s, 0, s.length);

  it.each([
    ["2024-01-01 23:01:00", Date.UTC(2024, 0, 1, 23, 1)],
    ["2024-01-01T23:01", Date.UTC(2024, 0, 1, 23, 1)],
    ["2021-12-31 23:01:00.000000", Date.UTC(2021, 11, 31, 23, 1)],
    ["2012-02-01 00:00:00+00:00", Date.UTC(2012, 1, 1)],
    ["2024-03-01T09:30:00-05:00", Date.UTC(2024, 2, 1, 14, 30)],
    ["2024-03-01T09:30:00+0530", Date.UTC(2024, 2, 1, 4, 0)],
    ["2024-03-01T09:30:00+01", Date.UTC(2024, 2, 1, 8, 30)],
    ["2024-03-01T09:30:00Z", Date.UTC(2024, 2, 1, 9, 30)],
    ["2024-03-01T09:30:00.250Z", Date.UTC(2024, 2, 1, 9, 30, 0, 250)],
    ["2024-02-29", Date.UTC(2024, 1, 29)],
    ["2024-03-01 09:30:00 UTC", Date.UTC(2024, 2, 1, 9, 30)],
    ["2024-03-01 09:30:00UTC", Date.UTC(2024, 2, 1, 9, 30)],
    ["2024-03-01 09:30 GMT", Date.UTC(2024, 2, 1, 9, 30)],
    ["1637971200000", 1637971200000],
    ["1637971200", 1637971200000],
    ["1637971200000000", 1637971200000],
    ["1637971200000000000", 1637971200000],
  ])("reads %s", (text, value) => {
    expect(p(utc, text)).toBe(value);
  });

  it.each([
    "2023-02-29 00:00",
    "2024-13-01",
    "2024-01-32",
    "2024-01-01 24:00",
    "2024-01-01 10:60",
    "2024-01-01T10:00+25:00",
    "2024-01-01T10:00 junk",
    "yesterday",
    "",
  ])("refuses %j", (text) => {
    expect(p(utc, text)).toBeNaN();
  });

  it("reads naive times as wall-clock time in the given zone, never the host's", () => {
    const ny = new TimestampParser("America/New_York");
    expect(p(ny, "2024-01-02 09:30:00")).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(p(ny, "2024-07-02 09:30:00")).toBe(Date.UTC(2024, 6, 2, 13, 30));
    expect(p(ny, "2024-07-02T09:30:00Z"), "an explicit offset wins over tz").toBe(
      Date.UTC(2024, 6, 2, 9, 30),
    );
  });

  it("refuses an unknown zone", () => {
    expect(() => new TimestampParser("Mars/Olympus")).toThrow(/time zone/);
  });
});

describe("WallClock", () => {
  it("converts around both DST switches of New York", () => {
    const ny = new WallClock("America/New_York");
    // 2024-03-10 02:00 local does not exist; 01:59 is EST, 03:00 is EDT.
    expect(ny.toUtc(Date.UTC(2024, 2, 10, 1, 59))).toBe(Date.UTC(2024, 2, 10, 6, 59));
    expect(ny.toUtc(Date.UTC(2024, 2, 10, 3, 0))).toBe(Date.UTC(2024, 2, 10, 7, 0));
    // 2024-11-03 01:30 happens twice: the earlier (EDT) instant.
    expect(ny.toUtc(Date.UTC(2024, 10, 3, 1, 30))).toBe(Date.UTC(2024, 10, 3, 5, 30));
    expect(ny.toUtc(Date.UTC(2024, 10, 3, 2, 30))).toBe(Date.UTC(2024, 10, 3, 7, 30));
  });

  it("puts a skipped wall time at the offset before the jump, as documented", () => {
    const ny = new WallClock("America/New_York");
    // 02:30 on 2024-03-10 does not exist: read with EST it is 03:30 EDT. It used to come out
    // as 01:30 EST, the instant of the real 01:30 bar, which it then overwrote.
    expect(ny.toUtc(Date.UTC(2024, 2, 10, 2, 30))).toBe(Date.UTC(2024, 2, 10, 7, 30));
    expect(ny.toUtc(Date.UTC(2024, 2, 10, 2, 30))).not.toBe(ny.toUtc(Date.UTC(2024, 2, 10, 1, 30)));
  });

  it.each(["America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe"])(
    "round-trips every minute around the 2024 switches of %s (the earlier of a repeated time)",
    (zone) => {
      const clock = new WallClock(zone);
      const parts = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
      });
      const wallOf = (t: number): number => {
        const p = Object.fromEntries(parts.formatToParts(t).map((x) => [x.type, Number(x.value)]));
        return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
      };
      let checked = 0;
      for (let day = Date.UTC(2024, 0, 1); day < Date.UTC(2025, 0, 1); day += 86_400_000) {
        if (wallOf(day) - day === wallOf(day + 86_400_000) - (day + 86_400_000)) continue;
        for (let t = day - 86_400_000; t < day + 2 * 86_400_000; t += 60_000) {
          const wall = wallOf(t);
          const back = clock.toUtc(wall);
          expect(wallOf(back), `${zone} ${new Date(t).toISOString()}`).toBe(wall);
          expect(back <= t, `${zone} ${new Date(t).toISOString()}: the earlier instant`).toBe(true);
          checked++;
        }
      }
      expect(checked, "both switches were visited").toBeGreaterThan(4 * 1440);
    },
  );

  it("knows half-hour zones", () => {
    expect(new WallClock("Asia/Kolkata").toUtc(Date.UTC(2024, 0, 1, 9, 15))).toBe(
      Date.UTC(2024, 0, 1, 3, 45),
    );
  });
});

describe("epochToMs", () => {
  it("tells units apart by size", () => {
    expect(epochToMs(1_700_000_000)).toBe(1_700_000_000_000);
    expect(epochToMs(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(epochToMs(1_700_000_000_000_000)).toBe(1_700_000_000_000);
  });
});
