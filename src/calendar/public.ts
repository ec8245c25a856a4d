// The calendar layer's public surface, exported by hand.

export { CALENDARS, calendarByName, calendarNames, findCalendar } from "./calendar-names.js";
export { cmeGlobexCalendar } from "./cme-globex.js";
export { type CalendarHint, detectCalendar } from "./detect.js";
export { fxCalendar } from "./fx-calendar.js";
export {
  inBreak,
  inRegularHours,
  type Session,
  type TradingCalendar,
} from "./trading-calendar.js";
export { alwaysOpenCalendar, weekdaysCalendar } from "./utc-day-calendar.js";
export { xhkgCalendar } from "./xhkg.js";
export { xlonCalendar } from "./xlon.js";
export { xnysCalendar } from "./xnys.js";
export { xtksCalendar } from "./xtks.js";
