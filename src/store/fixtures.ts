// Test fixtures of the store's tests (not exported from the package).
import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import { type Bar, MINUTE_MS } from "../domain/bar.js";
import { DAY_MS, formatDay, parseDay } from "../domain/time.js";

const HOUR = 3_600_000;

/**
 * A small exchange-like calendar in UTC: sessions Monday to Friday, extended hours 08:00–20:00,
 * regular hours 09:30–16:00, and a 13:00 early close on every date listed in `earlyCloses`
 * (extended hours then end at 17:00). Small enough to check by hand.
 */
export function makeTestCalendar(earlyCloses: readonly string[] = []): TradingCalendar {
  const early = new Set(earlyCloses);
  const trades = (day: number) => {
    const wd = (((day + 4) % 7) + 7) % 7;
    return wd >= 1 && wd <= 5;
  };
  const session = (date: string): Session | undefined => {
    const day = parseDay(date);
    if (!trades(day)) return undefined;
    const base = day * DAY_MS;
    const isEarly = early.has(date);
    return {
      date,
      preOpen: base + 8 * HOUR,
      open: base + 9.5 * HOUR,
      close: base + (isEarly ? 13 : 16) * HOUR,
      postClose: base + (isEarly ? 17 : 20) * HOUR,
      earlyClose: isEarly,
    };
  };
  return {
    name: "TEST",
    timeZone: "UTC",
    isTradingDay: (date) => trades(parseDay(date)),
    session,
    sessionDateOf(time) {
      if (!Number.isFinite(time)) return undefined;
      const s = session(formatDay(Math.floor(time / DAY_MS)));
      return s !== undefined && time >= s.preOpen && time < s.postClose ? s.date : undefined;
    },
    isOpen(time) {
      if (!Number.isFinite(time)) return false;
      const s = session(formatDay(Math.floor(time / DAY_MS)));
      return s !== undefined && time >= s.open && time < s.close;
    },
    nextSession(date) {
      let day = parseDay(date) + 1;
      while (!trades(day)) day++;
      return formatDay(day);
    },
    previousSession(date) {
      let day = parseDay(date) - 1;
      while (!trades(day)) day--;
      return formatDay(day);
    },
    sessionsBetween(from, to) {
      const out: string[] = [];
      for (let d = parseDay(from); d <= parseDay(to); d++) if (trades(d)) out.push(formatDay(d));
      return out;
    },
    expectedBarCount(date, until) {
      const s = session(date);
      if (s === undefined) return 0;
      const end = until === undefined ? s.close : Math.min(s.close, until);
      return end <= s.open ? 0 : Math.ceil((end - s.open) / MINUTE_MS);
    },
  };
}

/** A valid bar at `time` around `price`, its shape varied by `seed` so aggregates are non-trivial. */
export function makeBar(time: number, price = 100, seed = 0): Bar {
  const open = price + (seed % 7) * 0.25;
  const close = price + (seed % 5) * 0.3 - 0.5;
  return {
    time,
    open,
    high: Math.max(open, close) + (seed % 3) * 0.1,
    low: Math.min(open, close) - (seed % 4) * 0.1,
    close,
    volume: 100 + (seed % 11) * 10,
  };
}

/** Epoch ms of `date` (YYYY-MM-DD) at `hh:mm` UTC. */
export function at(date: string, hh: number, mm: number): number {
  return parseDay(date) * DAY_MS + hh * HOUR + mm * MINUTE_MS;
}
