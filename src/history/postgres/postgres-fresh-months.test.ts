import { expect } from "vitest";
import { postgres, requiring } from "../../../test/requirements.js";
import { contractBar } from "../bar-store.contract.js";
import type { PostgresBarStore } from "./postgres-bar-store.js";
import { PostgresConnectionLostError } from "./postgres-errors.js";
import { TWO_CONNECTION_ROWS } from "./postgres-fresh-months.js";
import { adminQuery, openTestStore } from "./postgres-test-support.test-helpers.js";

const pgTests = requiring(await postgres());
const T0 = Date.UTC(2024, 0, 1);
const M = 60_000;
/** Minutes per symbol: January has 44,640, so 3 symbols put a month past the threshold. */
const N = 40_000;
const SYMBOLS = ["AAA", "BBB", "CCC"];

/** Writes every symbol's N January minutes in one bulk write, volume `marker`. */
async function importMonth(store: PostgresBarStore, marker: number): Promise<void> {
  const writer = await store.bulkWriter();
  try {
    for (const [j, symbol] of SYMBOLS.entries()) {
      const time = Float64Array.from({ length: N }, (_, i) => T0 + i * M);
      const price = Float64Array.from({ length: N }, (_, i) => 100 + j + (i % 97) / 8);
      const volume = new Float64Array(N).fill(marker);
      writer.append(
        symbol,
        { time, open: price, high: price, low: price, close: price, volume },
        N,
      );
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
}

/** Ends the store's first active backend whose query matches `pattern` (polling every 5 ms). */
async function terminateWhen(store: PostgresBarStore, pattern: string): Promise<boolean> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const rows = await adminQuery<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE application_name = $1 AND state = 'active' AND query LIKE $2`,
      [`sessiondata/${store.schema}`, pattern],
    );
    if (rows.some((r) => r.ended)) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

/** What the schema holds: bars, distinct (sid, time), load tables, CHECKs, the month's indexes. */
async function state(store: PostgresBarStore) {
  const schema = store.schema;
  const [bars] = await adminQuery<{ n: string; d: string }>(
    `SELECT count(*) AS n, count(DISTINCT (sid, time)) AS d FROM "${schema}".bars`,
  );
  const loads = await adminQuery(
    `SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'sd_load_%'`,
    [schema],
  );
  const checks = await adminQuery(
    `SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = $1 AND contype = 'c'`,
    [schema],
  );
  const indexes = await adminQuery<{ indexname: string }>(
    "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'bars_202401' ORDER BY 1",
    [schema],
  );
  return {
    bars: Number(bars!.n),
    distinct: Number(bars!.d),
    loadTables: loads.length,
    checks: checks.length,
    indexes: indexes.map((i) => i.indexname),
  };
}

const LOADED = {
  bars: N * SYMBOLS.length,
  distinct: N * SYMBOLS.length,
  loadTables: 0,
  checks: 0,
  indexes: ["bars_202401_pkey", "bars_202401_time_sid"],
};

pgTests.it(
  "loads a large new month on two connections: every bar, the partition's two indexes, nothing left over; one connection does the same",
  async () => {
    expect(N * SYMBOLS.length).toBeGreaterThanOrEqual(TWO_CONNECTION_ROWS);
    for (const maxConnections of [8, 1]) {
      const store = await openTestStore({ maxConnections });
      try {
        await importMonth(store, 7);
        expect(await state(store), `maxConnections ${maxConnections}`).toEqual(LOADED);
        expect(await store.coverage("BBB")).toEqual({
          first: T0,
          last: T0 + (N - 1) * M,
          count: N,
        });
        const bars = await store.readBars("CCC", T0 + 96 * M, T0 + 98 * M);
        expect(bars.map((b) => [b.close, b.volume])).toEqual([
          [102 + 96 / 8, 7],
          [102, 7],
        ]);
      } finally {
        await store.close();
      }
    }
  },
  180_000,
);

for (const [phase, pattern] of [
  ["the second connection's COPY into the load table", "COPY %sd_load_% FROM STDIN%"],
  ["the merge connection's index build", "CREATE UNIQUE INDEX bars_202401_pkey%"],
] as const) {
  pgTests.it(
    `leaves nothing of a two-connection load whose backend is ended during ${phase}; a re-run is exact and drops any load table left`,
    async () => {
      const store = await openTestStore();
      try {
        await store.writeBars("AAA", [{ ...contractBar(0), time: T0 - M }]);
        const killed = terminateWhen(store, pattern);
        const error = await importMonth(store, 8).catch((e) => e);
        expect(await killed, `a backend in ${phase} was found and ended`).toBe(true);
        expect(error).toBeInstanceOf(PostgresConnectionLostError);
        const after = await state(store);
        expect(
          { bars: after.bars, indexes: after.indexes },
          "only the bar from before: no January partition",
        ).toEqual({ bars: 1, indexes: [] });
        await importMonth(store, 9);
        expect(await state(store)).toEqual({
          ...LOADED,
          bars: LOADED.bars + 1,
          distinct: LOADED.distinct + 1,
        });
        const [first] = await store.readBars("AAA", T0, T0 + M);
        expect(first?.volume).toBe(9);
      } finally {
        await store.close();
      }
    },
    180_000,
  );
}
