import { describe, expect, it } from "vitest";
import { fxCalendar } from "./fx-calendar.js";

const utc = (iso: string) => Date.parse(iso);

describe("fxCalendar", () => {
  it("opens Monday's session on Sunday 17:00 New York (22:00 UTC in winter)", () => {
    expect(fxCalendar.session("2012-02-06")).toEqual({
      date: "2012-02-06",
      open: utc("2012-02-05T22:00:00Z"),
      close: utc("2012-02-06T22:00:00Z"),
      preOpen: utc("2012-02-05T22:00:00Z"),
      postClose: utc("2012-02-06T22:00:00Z"),
      earlyClose: false,
    });
    expect(fxCalendar.expectedBarCount("2012-02-06")).toBe(1440);
  });

  it("follows New York daylight saving time (21:00 UTC in summer)", () => {
    const s = fxCalendar.session("2012-07-03")!;
    expect(new Date(s.open).toISOString()).toBe("2012-07-02T21:00:00.000Z");
    expect(new Date(s.close).toISOString()).toBe("2012-07-03T21:00:00.000Z");
    // 2012-03-11 is the switch (Sunday); Monday's session opens at 17:00 EDT.
    expect(new Date(fxCalendar.session("2012-03-12")!.open).toISOString()).toBe(
      "2012-03-11T21:00:00.000Z",
    );
  });

  it("has no weekend sessions and steps over weekends", () => {
    expect(fxCalendar.session("2012-02-04")).toBeUndefined();
    expect(fxCalendar.isTradingDay("2012-02-05")).toBe(false);
    expect(fxCalendar.nextSession("2012-02-03")).toBe("2012-02-06");
    expect(fxCalendar.previousSession("2012-02-06")).toBe("2012-02-03");
    expect(fxCalendar.sessionsBetween("2012-02-03", "2012-02-07")).toEqual([
      "2012-02-03",
      "2012-02-06",
      "2012-02-07",
    ]);
    expect(fxCalendar.expectedBarCount("2012-02-04")).toBe(0);
  });

  it("puts an instant in the session whose hours contain it", () => {
    expect(fxCalendar.sessionDateOf(utc("2012-02-06T21:59:00Z"))).toBe("2012-02-06");
    expect(fxCalendar.sessionDateOf(utc("2012-02-06T22:00:00Z"))).toBe("2012-02-07");
    expect(fxCalendar.sessionDateOf(utc("2012-02-05T22:00:00Z")), "Sunday evening").toBe(
      "2012-02-06",
    );
    expect(fxCalendar.sessionDateOf(utc("2012-02-05T21:59:00Z")), "weekend").toBeUndefined();
    expect(fxCalendar.sessionDateOf(utc("2012-02-03T22:00:00Z")), "Friday close").toBeUndefined();
    expect(fxCalendar.sessionDateOf(utc("2012-02-04T12:00:00Z"))).toBeUndefined();
    expect(fxCalendar.sessionDateOf(Number.NaN)).toBeUndefined();
    expect(fxCalendar.expectedBarCount("2012-02-06", utc("2012-02-05T23:00:30Z"))).toBe(61);
  });
});
