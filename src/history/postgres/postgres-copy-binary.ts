/**
 * PostgreSQL's binary COPY format, for the two row shapes the store moves in bulk: staging rows
 * it sends (`COPY stage FROM STDIN (FORMAT binary)`) and scan rows it receives (`COPY (SELECT …)
 * TO STDOUT (FORMAT binary)`). Binary, not CSV: a double crosses as its 8 bytes, exactly and
 * without printing or parsing a decimal, and every row of both shapes has the same length, so
 * rows are read at fixed offsets.
 *
 * A file is a 19-byte header, then per row an int16 field count and per field an int32 length
 * and the value's bytes (big-endian), then an int16 -1.
 */
import type { Writable } from "node:stream";

/** The header: signature, flags 0, header-extension length 0. */
export const COPY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** The trailer: a field count of -1. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);

const TWO_32 = 2 ** 32;

/**
 * Bytes of one staging row: (k int4, time int8, open, high, low, close, volume float8,
 * provenance int2, seq int4).
 */
export const STAGE_ROW_BYTES = 2 + (4 + 4) + (4 + 8) + 5 * (4 + 8) + (4 + 2) + (4 + 4);
/** Bytes of one scan row: (sid int4, time int8, open, high, low, close, volume float8, provenance int2). */
export const SCAN_ROW_BYTES = 2 + (4 + 4) + (4 + 8) + 5 * (4 + 8) + (4 + 2);

/** Rows per page the encoder hands to the stream (about 1 MB). */
const PAGE_ROWS = 10_000;

/**
 * Encodes staging rows into pages and writes each full page to a COPY stream. `append` is
 * synchronous (the bulk writer's contract): pages queue in the stream when the server is slower,
 * which the server's COPY into a temporary table rarely is.
 */
export class StageEncoder {
  readonly #out: Writable;
  #page: Buffer;
  #view: DataView;
  #offset = 0;
  #seq = 0;

  constructor(out: Writable) {
    this.#out = out;
    this.#page = Buffer.allocUnsafe(PAGE_ROWS * STAGE_ROW_BYTES);
    this.#view = new DataView(this.#page.buffer, this.#page.byteOffset, this.#page.byteLength);
    this.#out.write(COPY_HEADER);
  }

  /** Rows encoded so far. */
  get rows(): number {
    return this.#seq;
  }

  /** Appends one row; `time` must be a safe integer (the store checks the range first). */
  row(
    k: number,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    provenance: number,
  ): void {
    if (this.#offset + STAGE_ROW_BYTES > this.#page.length) this.#flush();
    const v = this.#view;
    let o = this.#offset;
    v.setInt16(o, 9);
    v.setInt32(o + 2, 4);
    v.setInt32(o + 6, k);
    v.setInt32(o + 10, 8);
    const hi = Math.floor(time / TWO_32);
    v.setInt32(o + 14, hi);
    v.setUint32(o + 18, time - hi * TWO_32);
    o += 22;
    v.setInt32(o, 8);
    v.setFloat64(o + 4, open);
    v.setInt32(o + 12, 8);
    v.setFloat64(o + 16, high);
    v.setInt32(o + 24, 8);
    v.setFloat64(o + 28, low);
    v.setInt32(o + 36, 8);
    v.setFloat64(o + 40, close);
    v.setInt32(o + 48, 8);
    v.setFloat64(o + 52, volume);
    o += 60;
    v.setInt32(o, 2);
    v.setInt16(o + 4, provenance);
    v.setInt32(o + 6, 4);
    v.setInt32(o + 10, this.#seq++);
    this.#offset = o + 14;
  }

  #flush(): void {
    if (this.#offset === 0) return;
    this.#out.write(this.#page.subarray(0, this.#offset));
    // A fresh page: the stream may still hold the old one.
    this.#page = Buffer.allocUnsafe(PAGE_ROWS * STAGE_ROW_BYTES);
    this.#view = new DataView(this.#page.buffer, this.#page.byteOffset, this.#page.byteLength);
    this.#offset = 0;
  }

  /** Writes what is left and the trailer, and ends the stream. */
  end(): void {
    this.#flush();
    this.#out.end(COPY_TRAILER);
  }
}

/** Receives decoded scan rows, in the order the server sent them. */
export type ScanRowSink = (
  sid: number,
  time: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  provenance: number,
) => void;

/**
 * Decodes the scan-row COPY stream, buffer by buffer as the driver hands them over (a row may
 * straddle two buffers: its bytes are gathered in a small carry buffer).
 */
export class ScanDecoder {
  readonly #sink: ScanRowSink;
  #header = Buffer.alloc(0);
  #headerDone = false;
  readonly #carry = Buffer.allocUnsafe(SCAN_ROW_BYTES);
  readonly #carryView = new DataView(this.#carry.buffer, this.#carry.byteOffset, SCAN_ROW_BYTES);
  #carried = 0;
  #ended = false;
  /** Rows decoded so far. */
  rows = 0;

  constructor(sink: ScanRowSink) {
    this.#sink = sink;
  }

  /** Whether the trailer has been read. */
  get ended(): boolean {
    return this.#ended;
  }

  push(data: Buffer): void {
    let buf = data;
    if (!this.#headerDone) {
      this.#header = Buffer.concat([this.#header, buf]);
      if (this.#header.length < COPY_HEADER.length) return;
      if (!this.#header.subarray(0, 11).equals(COPY_HEADER.subarray(0, 11))) {
        throw new Error("the scan's COPY stream does not start with the binary COPY signature");
      }
      const ext = this.#header.readUInt32BE(15);
      if (ext !== 0) throw new Error(`unexpected binary COPY header extension of ${ext} bytes`);
      buf = this.#header.subarray(COPY_HEADER.length);
      this.#headerDone = true;
      this.#header = Buffer.alloc(0);
    }
    let o = 0;
    const n = buf.length;
    if (this.#carried > 0) {
      // Complete the field count first: it says whether the rest is a row or the trailer.
      if (this.#carried < 2) {
        const take = Math.min(2 - this.#carried, n);
        buf.copy(this.#carry, this.#carried, 0, take);
        this.#carried += take;
        o = take;
        if (this.#carried < 2) return;
      }
      const full = this.#carry.readInt16BE(0) === -1 ? 2 : SCAN_ROW_BYTES;
      const take = Math.min(full - this.#carried, n - o);
      buf.copy(this.#carry, this.#carried, o, o + take);
      this.#carried += take;
      o += take;
      if (this.#carried < full) return;
      this.#decode(this.#carryView, 0);
      this.#carried = 0;
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (o < n && !this.#ended) {
      if (n - o < 2 || (view.getInt16(o) !== -1 && n - o < SCAN_ROW_BYTES)) {
        buf.copy(this.#carry, 0, o, n);
        this.#carried = n - o;
        return;
      }
      o += this.#decode(view, o);
    }
  }

  /** Decodes the row (or trailer) at `o`; returns its length. */
  #decode(v: DataView, o: number): number {
    const fields = v.getInt16(o);
    if (fields === -1) {
      this.#ended = true;
      return 2;
    }
    if (fields !== 8) throw new Error(`a scan row has ${fields} fields, not 8`);
    const sid = v.getInt32(o + 6);
    const time = v.getInt32(o + 14) * TWO_32 + v.getUint32(o + 18);
    this.rows++;
    this.#sink(
      sid,
      time,
      v.getFloat64(o + 26),
      v.getFloat64(o + 38),
      v.getFloat64(o + 50),
      v.getFloat64(o + 62),
      v.getFloat64(o + 74),
      v.getInt16(o + 86),
    );
    return SCAN_ROW_BYTES;
  }
}
