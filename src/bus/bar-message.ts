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
 * repair   u8 version=1 | u8 kind=4 | u8 0 | u8 symbol length n | f64 filled | f64 unfillable
 *          f64 publisher epoch | f64 publisher sequence | n bytes symbol          = 36 + n bytes
 * clear    u8 version=1 | u8 kind=5 | u8 0 | u8 0 | f64 publisher epoch | f64 sequence = 20 bytes
 * ```
 * A batch exists because a JetStream publish costs an acknowledged round trip: one message per
 * bar caps a publisher at the server's message rate (measured in the bench), a batch per
 * minute's slice lifts it by the number of bars in it (`bar-batch-message.ts`).
 * Float64 keeps every price exactly as the store holds it (JSON would round-trip too, but costs
 * a text parse per bar). The (epoch, sequence) pair names a message independently of the stream,
 * so a replica recognises a bar published twice (a publisher's retry) as one.
 */
import { PROVENANCE_CODES, type Provenance, provenanceOfCode } from "../domain/provenance.js";
import { BusMessageError } from "./bus-errors.js";
import { readSymbol } from "./symbol-cache.js";

/** The version this code writes and the only one it reads. */
export const BAR_MESSAGE_VERSION = 1;
/** Message kinds (byte 1). */
export const KIND_BAR = 1;
export const KIND_BARRIER = 2;
/** Many bars in one message (the publisher's `packing: "slice"`). */
export const KIND_BATCH = 3;
/** A symbol's repair counters (`control-message.ts`). */
export const KIND_REPAIR = 4;
/** The primary's store was cleared (`control-message.ts`). */
export const KIND_CLEAR = 5;

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
 * The kind of a message (`KIND_BAR` … `KIND_CLEAR`), after checking its version.
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
  if (!(kind >= KIND_BAR && kind <= KIND_CLEAR)) {
    throw new BusMessageError(
      "kind",
      kind,
      `${kind} is not 1 (bar), 2 (barrier), 3 (batch), 4 (repair) or 5 (clear)`,
      where,
    );
  }
  return kind;
}

/** A view of `data` (which may sit inside a larger buffer). */
export function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
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
