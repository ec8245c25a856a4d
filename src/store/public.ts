// The store layer's public surface, exported by hand.
export { BarBuffer, BarView } from "./bar-buffer.js";
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
export { SessionDataReader } from "./shared/session-data-reader.js";
export type { SharedSessionDescriptor } from "./shared/shared-layout.js";
export type { ShareOptions } from "./shared/shared-session-writer.js";
export type { SharedSymbolReader } from "./shared/shared-symbol-reader.js";
export { SymbolSessionData } from "./symbol-session-data.js";
