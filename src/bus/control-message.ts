/**
 * The bus's control messages: what the primary's store does besides taking bars, so a replica's
 * reads stay equal to the primary's after every barrier. Layouts are in `bar-message.ts` (kinds
 * 4 and 5); both travel on `<prefix>.slice`, in the publisher's sequence like bars, so a replica
 * applies them exactly where the primary did.
 *
 * - repair: upkeep's `setRepairCounts(symbol, { filled, unfillable })`, shown in the metrics as
 *   `filledBarCount` / `unfillableBarCount` (the refilled bars themselves travel as bars);
 * - clear: `SessionData.clear()`.
 */
import { KIND_CLEAR, KIND_REPAIR, messageKind, viewOf } from "./bar-message.js";
import { BusMessageError } from "./bus-errors.js";
import { readSymbol } from "./symbol-cache.js";

const REPAIR_FIXED = 36;
const CLEAR_SIZE = 20;

/** A decoded repair message: `symbol`'s repair counters on the primary. */
export interface RepairMessage {
  symbol: string;
  filled: number;
  unfillable: number;
  epoch: number;
  seq: number;
}

/** A decoded clear message (the primary's store was emptied). */
export interface ClearMessage {
  epoch: number;
  seq: number;
}

/** Encodes a repair message; `symbol` is `symbolBytes` of its name. */
export function encodeRepairMessage(
  symbol: Uint8Array,
  filled: number,
  unfillable: number,
  epoch: number,
  seq: number,
): Uint8Array {
  const out = new Uint8Array(REPAIR_FIXED + symbol.length);
  const view = new DataView(out.buffer);
  out[0] = 1;
  out[1] = KIND_REPAIR;
  out[3] = symbol.length;
  view.setFloat64(4, filled, true);
  view.setFloat64(12, unfillable, true);
  view.setFloat64(20, epoch, true);
  view.setFloat64(28, seq, true);
  out.set(symbol, REPAIR_FIXED);
  return out;
}

/** Encodes a clear message. */
export function encodeClearMessage(epoch: number, seq: number): Uint8Array {
  const out = new Uint8Array(CLEAR_SIZE);
  const view = new DataView(out.buffer);
  out[0] = 1;
  out[1] = KIND_CLEAR;
  view.setFloat64(4, epoch, true);
  view.setFloat64(12, seq, true);
  return out;
}

/** Decodes a repair message. Throws {@link BusMessageError} if malformed. */
export function decodeRepairMessage(data: Uint8Array, where?: string): RepairMessage {
  if (messageKind(data, where) !== KIND_REPAIR) {
    throw new BusMessageError(
      "kind",
      data[1],
      `${data[1]} is not a repair (${KIND_REPAIR})`,
      where,
    );
  }
  const n = data[3]!;
  if (n === 0 || data.length !== REPAIR_FIXED + n) {
    throw new BusMessageError(
      "length",
      data.length,
      `${data.length} bytes, expected ${REPAIR_FIXED + n} for a ${n}-byte symbol (n ≥ 1)`,
      where,
    );
  }
  const view = viewOf(data);
  const filled = view.getFloat64(4, true);
  const unfillable = view.getFloat64(12, true);
  if (!(filled >= 0 && unfillable >= 0)) {
    throw new BusMessageError("counts", [filled, unfillable], "must be >= 0", where);
  }
  return {
    symbol: readSymbol(data, REPAIR_FIXED, n),
    filled,
    unfillable,
    epoch: view.getFloat64(20, true),
    seq: view.getFloat64(28, true),
  };
}

/** Decodes a clear message. Throws {@link BusMessageError} if malformed. */
export function decodeClearMessage(data: Uint8Array, where?: string): ClearMessage {
  if (messageKind(data, where) !== KIND_CLEAR) {
    throw new BusMessageError("kind", data[1], `${data[1]} is not a clear (${KIND_CLEAR})`, where);
  }
  if (data.length !== CLEAR_SIZE) {
    throw new BusMessageError(
      "length",
      data.length,
      `${data.length} bytes, expected ${CLEAR_SIZE}`,
      where,
    );
  }
  const view = viewOf(data);
  return { epoch: view.getFloat64(4, true), seq: view.getFloat64(12, true) };
}
