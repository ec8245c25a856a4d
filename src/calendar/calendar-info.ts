import { addDays } from "../domain/time.js";
import { calendarAliases } from "./calendar-names.js";
import type { Session, TradingCalendar } from "./trading-calendar.js";

/** A calendar's hours as a person reads them: local `HH:MM` times in its zone. */
export interface CalendarInfo {
  readonly name: string;
  /** Other names `calendarByName` takes for it, lower case. */
  readonly aliases: readonly string[];
  readonly timeZone: string;
  /** The regular session; `opensDayBefore` when it opens on the evening before its date. */
  readonly regular: {
    readonly open: string;
    readonly close: string;
    readonly opensDayBefore: boolean;
  };
  /** The break (a lunch), or `null`. */
  readonly break: { readonly start: string; readonly end: string } | null;
  /** Extended hours, or `null` when the calendar has none. */
  readonly extended: { readonly preOpen: string; readonly postClose: string } | null;
  /** The close of a half day, or `null` when it has none. */
  readonly earlyClose: string | null;
  /** The dates it serves, `YYYY-MM-DD`, both ends inclusive. */
  readonly range: { readonly from: string; readonly to: string };
  /** What else a user should know (hours that changed, what is checked against what). */
  readonly notes: string;
}

/** Dates served and notes of the built-in calendars (the hours are read off their sessions). */
const ABOUT: Readonly<Record<string, { from: string; to: string; notes: string }>> = {
  XNYS: {
    from: "1990-01-01",
    to: "2199-12-31",
    notes: "NYSE; early closes 13:00 (14:00 in 1990-92); checked against xnys.csv 1990-2023",
  },
  XLON: {
    from: "1990-01-01",
    to: "2199-12-31",
    notes:
      "London Stock Exchange; half days on Dec 24 and Dec 31; checked against xlon.csv 1990-2019",
  },
  XTKS: {
    from: "1990-01-01",
    to: "2099-12-31",
    notes:
      "Tokyo Stock Exchange; closed 15:00 before 2024-11-05; checked against xtks.csv 2000-2019",
  },
  XHKG: {
    from: "1990-01-01",
    to: "2099-12-31",
    notes:
      "Hong Kong Stock Exchange; opened 10:00 before 2011-03-07; half days on the eves of Christmas, New Year and Lunar New Year; checked against xhkg.csv 1990-2019",
  },
  GLBX: {
    from: "1990-01-01",
    to: "2199-12-31",
    notes:
      "CME Globex; a session is labelled by the date it ends; 16:00-17:00 halt and weekend outside sessions; session dates checked against cmes.csv 1990-2019",
  },
  "24/7": { from: "0100-01-01", to: "9999-12-31", notes: "every UTC day (crypto)" },
  "24/5": {
    from: "0100-01-01",
    to: "9999-12-31",
    notes: "the spot-FX week, Monday to Friday sessions rolling at 17:00 New York",
  },
  "24/5-UTC": { from: "0100-01-01", to: "9999-12-31", notes: "UTC Monday to Friday days" },
};

/** The first session on or after `date` that is a full day (no early close), within a month. */
function fullSessionFrom(calendar: TradingCalendar, date: string): Session | undefined {
  for (let i = 0, d = date; i < 31; i++, d = addDays(d, 1)) {
    const s = calendar.session(d);
    if (s !== undefined && !s.earlyClose) return s;
  }
  return undefined;
}

/**
 * What `sessiondata calendars` shows of a calendar: its names, zone, and hours as local times,
 * read off its sessions of June 2025 (the hours in force today) and its first early close of
 * 2025. For a calendar of one's own the range and notes are unknown (empty).
 *
 * @example
 * ```ts
 * calendarInfo(xtksCalendar).break; // { start: "11:30", end: "12:30" }
 * ```
 */
export function calendarInfo(calendar: TradingCalendar): CalendarInfo {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: calendar.timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  const local = (t: number) => format.format(t).replace(",", "").split(" ") as [string, string];
  const about = ABOUT[calendar.name];
  const s = fullSessionFrom(calendar, "2025-06-02");
  let regular: CalendarInfo["regular"] = { open: "", close: "", opensDayBefore: false };
  let breakHours: CalendarInfo["break"] = null;
  let extended: CalendarInfo["extended"] = null;
  if (s !== undefined) {
    const [openDate, open] = local(s.open);
    const [closeDate, close] = local(s.close);
    // A session that ends at the next midnight closes at 24:00, not 00:00.
    const end = closeDate > s.date && close === "00:00" ? "24:00" : close;
    regular = { open, close: end, opensDayBefore: openDate < s.date };
    if (s.breakStart !== undefined && s.breakEnd !== undefined) {
      breakHours = { start: local(s.breakStart)[1], end: local(s.breakEnd)[1] };
    }
    if (s.preOpen !== s.open || s.postClose !== s.close) {
      extended = { preOpen: local(s.preOpen)[1], postClose: local(s.postClose)[1] };
    }
  }
  let earlyClose: string | null = null;
  for (const date of calendar.sessionsBetween("2025-01-01", "2025-12-31")) {
    const e = calendar.session(date)!;
    if (e.earlyClose) {
      earlyClose = local(e.close)[1];
      break;
    }
  }
  return {
    name: calendar.name,
    aliases: calendarAliases(calendar.name),
    timeZone: calendar.timeZone,
    regular,
    break: breakHours,
    extended,
    earlyClose,
    range: { from: about?.from ?? "", to: about?.to ?? "" },
    notes: about?.notes ?? "",
  };
}
