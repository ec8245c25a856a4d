// The calendar layer's public surface, exported by hand.

export { fxCalendar } from "./fx-calendar.js";
export type { Session, TradingCalendar } from "./trading-calendar.js";
export { alwaysOpenCalendar, weekdaysCalendar } from "./utc-day-calendar.js";
export { xnysCalendar } from "./xnys.js";
