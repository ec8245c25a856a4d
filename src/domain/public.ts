// The domain layer's public surface, exported by hand.
export { type Bar, barProblem, MINUTE_MS, validateBar } from "./bar.js";
export {
  ExistingBarsError,
  ImportError,
  InvalidArgumentError,
  InvalidBarError,
  InvalidDateError,
  InvalidTimeframeError,
  SessiondataError,
  SessionMismatchError,
  SourceError,
} from "./errors.js";
export {
  checkProvenance,
  isProvenance,
  PROVENANCE_CODES,
  PROVENANCES,
  type Provenance,
  type ProvenanceCounts,
  provenanceOfCode,
} from "./provenance.js";
export { addDays, DAY_MS, isDateString, weekdayOf } from "./time.js";
export {
  isTimeframe,
  parseTimeframe,
  TIMEFRAME_MINUTES,
  TIMEFRAMES,
  type Timeframe,
} from "./timeframe.js";
export { systemClock, type WallClock } from "./wall-clock.js";
