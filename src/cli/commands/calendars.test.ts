import { describe, expect, it } from "vitest";
import { calendarNames } from "../../calendar/public.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

describe("sessiondata calendars", () => {
  it("prints every calendar with its names, zone and hours as JSON, and only that on stdout", () => {
    const r = sessiondata(["calendars", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { calendars } = JSON.parse(r.stdout) as {
      calendars: {
        name: string;
        aliases: string[];
        timeZone: string;
        regular: { open: string; close: string; opensDayBefore: boolean };
        break: { start: string; end: string } | null;
        extended: { preOpen: string; postClose: string } | null;
        earlyClose: string | null;
      }[];
    };
    expect(calendars.map((c) => c.name)).toEqual(calendarNames());
    const by = Object.fromEntries(calendars.map((c) => [c.name, c]));
    expect(by.XTKS).toMatchObject({
      timeZone: "Asia/Tokyo",
      regular: { open: "09:00", close: "15:30", opensDayBefore: false },
      break: { start: "11:30", end: "12:30" },
      extended: null,
      earlyClose: null,
    });
    expect(by.XHKG!.break).toEqual({ start: "12:00", end: "13:00" });
    expect(by.GLBX).toMatchObject({
      aliases: ["cme"],
      timeZone: "America/Chicago",
      regular: { open: "17:00", close: "16:00", opensDayBefore: true },
      break: null,
    });
    expect(by.XNYS!.extended).toEqual({ preOpen: "04:00", postClose: "20:00" });
    expect(by.XLON).toMatchObject({
      regular: { open: "08:00", close: "16:30" },
      earlyClose: "12:30",
    });
    expect(by["24/7"]!.regular).toEqual({ open: "00:00", close: "24:00", opensDayBefore: false });
  });

  it("prints a table a person can read", () => {
    const r = sessiondata(["calendars"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^calendar\s+aliases\s+zone\s+regular\s+break\s+extended/);
    expect(lines.find((l) => l.startsWith("XTKS"))).toMatch(
      /Asia\/Tokyo\s+09:00–15:30\s+11:30–12:30/,
    );
    expect(lines.find((l) => l.startsWith("GLBX"))).toMatch(/17:00 \(day before\)–16:00/);
    expect(r.stdout).toContain("XTKS: Tokyo Stock Exchange; closed 15:00 before 2024-11-05");
  });
});
