/**
 * The batch message (kind 3): many bars of one minute in one JetStream publish (the publisher's
 * `packing: "slice"`). Layout in `bar-message.ts`.
 */
import { PROVENANCE_CODES, type Provenance, provenanceOfCode } from "../domain/provenance.js";
import {
  BAR_MESSAGE_VERSION,
  type BarMessage,
  KIND_BATCH,
  MAX_SYMBOL_BYTES,
  messageKind,
  viewOf,
} from "./bar-message.js";
import { BusMessageError } from "./bus-errors.js";
import { readSymbol } from "./symbol-cache.js";

const BATCH_HEADER = 20;
const BATCH_BAR_FIXED = 50;
/** Bars a batch holds at most (its count is a u16). */
export const MAX_BATCH_BARS = 65_535;

/**
 * Packs bars into one batch message. `add` returns false when the next bar would not fit
 * (`maxBytes` or {@link MAX_BATCH_BARS}): send `finish()` and add it to a fresh batch.
 */
export class BarBatchEncoder {
  readonly #buffer: Uint8Array;
  readonly #view: DataView;
  #length = BATCH_HEADER;
  #count = 0;
  #lastCount = 0;
  #firstSeq = 0;

  constructor(maxBytes = 256 * 1024) {
    this.#buffer = new Uint8Array(
      Math.max(maxBytes, BATCH_HEADER + BATCH_BAR_FIXED + MAX_SYMBOL_BYTES),
    );
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bars added since the last `finish()`. */
  get count(): number {
    return this.#count;
  }

  /** Bars in the batch the last `finish()` returned. */
  get lastCount(): number {
    return this.#lastCount;
  }

  add(
    symbol: Uint8Array,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    provenance: Provenance,
    seq: number,
  ): boolean {
    const at = this.#length;
    if (
      this.#count >= MAX_BATCH_BARS ||
      at + BATCH_BAR_FIXED + symbol.length > this.#buffer.length
    ) {
      return false;
    }
    if (this.#count === 0) this.#firstSeq = seq;
    const b = this.#buffer;
    const view = this.#view;
    b[at] = PROVENANCE_CODES[provenance];
    b[at + 1] = symbol.length;
    view.setFloat64(at + 2, time, true);
    view.setFloat64(at + 10, open, true);
    view.setFloat64(at + 18, high, true);
    view.setFloat64(at + 26, low, true);
    view.setFloat64(at + 34, close, true);
    view.setFloat64(at + 42, volume, true);
    b.set(symbol, at + BATCH_BAR_FIXED);
    this.#length = at + BATCH_BAR_FIXED + symbol.length;
    this.#count++;
    return true;
  }

  /** The batch of every bar added since the last call (a copy), and a reset. */
  finish(epoch: number): Uint8Array {
    const b = this.#buffer;
    b[0] = BAR_MESSAGE_VERSION;
    b[1] = KIND_BATCH;
    this.#view.setUint16(2, this.#count, true);
    this.#view.setFloat64(4, epoch, true);
    this.#view.setFloat64(12, this.#firstSeq, true);
    const out = b.slice(0, this.#length);
    this.#lastCount = this.#count;
    this.#length = BATCH_HEADER;
    this.#count = 0;
    return out;
  }
}

/**
 * Decodes a batch, calling `apply` with `out` filled for each bar in order (the same object
 * every time: copy what you keep). Checks the whole message before the first call, so a
 * malformed batch applies nothing. Returns the number of bars.
 */
export function decodeBatchMessage(
  data: Uint8Array,
  out: BarMessage,
  apply: (bar: BarMessage) => void,
  where?: string,
): number {
  if (messageKind(data, where) !== KIND_BATCH) {
    throw new BusMessageError("kind", data[1], "is not a batch", where);
  }
  if (data.length < BATCH_HEADER) {
    throw new BusMessageError(
      "length",
      data.length,
      `${data.length} bytes is too short for a batch`,
      where,
    );
  }
  const view = viewOf(data);
  const count = view.getUint16(2, true);
  let at = BATCH_HEADER;
  for (let i = 0; i < count; i++) {
    if (at + BATCH_BAR_FIXED > data.length) break;
    if (provenanceOfCode(data[at]!) === undefined) {
      throw new BusMessageError(
        "provenance",
        data[at],
        `code ${data[at]} of bar ${i} is not 1..4`,
        where,
      );
    }
    at += BATCH_BAR_FIXED + data[at + 1]!;
  }
  if (at !== data.length) {
    throw new BusMessageError(
      "length",
      data.length,
      `${data.length} bytes do not hold exactly the ${count} bars the batch announces`,
      where,
    );
  }
  out.epoch = view.getFloat64(4, true);
  const first = view.getFloat64(12, true);
  at = BATCH_HEADER;
  for (let i = 0; i < count; i++) {
    const n = data[at + 1]!;
    out.provenance = provenanceOfCode(data[at]!)!;
    out.time = view.getFloat64(at + 2, true);
    out.open = view.getFloat64(at + 10, true);
    out.high = view.getFloat64(at + 18, true);
    out.low = view.getFloat64(at + 26, true);
    out.close = view.getFloat64(at + 34, true);
    out.volume = view.getFloat64(at + 42, true);
    out.symbol = readSymbol(data, at + BATCH_BAR_FIXED, n);
    out.seq = first + i;
    apply(out);
    at += BATCH_BAR_FIXED + n;
  }
  return count;
}
