/**
 * `PostgresBarStore.countBars`: one query counting bars per (symbol, range) in the database. The
 * ranges go over as arrays and each is an index range scan of `(sid, time)` (the primary key),
 * so only counts cross the wire, never the bars.
 */
import type { CountBarsOptions } from "../bar-store.js";
import { checkCountOptions } from "../count-bars.js";
import { q } from "./postgres-schema.js";

/** How the store runs a query (its `#query`: translated errors, its pool). */
export type PgQuery = <R extends Record<string, unknown>>(
  during: string,
  sql: string,
  values?: unknown[],
) => Promise<R[]>;

/** The counts of `options` in `schema`. */
export async function countPostgresBars(
  query: PgQuery,
  schema: string,
  options: CountBarsOptions,
): Promise<number[][]> {
  const symbols = checkCountOptions(options);
  const ranges = options.ranges;
  const counts = symbols.map(() => new Array<number>(ranges.length).fill(0));
  if (symbols.length === 0 || ranges.length === 0) return counts;
  const s = q(schema);
  const rows = await query<{ name: string; k: number; n: string }>(
    `countBars of ${symbols.length} symbols x ${ranges.length} ranges`,
    `SELECT y.name, p.k, count(*)::text AS n
     FROM ${s}.symbols y
     CROSS JOIN unnest($2::bigint[], $3::bigint[], $4::int[]) AS p(f, t, k)
     JOIN ${s}.bars b ON b.sid = y.id AND b.time >= p.f AND b.time < p.t
     WHERE y.name = ANY($1::text[])
     GROUP BY y.name, p.k`,
    [
      [...new Set(symbols)],
      ranges.map((r) => Math.ceil(r.from)),
      ranges.map((r) => Math.ceil(r.to)),
      ranges.map((_, k) => k),
    ],
  );
  const at = new Map<string, number[][]>();
  for (const [i, name] of symbols.entries()) {
    const list = at.get(name);
    if (list === undefined) at.set(name, [counts[i]!]);
    else list.push(counts[i]!);
  }
  for (const r of rows) for (const row of at.get(r.name) ?? []) row[Number(r.k)] = Number(r.n);
  return counts;
}
