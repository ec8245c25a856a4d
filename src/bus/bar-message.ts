/**
 * The bus's wire format: one small, versioned binary message per bar and one per barrier.
 * Chosen over JSON by measurement (`npm run bench -- bus`: encode + decode of the same bars).
 *
 * Layout (all numbers little-endian):
 * ```
 * bar      u8 version=1 | u8 kind=1 | u8 provenance code | u8 symbol length n
 *          f64 time | f64 open | f64 high | f64 low | f64 close | f64 volume
 *          f64 publisher epoch | f64 publisher sequence | n bytes symbol (UTF-8)   = 68 + n bytes
 * barrier  u8 version=1 | u8 kind=2 | u8 0 | u8 0
 *          f64 minute | f64 count | f64 clock | f64 publisher epoch | f64 publisher sequence = 44 bytes
 * batch    u8 version=1 | u8 kind=3 | u16 bar count k | f64 publisher epoch | f64 first sequence
 *          then k times: u8 provenance | u8 symbol length n | f64 × 6 (time … volume) | n bytes
 *          (the bars carry consecutive publisher sequences from the first)       = 20 + Σ(50 + n)
 * ```
 * A batch exists because a JetStream publish costs an acknowledged round trip: one message per
 * bar caps a publisher at the server's message rate (measured in the bench), a batch per
 * minute's slice lifts it by the number of bars in it.
 * Float64 keeps every price exactly as the store holds it (JSON would round-trip too, but costs
 * a text parse per bar). The (epoch, sequence) pair names a message independently of the stream,
 * so a replica recognises a bar published twice (a publisher's retry) as one.
 */
import { PROVENANCE_CODES, type Provenance, provenanceOfCode } from "../domain/provenance.js";
import { BusMessageError } from "./bus-errors.js";

/** The version this code writes and the only one it reads. */
export const BAR_MESSAGE_VERSION = 1;
/** Message kinds (byte 1). */
export const KIND_BAR = 1;
export const KIND_BARRIER = 2;
/** Many bars in one message (the publisher's `packing: "slice"`). */
export const KIND_BATCH = 3;

const BAR_FIXED = 68;
const BARRIER_SIZE = 44;
/** Symbols longer than this many UTF-8 bytes cannot travel (byte 3 holds the length). */
export const MAX_SYMBOL_BYTES = 255;

/**
 * A decoded bar message. {@link decodeBarMessage} fills one the caller owns and reuses, so the
 * replica's hot path makes no object per bar.
 */
export interface BarMessage {
  symbol: string;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  provenance: Provenance;
  epoch: number;
  seq: number;
}

/** A decoded barrier: minute `minute` is complete on the primary, with `count` bars in it. */
export interface BarrierMessage {
  /** The minute's open instant, epoch ms. */
  minute: number;
  /** Bars of that minute the publisher sent. */
  count: number;
  /** The primary's session clock at the barrier (`SessionData.clock`), so metrics agree. */
  clock: number;
  epoch: number;
  seq: number;
}

/** A fresh {@link BarMessage} to decode into. */
export function newBarMessage(): BarMessage {
  return {
    symbol: "",
    time: 0,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: 0,
    provenance: "live",
    epoch: 0,
    seq: 0,
  };
}

/** A fresh {@link BarrierMessage} to decode into. */
export function newBarrierMessage(): BarrierMessage {
  return { minute: 0, count: 0, clock: Number.NaN, epoch: 0, seq: 0 };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The UTF-8 bytes of a symbol, checked against {@link MAX_SYMBOL_BYTES}. Cache it per symbol. */
export function symbolBytes(symbol: string): Uint8Array {
  const bytes = encoder.encode(symbol);
  if (bytes.length === 0 || bytes.length > MAX_SYMBOL_BYTES) {
    throw new BusMessageError(
      "symbol",
      symbol,
      `${JSON.stringify(symbol)} is ${bytes.length} UTF-8 bytes; 1..${MAX_SYMBOL_BYTES} can travel`,
    );
  }
  return bytes;
}

/** Encodes one bar; `symbol` is {@link symbolBytes} of its name. */
export function encodeBarMessage(
  symbol: Uint8Array,
  time: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  provenance: Provenance,
  epoch: number,
  seq: number,
): Uint8Array {
  const out = new Uint8Array(BAR_FIXED + symbol.length);
  const view = new DataView(out.buffer);
  out[0] = BAR_MESSAGE_VERSION;
  out[1] = KIND_BAR;
  out[2] = PROVENANCE_CODES[provenance];
  out[3] = symbol.length;
  view.setFloat64(4, time, true);
  view.setFloat64(12, open, true);
  view.setFloat64(20, high, true);
  view.setFloat64(28, low, true);
  view.setFloat64(36, close, true);
  view.setFloat64(44, volume, true);
  view.setFloat64(52, epoch, true);
  view.setFloat64(60, seq, true);
  out.set(symbol, BAR_FIXED);
  return out;
}

/** Encodes a barrier. */
export function encodeBarrierMessage(
  minute: number,
  count: number,
  clock: number,
  epoch: number,
  seq: number,
): Uint8Array {
  const out = new Uint8Array(BARRIER_SIZE);
  const view = new DataView(out.buffer);
  out[0] = BAR_MESSAGE_VERSION;
  out[1] = KIND_BARRIER;
  view.setFloat64(4, minute, true);
  view.setFloat64(12, count, true);
  view.setFloat64(20, clock, true);
  view.setFloat64(28, epoch, true);
  view.setFloat64(36, seq, true);
  return out;
}

/**
 * The kind of a message (`KIND_BAR` or `KIND_BARRIER`), after checking its version.
 * `where` (a subject, a stream sequence) goes into the error's message.
 */
export function messageKind(data: Uint8Array, where?: string): number {
  if (data.length < 4) {
    throw new BusMessageError("length", data.length, `${data.length} bytes is too short`, where);
  }
  if (data[0] !== BAR_MESSAGE_VERSION) {
    throw new BusMessageError(
      "version",
      data[0],
      `${data[0]} is not supported (this build reads version ${BAR_MESSAGE_VERSION})`,
      where,
    );
  }
  const kind = data[1]!;
  if (kind !== KIND_BAR && kind !== KIND_BARRIER && kind !== KIND_BATCH) {
    throw new BusMessageError(
      "kind",
      kind,
      `${kind} is not 1 (bar), 2 (barrier) or 3 (batch)`,
      where,
    );
  }
  return kind;
}

function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/** Decoded short ASCII symbols by a hash of their bytes: a replica sees the same few thousand names all day. */
const symbolCache = new Map<number, string>();
const SYMBOL_CACHE_MAX = 65_536;

/**
 * Short ASCII symbols are looked up (or decoded by hand) rather than run through TextDecoder,
 * which costs more than the rest of the message; the cache makes the replica's hot path
 * allocation-free for names it has seen.
 */
function readSymbol(data: Uint8Array, start: number, length: number): string {
  if (length <= 16) {
    let ascii = true;
    let h = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const b = data[start + i]!;
      if (b > 0x7f) ascii = false;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (ascii) {
      h = (h ^ length) >>> 0;
      const cached = symbolCache.get(h);
      if (cached !== undefined && cached.length === length) {
        let same = true;
        for (let i = 0; i < length; i++) {
          if (cached.charCodeAt(i) !== data[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return cached;
      }
      let s = "";
      for (let i = 0; i < length; i++) s += String.fromCharCode(data[start + i]!);
      if (cached !== undefined || symbolCache.size < SYMBOL_CACHE_MAX) symbolCache.set(h, s);
      return s;
    }
  }
  return decoder.decode(data.subarray(start, start + length));
}

/** Decodes a bar message into `out` (and returns it). Throws {@link BusMessageError} if malformed. */
export function decodeBarMessage(data: Uint8Array, out: BarMessage, where?: string): BarMessage {
  if (messageKind(data, where) !== KIND_BAR) {
    throw new BusMessageError("kind", data[1], "is a barrier, not a bar", where);
  }
  const n = data[3]!;
  if (data.length !== BAR_FIXED + n) {
    throw new BusMessageError(
      "length",
      data.length,
      `${data.length} bytes, expected ${BAR_FIXED + n} for a ${n}-byte symbol`,
      where,
    );
  }
  const provenance = provenanceOfCode(data[2]!);
  if (provenance === undefined) {
    throw new BusMessageError("provenance", data[2], `code ${data[2]} is not 1..4`, where);
  }
  const view = viewOf(data);
  out.time = view.getFloat64(4, true);
  out.open = view.getFloat64(12, true);
  out.high = view.getFloat64(20, true);
  out.low = view.getFloat64(28, true);
  out.close = view.getFloat64(36, true);
  out.volume = view.getFloat64(44, true);
  out.epoch = view.getFloat64(52, true);
  out.seq = view.getFloat64(60, true);
  out.provenance = provenance;
  out.symbol = readSymbol(data, BAR_FIXED, n);
  return out;
}

/** Decodes a barrier into `out` (and returns it). Throws {@link BusMessageError} if malformed. */
export function decodeBarrierMessage(
  data: Uint8Array,
  out: BarrierMessage,
  where?: string,
): BarrierMessage {
  if (messageKind(data, where) !== KIND_BARRIER) {
    throw new BusMessageError("kind", data[1], "is a bar, not a barrier", where);
  }
  if (data.length !== BARRIER_SIZE) {
    throw new BusMessageError(
      "length",
      data.length,
      `${data.length} bytes, expected ${BARRIER_SIZE}`,
      where,
    );
  }
  const view = viewOf(data);
  out.minute = view.getFloat64(4, true);
  out.count = view.getFloat64(12, true);
  out.clock = view.getFloat64(20, true);
  out.epoch = view.getFloat64(28, true);
  out.seq = view.getFloat64(36, true);
  return out;
}

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
