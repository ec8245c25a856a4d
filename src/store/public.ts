// The store layer's public surface, exported by hand.
export type { BarSeries } from "./bar-columns.js";
export type {
  CorporateAction,
  CorporateActionEvent,
  CorporateFactor,
} from "./corporate-ledger.js";
export type {
  BarArrival,
  SessionDataBarHook,
  SessionDataEvent,
  SessionDataListener,
} from "./events.js";
export { getSessionData, resetSessionData } from "./instance.js";
export type { SessionMetrics } from "./metrics.js";
export type { Rejection } from "./rejections.js";
export { type AddBarsResult, SessionData, type SessionDataOptions } from "./session-data.js";
export { SymbolSessionData } from "./symbol-session-data.js";
