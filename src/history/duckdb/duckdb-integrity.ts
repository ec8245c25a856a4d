/**
 * What a crash can leave in a DuckDB store, how the store finds it on the next open, and how it
 * repairs it. (Issue #13: a killed import must never double the data.)
 *
 * The defect this guards against is DuckDB's, reproduced with 1.5.6: a large insert is written
 * "optimistically" into the database file before its commit, and the commit's WAL entries point at
 * those blocks. When the process dies while the commit's WAL entries are being written (the tail of
 * the WAL torn), the next open's WAL replay still attaches the inserted row groups, although the
 * transaction never committed: its deletes, its `symbols` row and its `meta` update are not
 * replayed. Re-importing 2,000,000 bars then reads back as 4,000,000 rows (the old ones plus the
 * uncommitted new ones), and the state is sticky because the replay is checkpointed. (DuckDB
 * pull request #25931, "Fix uncommitted data recovered accidentally", is open for it.) A crash
 * while a checkpoint runs could in principle replay a WAL over data that already holds it, which
 * would double committed rows; the check below repairs that state too.
 *
 * The store's protocol, so that every such state is found and repaired:
 * 1. Before a write, a durable marker: `meta.unverified` lists the symbols being written (its own
 *    small transaction, committed first, so it survives whatever happens to the write).
 * 2. The write's transaction stamps every row with `write_id = last_write + 1`, sets
 *    `meta.last_write` to it and keeps `symbols.bar_count`; rows of a write whose transaction did
 *    not commit therefore carry a `write_id` above `meta.last_write`.
 * 3. Checkpoints happen only under the store's control (DuckDB's automatic checkpoint threshold is
 *    raised): after each bulk write, when the WAL grows past a bound, and on close; once one has
 *    completed, the marker is cleared.
 * 4. On open, when the marker is set or a WAL was left over, {@link checkIntegrity} runs: it
 *    removes rows of uncommitted writes (the old bars stay, exactly as before the write), rows of
 *    symbols that have no `symbols` row, and repeated (symbol, time) rows (keeping the last write),
 *    then compares each symbol's count with `symbols.bar_count`.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlString } from "./duckdb-sql.js";

/** The symbols a check covers: all of them, or those named (upper case). */
export type CheckScope = "all" | ReadonlySet<string>;

/** A symbol whose bar count after the repair differs from the count its last write recorded. */
export interface CountMismatch {
  readonly symbol: string;
  /** The count the last committed write left (`symbols.bar_count`). */
  readonly expected: number;
  readonly found: number;
}

/**
 * The store's integrity as found when it was opened (`DuckDbBarStore.integrity`, shown by
 * `sessiondata info`).
 * - `ok`: nothing to repair (checked or not);
 * - `repaired`: an interrupted write had left duplicate or uncommitted bars; they were removed
 *   and every symbol holds exactly what its last committed write left;
 * - `damaged`: after the repair some symbol's bar count still differs from what its last write
 *   recorded (bars were lost); re-import the symbols named.
 */
export interface StoreIntegrity {
  readonly state: "ok" | "repaired" | "damaged";
  /** Whether the check ran at this open (after a crash, or when upgrading an old file). */
  readonly checked: boolean;
  /** Why it ran: "interrupted write", "WAL left over", "upgraded from version 1". */
  readonly reason?: string;
  /** Bars of writes that never committed, removed (the old bars stay). */
  readonly uncommittedBars: number;
  /** Repeated (symbol, time) rows removed, the last write kept. */
  readonly duplicateBars: number;
  /** Symbols whose rows were changed by the repair, sorted. */
  readonly symbols: readonly string[];
  /** Symbols whose counts do not match after the repair (state `damaged`). */
  readonly mismatches: readonly CountMismatch[];
  /** One line that says what was found and done (the warning's text), when not `ok`. */
  readonly message?: string;
}

/** The integrity of a store that needed no check. */
export const INTEGRITY_OK: StoreIntegrity = Object.freeze({
  state: "ok",
  checked: false,
  uncommittedBars: 0,
  duplicateBars: 0,
  symbols: Object.freeze([]) as readonly string[],
  mismatches: Object.freeze([]) as readonly CountMismatch[],
});

function scopeFilter(scope: CheckScope, column: string): string {
  if (scope === "all") return "TRUE";
  if (scope.size === 0) return "FALSE";
  return `${column} IN (SELECT id FROM symbols WHERE name IN (${[...scope].map(sqlString).join(", ")}))`;
}

async function countsBySid(
  connection: DuckDBConnection,
  sql: string,
): Promise<Map<number, number>> {
  const reader = await connection.runAndReadAll(sql);
  return new Map(reader.getRows().map(([sid, n]) => [Number(sid), Number(n)]));
}

const sum = (m: ReadonlyMap<number, number>): number => {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
};

/** What {@link findProblems} counted, per symbol id. */
interface Problems {
  uncommitted: Map<number, number>;
  orphans: Map<number, number>;
  duplicates: Map<number, number>;
}

async function findProblems(
  connection: DuckDBConnection,
  scope: CheckScope,
  lastWrite: number,
): Promise<Problems> {
  const inScope = scopeFilter(scope, "sid");
  return {
    // Uncommitted rows can belong to any symbol, new ones included, so these two look at all rows.
    uncommitted: await countsBySid(
      connection,
      `SELECT sid, count(*)::DOUBLE FROM bars WHERE write_id > ${lastWrite} GROUP BY sid`,
    ),
    orphans: await countsBySid(
      connection,
      `SELECT sid, count(*)::DOUBLE FROM bars WHERE write_id <= ${lastWrite}
         AND sid NOT IN (SELECT id FROM symbols) GROUP BY sid`,
    ),
    duplicates: await countsBySid(
      connection,
      `SELECT sid, sum(n - 1)::DOUBLE FROM (
         SELECT sid, time, count(*) AS n FROM bars WHERE write_id <= ${lastWrite} AND ${inScope}
         GROUP BY sid, time HAVING count(*) > 1) GROUP BY sid`,
    ),
  };
}

/** Whether the check would change anything: what a read-only open refuses to serve. */
export async function detectProblems(
  connection: DuckDBConnection,
  scope: CheckScope,
  lastWrite: number,
): Promise<{ uncommitted: number; duplicates: number }> {
  const p = await findProblems(connection, scope, lastWrite);
  return { uncommitted: sum(p.uncommitted) + sum(p.orphans), duplicates: sum(p.duplicates) };
}

/**
 * Finds and repairs, in one transaction, what an interrupted write can leave (see the file's
 * comment). Table rows that a replay repeated in `symbols` and `meta` are reduced to one. The
 * caller holds the store's only connection that writes, and checkpoints afterwards.
 */
export async function checkIntegrity(
  connection: DuckDBConnection,
  scope: CheckScope,
  lastWrite: number,
  reason: string,
): Promise<StoreIntegrity> {
  await connection.run("BEGIN TRANSACTION");
  try {
    // A replayed insert can repeat rows of the small tables too; keep each key's last row.
    await connection.run(
      `DELETE FROM symbols WHERE rowid NOT IN (SELECT max(rowid) FROM symbols GROUP BY id)`,
    );
    await connection.run(
      `DELETE FROM meta WHERE rowid NOT IN (SELECT max(rowid) FROM meta GROUP BY key)`,
    );
    const problems = await findProblems(connection, scope, lastWrite);
    if (problems.uncommitted.size > 0) {
      await connection.run(`DELETE FROM bars WHERE write_id > ${lastWrite}`);
    }
    if (problems.orphans.size > 0) {
      await connection.run(`DELETE FROM bars WHERE sid NOT IN (SELECT id FROM symbols)`);
    }
    if (problems.duplicates.size > 0) {
      const inScope = scopeFilter(scope, "sid");
      await connection.run(
        `CREATE OR REPLACE TEMP TABLE repeated AS SELECT sid, time FROM bars WHERE ${inScope}
           GROUP BY sid, time HAVING count(*) > 1`,
      );
      await connection.run(
        `DELETE FROM bars WHERE rowid IN (SELECT id FROM (
           SELECT b.rowid AS id, row_number() OVER (PARTITION BY b.sid, b.time
             ORDER BY b.write_id DESC, b.rowid DESC) AS rank
           FROM bars b JOIN temp.repeated r ON b.sid = r.sid AND b.time = r.time) WHERE rank > 1)`,
      );
      await connection.run("DROP TABLE temp.repeated");
    }
    const names = new Map<number, string>();
    const expected = new Map<number, number>();
    const rows = await connection.runAndReadAll(
      `SELECT id, name, bar_count::DOUBLE FROM symbols WHERE ${scopeFilter(scope, "id")}`,
    );
    for (const [id, name, count] of rows.getRows()) {
      names.set(Number(id), String(name));
      expected.set(Number(id), Number(count));
    }
    const found = await countsBySid(
      connection,
      `SELECT sid, count(*)::DOUBLE FROM bars WHERE ${scopeFilter(scope, "sid")} GROUP BY sid`,
    );
    const mismatches: CountMismatch[] = [];
    for (const [sid, want] of expected) {
      const have = found.get(sid) ?? 0;
      if (have !== want) {
        mismatches.push({ symbol: names.get(sid)!, expected: want, found: have });
        // From now on the count describes the bars held, so later checks compare against them.
        await connection.run(`UPDATE symbols SET bar_count = ${have} WHERE id = ${sid}`);
      }
    }
    await connection.run("COMMIT");
    const touched = new Set<number>([
      ...problems.uncommitted.keys(),
      ...problems.orphans.keys(),
      ...problems.duplicates.keys(),
    ]);
    const symbols = [...touched]
      .map((sid) => names.get(sid))
      .filter((s): s is string => s !== undefined)
      .sort();
    const uncommittedBars = sum(problems.uncommitted) + sum(problems.orphans);
    const duplicateBars = sum(problems.duplicates);
    mismatches.sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    const state =
      mismatches.length > 0 ? "damaged" : touched.size > 0 ? "repaired" : ("ok" as const);
    const result: StoreIntegrity = {
      state,
      checked: true,
      reason,
      uncommittedBars,
      duplicateBars,
      symbols,
      mismatches,
    };
    return state === "ok" ? result : { ...result, message: describe(result) };
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

const fmt = (n: number): string => n.toLocaleString("en-US");

function describe(r: StoreIntegrity): string {
  const parts: string[] = [];
  if (r.uncommittedBars > 0) {
    parts.push(
      `removed ${fmt(r.uncommittedBars)} bars of a write that never committed (the bars before it are kept)`,
    );
  }
  if (r.duplicateBars > 0) {
    parts.push(`removed ${fmt(r.duplicateBars)} repeated bars, keeping the last write of each`);
  }
  const where = r.symbols.length > 0 ? ` (${r.symbols.join(", ")})` : "";
  let text = `after ${r.reason ?? "an interrupted write"}: ${parts.join("; ") || "nothing removed"}${where}`;
  if (r.mismatches.length > 0) {
    const list = r.mismatches
      .map((m) => `${m.symbol} holds ${fmt(m.found)} bars, its last write left ${fmt(m.expected)}`)
      .join("; ");
    text += `; bars were lost: ${list}; re-import these symbols`;
  }
  return text;
}
