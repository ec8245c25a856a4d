// The upkeep layer's public surface, exported by hand.
export {
  backoffDelay,
  DEFAULT_RETRY,
  noWait,
  type RetryPolicy,
  realSleep,
  type Sleep,
} from "./backoff.js";
export { DataUpkeep } from "./data-upkeep.js";
export type { UnfillableGap, UpkeepEvent, UpkeepListener, UpkeepReport } from "./events.js";
export {
  expectedWindows,
  minutesIn,
  presentIn,
  qualityPercent,
  type StoredRange,
} from "./expected-minutes.js";
export { FlakySource, type FlakySourceOptions } from "./flaky-source.js";
export { findGaps, type Gap } from "./gap.js";
export {
  assessQuality,
  type QualityOptions,
  type SessionQuality,
  sessionsInRange,
} from "./quality-report.js";
export type { DataUpkeepOptions, UpkeepSessionData } from "./upkeep-options.js";
