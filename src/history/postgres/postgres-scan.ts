/**
 * The PostgreSQL side of `scan`: one `COPY (SELECT … ORDER BY time, sid) TO STDOUT (FORMAT
 * binary)` streamed from the `(time, sid)` index, so the server never sorts and the first chunk
 * arrives at once whatever the range. The driver reads the socket only as fast as chunks are
 * consumed (pg-copy-streams pauses it), so memory stays at a few chunks and the kernel's socket
 * buffers. Rows of one minute arrive in symbol-id order; ids are given out as symbols first
 * appear, not alphabetically, so when the ids of the scanned symbols are not in name order the
 * rows of each minute are put in name order here (a sort of at most one row per symbol).
 */
import type { PoolClient } from "pg";
import { to as copyTo } from "pg-copy-streams";
import { allocateChunk, checkScanOptions, trimChunk } from "../bar-chunk.js";
import type { BarChunk, ScanOptions } from "../bar-store.js";
import { ScanDecoder } from "./postgres-copy-binary.js";
import { q } from "./postgres-schema.js";

const LIMIT = 2 ** 62;

/**
 * A time bound as an integer literal: rounded up (bars sit on whole milliseconds, so `time >= t`
 * and `time < t` mean the same for `t` and `ceil(t)`), infinities clamped to ±2^62.
 */
export function pgTimeBound(t: number): string {
  if (t >= LIMIT) return BigInt(LIMIT).toString();
  if (t <= -LIMIT) return (-BigInt(LIMIT)).toString();
  return BigInt(Math.ceil(t)).toString();
}

/** How a scan gets a connection and gives it back (`broken` when it must not be reused). */
export interface ScanHost {
  acquire(): Promise<PoolClient>;
  release(client: PoolClient, broken: boolean): void;
  /** Translates a driver error (a lost connection becomes `PostgresConnectionLostError`). */
  translate(error: unknown): unknown;
  /** Throws when the store has been closed (checked before each chunk is handed out). */
  ensureOpen(): void;
}

/** Rows of one minute, held back while their order by name is fixed. */
class MinuteGroup {
  n = 0;
  sid = new Int32Array(64);
  values = new Float64Array(64 * 5);
  prov = new Uint8Array(64);
  order = new Int32Array(64);

  add(sid: number, o: number, h: number, l: number, c: number, v: number, p: number): void {
    if (this.n === this.sid.length) this.#grow();
    const i = this.n++;
    this.sid[i] = sid;
    const k = i * 5;
    this.values[k] = o;
    this.values[k + 1] = h;
    this.values[k + 2] = l;
    this.values[k + 3] = c;
    this.values[k + 4] = v;
    this.prov[i] = p;
  }

  #grow(): void {
    const size = this.sid.length * 2;
    const sid = new Int32Array(size);
    sid.set(this.sid);
    const values = new Float64Array(size * 5);
    values.set(this.values);
    const prov = new Uint8Array(size);
    prov.set(this.prov);
    this.sid = sid;
    this.values = values;
    this.prov = prov;
    this.order = new Int32Array(size);
  }

  /** Indexes of the group's rows in name order (insertion sort: groups are small). */
  sorted(rank: Int32Array): Int32Array {
    const order = this.order;
    for (let i = 0; i < this.n; i++) {
      const r = rank[this.sid[i]!]!;
      let j = i;
      while (j > 0 && rank[this.sid[order[j - 1]!]!]! > r) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    return order;
  }
}

/**
 * Streams the store's bars in `[from, to)` in (time, symbol) order as chunks of at most
 * `chunkSize` bars. `symbols` (upper case) limits the scan; unknown ones scan nothing.
 */
export async function* scanPostgres(
  host: ScanHost,
  schema: string,
  options: ScanOptions & { readonly symbols?: readonly string[] },
): AsyncGenerator<BarChunk> {
  const size = checkScanOptions(options);
  if (options.symbols !== undefined && options.symbols.length === 0) return;
  if (!(options.from < options.to)) return;
  const client = await host.acquire();
  let broken = true;
  try {
    const rows = (
      await client.query<{ id: number; name: string }>(
        `SELECT id, name FROM ${q(schema)}.symbols ORDER BY name`,
      )
    ).rows;
    let maxId = 0;
    for (const r of rows) if (r.id > maxId) maxId = r.id;
    const names: string[] = new Array(maxId + 1);
    const rank = new Int32Array(maxId + 1);
    const wanted = options.symbols === undefined ? undefined : new Set(options.symbols);
    const ids: number[] = [];
    let monotone = true;
    let lastId = -1;
    rows.forEach((r, i) => {
      names[r.id] = r.name;
      rank[r.id] = i;
      if (wanted === undefined || wanted.has(r.name)) {
        ids.push(r.id);
        // Rows walk names in order: ids rising with them means id order is name order.
        if (r.id < lastId) monotone = false;
        lastId = r.id;
      }
    });
    if (ids.length === 0) {
      broken = false;
      return;
    }
    const filter = wanted === undefined ? "" : ` AND sid IN (${ids.join(",")})`;
    const sql = `COPY (SELECT sid, time, open, high, low, close, volume, provenance
      FROM ${q(schema)}.bars WHERE time >= ${pgTimeBound(options.from)}
      AND time < ${pgTimeBound(options.to)}${filter} ORDER BY time, sid) TO STDOUT (FORMAT binary)`;

    let chunk = allocateChunk(size);
    let n = 0;
    const ready: BarChunk[] = [];
    const put = (
      sid: number,
      time: number,
      o: number,
      h: number,
      l: number,
      c: number,
      v: number,
      p: number,
    ): void => {
      chunk.symbol[n] = names[sid]!;
      chunk.time[n] = time;
      chunk.open[n] = o;
      chunk.high[n] = h;
      chunk.low[n] = l;
      chunk.close[n] = c;
      chunk.volume[n] = v;
      chunk.provenance[n] = p;
      if (++n === size) {
        ready.push(trimChunk(chunk, n));
        chunk = allocateChunk(size);
        n = 0;
      }
    };
    const group = new MinuteGroup();
    let groupTime = Number.NaN;
    const flushGroup = (): void => {
      const order = group.sorted(rank);
      const values = group.values;
      for (let j = 0; j < group.n; j++) {
        const i = order[j]!;
        const k = i * 5;
        put(
          group.sid[i]!,
          groupTime,
          values[k]!,
          values[k + 1]!,
          values[k + 2]!,
          values[k + 3]!,
          values[k + 4]!,
          group.prov[i]!,
        );
      }
      group.n = 0;
    };
    const decoder = new ScanDecoder(
      monotone
        ? put
        : (sid, time, o, h, l, c, v, p) => {
            if (time !== groupTime) {
              if (group.n > 0) flushGroup();
              groupTime = time;
            }
            group.add(sid, o, h, l, c, v, p);
          },
    );
    const stream = client.query(copyTo(sql));
    try {
      for await (const data of stream) {
        decoder.push(data as Buffer);
        while (ready.length > 0) {
          host.ensureOpen();
          yield ready.shift()!;
        }
      }
    } catch (error) {
      throw host.translate(error);
    }
    if (group.n > 0) flushGroup();
    if (!decoder.ended) {
      throw host.translate(new Error("Connection terminated: the COPY stream ended early"));
    }
    for (const c of ready) {
      host.ensureOpen();
      yield c;
    }
    host.ensureOpen();
    if (n > 0) yield trimChunk(chunk, n);
    broken = false;
  } finally {
    host.release(client, broken);
  }
}
