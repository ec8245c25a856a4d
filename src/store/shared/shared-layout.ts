/**
 * The memory layout a {@link SessionData} shares with readers on other threads
 * (`sd.share()` → {@link SharedSessionDescriptor} → `SessionDataReader.attach`). Internal to the
 * store; the descriptor is the only thing that crosses threads.
 *
 * Three growable `SharedArrayBuffer`s (ES2024; Node 20 has them). They grow in place, and a
 * reader's length-tracking typed arrays see the growth, so a new symbol never needs a new
 * descriptor posted to every worker (the "republish" a fixed-size buffer would need):
 * - `ctl` (Int32): a header, then per symbol slot `[seq, count, 0, 0]`;
 * - `names` (bytes): per slot `NAME_BYTES` bytes, a length byte then the UTF-8 symbol;
 * - `data` (Float64): per slot the 1-minute columns (time, open, high, low, close, volume, each
 *   `capacity` long, index 0 the oldest) and a block of `METRIC_FIELDS` session metrics.
 *
 * Each slot is guarded by a sequence lock: the writer makes `seq` odd, writes, makes it even; a
 * reader reads `seq`, the data, then `seq` again, and retries when it was odd or changed. So no
 * reader ever sees a torn bar, and the writer never waits for readers.
 */
export const LAYOUT_VERSION = 1;

/** Header of `ctl`: [layout version, symbol count, session day (days since 1970, -1 none), session seq]. */
export const CTL_HEADER = 8;
export const CTL_VERSION = 0;
export const CTL_SYMBOLS = 1;
export const CTL_SESSION_DAY = 2;
export const CTL_SESSION_SEQ = 3;
/** Int32 words per slot in `ctl`. */
export const CTL_SLOT = 4;

/** Bytes per symbol name slot: a length byte and up to 63 bytes of UTF-8. */
export const NAME_BYTES = 64;

/** The metrics block of a slot, in this order (see `SessionMetrics`). */
export const METRIC_KEYS = [
  "open",
  "high",
  "low",
  "close",
  "volume",
  "vwap",
  "barCount",
  "expectedBarCount",
  "barQuality",
  "missingBarCount",
  "filledBarCount",
  "unfillableBarCount",
  "live",
  "replay",
  "refilled",
  "corrected",
  "firstBarTime",
  "lastBarTime",
] as const;
export const METRIC_FIELDS = METRIC_KEYS.length;

/**
 * What `sd.share()` returns: plain data and shared buffers, so it can be posted to a worker
 * (`postMessage`, `workerData`) and attached there.
 */
export interface SharedSessionDescriptor {
  readonly kind: "sessiondata.shared";
  readonly version: number;
  /** Bars per symbol slot: the most 1-minute bars one session can hold (1,440 = 24 h). */
  readonly capacity: number;
  readonly maxSymbols: number;
  readonly ctl: SharedArrayBuffer;
  readonly names: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
}

/** Float64 words per slot in `data`. */
export function slotWords(capacity: number): number {
  return 6 * capacity + METRIC_FIELDS;
}
