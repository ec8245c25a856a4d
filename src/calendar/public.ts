// The calendar layer's public surface, exported by hand.

export { CALENDARS, calendarByName, calendarNames, findCalendar } from "./calendar-names.js";
export { type CalendarHint, detectCalendar } from "./detect.js";
export { fxCalendar } from "./fx-calendar.js";
export { inBreak, type Session, type TradingCalendar } from "./trading-calendar.js";
export { alwaysOpenCalendar, weekdaysCalendar } from "./utc-day-calendar.js";
export { xnysCalendar } from "./xnys.js";
