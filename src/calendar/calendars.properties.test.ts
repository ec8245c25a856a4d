import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../test/fast-check.js";
import { MINUTE_MS } from "../domain/bar.js";
import { addDays, DAY_MS, formatDay } from "../domain/time.js";
import { wallClock } from "./answer-file.test-helpers.js";
import { CALENDARS, calendarByName } from "./calendar-names.js";
import { inBreak, type Session, type TradingCalendar } from "./trading-calendar.js";

const FIRST = Date.UTC(1990, 0, 2);
const LAST = Date.UTC(2099, 11, 30);
const dates = fc.integer({ min: FIRST / DAY_MS, max: LAST / DAY_MS }).map(formatDay);

/** Every 1-minute bar time of a session's regular hours, the break left out. */
function expectedMinutes(s: Session): number[] {
  const out: number[] = [];
  for (let t = s.open; t < s.close; t += MINUTE_MS) if (!inBreak(s, t)) out.push(t);
  return out;
}

/** A session somewhere in the week from `date` (exchanges close for at most a few days). */
function sessionNear(calendar: TradingCalendar, date: string): Session {
  let d = date;
  for (let i = 0; i < 10; i++, d = addDays(d, 1)) {
    const s = calendar.session(d);
    if (s !== undefined) return s;
  }
  throw new Error(`${calendar.name} has no session in the ten days from ${date}`);
}

describe.each(CALENDARS.map((c) => [c.name, c] as const))("%s properties", (_name, calendar) => {
  it("counts as expected exactly the minutes that lie in a session and outside its break", () => {
    fc.assert(
      fc.property(dates, (date) => {
        const s = sessionNear(calendar, date);
        const minutes = expectedMinutes(s);
        expect(calendar.expectedBarCount(s.date)).toBe(minutes.length);
        for (const t of minutes) {
          if (!calendar.isOpen(t) || calendar.sessionDateOf(t) !== s.date) {
            throw new Error(`${s.date}: ${new Date(t).toISOString()} is expected but not open`);
          }
        }
        if (s.breakStart !== undefined && s.breakEnd !== undefined) {
          for (let t = s.breakStart; t < s.breakEnd; t += MINUTE_MS) {
            expect(calendar.isOpen(t), "a break minute is not open").toBe(false);
            expect(calendar.sessionDateOf(t), "but belongs to its session").toBe(s.date);
          }
        }
        expect(
          calendar.isOpen(s.close) && calendar.sessionDateOf(s.close) === s.date,
          "the close is not open in its own session",
        ).toBe(false);
        expect(calendar.sessionDateOf(s.preOpen - MINUTE_MS)).not.toBe(s.date);
        expect(calendar.sessionDateOf(s.postClose)).not.toBe(s.date);
      }),
      { numRuns: runs(60) },
    );
  });

  it("sums a day's minutes to its hours, less the break", () => {
    fc.assert(
      fc.property(dates, (date) => {
        const s = calendar.session(date);
        if (s === undefined) {
          expect(calendar.expectedBarCount(date)).toBe(0);
          return;
        }
        const breakMs = s.breakStart === undefined ? 0 : s.breakEnd! - s.breakStart;
        expect(calendar.expectedBarCount(date) * MINUTE_MS).toBe(s.close - s.open - breakMs);
        expect(s.preOpen <= s.open && s.open < s.close && s.close <= s.postClose).toBe(true);
        if (s.breakStart !== undefined) {
          expect(s.open < s.breakStart && s.breakStart < s.breakEnd! && s.breakEnd! < s.close).toBe(
            true,
          );
        }
      }),
      { numRuns: runs(400) },
    );
  });

  it("counts the minutes before `until`, the break's excepted", () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: -60, max: 1500 }), (date, offset) => {
        const s = sessionNear(calendar, date);
        const until = s.open + offset * MINUTE_MS;
        const want = expectedMinutes(s).filter((t) => t < until).length;
        expect(calendar.expectedBarCount(s.date, until)).toBe(want);
      }),
      { numRuns: runs(300) },
    );
  });

  it("answers isOpen and sessionDateOf alike for any instant", () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST, max: LAST }), (ms) => {
        const t = ms - (ms % MINUTE_MS);
        const date = calendar.sessionDateOf(t);
        const s = date === undefined ? undefined : calendar.session(date);
        expect(date === undefined || (s !== undefined && t >= s.preOpen && t < s.postClose)).toBe(
          true,
        );
        const open = s !== undefined && t >= s.open && t < s.close && !inBreak(s, t);
        expect(calendar.isOpen(t)).toBe(open);
      }),
      { numRuns: runs(3000) },
    );
  });
});

/** Local hours of each exchange calendar (HH:MM in its zone) a session may have. */
const LOCAL_HOURS: Record<string, { open: string[]; close: string[]; evening?: boolean }> = {
  XLON: { open: ["08:00"], close: ["16:30", "12:30"] },
  XTKS: { open: ["09:00"], close: ["15:00", "15:30"] },
  XHKG: { open: ["10:00", "09:30"], close: ["16:00", "12:30", "12:00"] },
  GLBX: { open: ["17:00"], close: ["16:00"], evening: true },
};

describe.each(Object.entries(LOCAL_HOURS))("%s in its own zone", (name, hours) => {
  const calendar = calendarByName(name);
  const local = wallClock(calendar.timeZone);

  it("opens and closes at its local hours whatever the offset of the day", () => {
    fc.assert(
      fc.property(dates, (date) => {
        const s = calendar.session(date);
        if (s === undefined) return;
        const [openDate, openTime] = local(s.open).split(" ");
        const [closeDate, closeTime] = local(s.close).split(" ");
        expect(openDate).toBe(hours.evening ? addDays(date, -1) : date);
        expect(closeDate).toBe(date);
        expect(hours.open).toContain(openTime);
        expect(hours.close).toContain(closeTime);
      }),
      { numRuns: runs(1500) },
    );
  });

  it("finds the session of an instant as a slow Intl look-up of its local date does", () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST + DAY_MS, max: LAST - DAY_MS }), (ms) => {
        const t = ms - (ms % MINUTE_MS);
        const [date, time] = local(t).split(" ");
        // A Globex session that opens this evening is tomorrow's.
        const candidate = hours.evening && time! >= "17:00" ? addDays(date!, 1) : date!;
        const s = calendar.session(candidate);
        const want = s !== undefined && t >= s.preOpen && t < s.postClose ? candidate : undefined;
        expect(calendar.sessionDateOf(t)).toBe(want);
      }),
      { numRuns: runs(3000) },
    );
  });
});
