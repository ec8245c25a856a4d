import { expect } from "vitest";
import { PG_TEST_URL, postgres, requiring } from "../../../test/requirements.js";
import { collectScan } from "../bar-store.contract.js";
import { PostgresBarStore } from "./postgres-bar-store.js";
import { adminQuery, dropSchema, testSchemaName } from "./postgres-test-support.test-helpers.js";

const pgTests = requiring(await postgres());
const T0 = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;

/** `n` bars per symbol from minute `start`, every one with volume `marker` (who wrote it). */
function columns(n: number, start: number, marker: number) {
  const time = Float64Array.from({ length: n }, (_, i) => T0 + (start + i) * M);
  const fill = (v: number) => new Float64Array(n).fill(v);
  return {
    time,
    open: fill(10),
    high: fill(11),
    low: fill(9),
    close: fill(10),
    volume: fill(marker),
  };
}

pgTests.it(
  "two writers (two hosts' stores) importing overlapping symbols at once both succeed: no duplicates, the later commit wins per bar",
  async () => {
    const schema = testSchemaName();
    const url = `${PG_TEST_URL}?schema=${schema}`;
    const [a, b] = await Promise.all([
      PostgresBarStore.open({ url }),
      PostgresBarStore.open({ url }),
    ]);
    try {
      const n = 20_000;
      // A writes S0..S5 at minutes 0..n, B writes S3..S8 at minutes n/2..n*1.5: S3..S5 overlap
      // in half their minutes, and both create some of the same new symbols and months.
      const write = async (
        store: PostgresBarStore,
        first: number,
        start: number,
        marker: number,
      ) => {
        const writer = await store.bulkWriter();
        for (let s = first; s < first + 6; s++)
          writer.append(`S${s}`, columns(n, start, marker), n);
        await writer.commit();
        return marker;
      };
      const order: number[] = [];
      await Promise.all([
        write(a, 0, 0, 1).then((m) => order.push(m)),
        write(b, 3, n / 2, 2).then((m) => order.push(m)),
      ]);
      const [counts] = await adminQuery<{ rows: string; distinct: string }>(
        `SELECT count(*) AS rows, count(DISTINCT (sid, time)) AS distinct FROM "${schema}".bars`,
      );
      const expected = 6 * n + 6 * n - 3 * (n / 2);
      expect(Number(counts!.rows)).toBe(expected);
      expect(Number(counts!.distinct), "no (symbol, time) twice").toBe(expected);
      expect(await a.symbols()).toEqual(["S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"]);
      const overlap = await collectScan(
        b.scan({ symbols: ["S3", "S4", "S5"], from: T0 + (n / 2) * M, to: T0 + n * M }),
      );
      expect(overlap.rows).toHaveLength(3 * (n / 2));
      const winners = new Set(overlap.rows.map(([, bar]) => bar.volume));
      expect([...winners], "every overlapping bar is the later commit's").toEqual([order[1]]);
      const [only] = await a.readBars("S0", T0, T0 + M);
      expect(only?.volume).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(schema);
    }
  },
  60_000,
);
