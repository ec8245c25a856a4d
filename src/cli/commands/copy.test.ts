import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { PG_TEST_URL, postgres, requiring } from "../../../test/requirements.js";
import { collectScan, contractBar, contractInfo } from "../../history/bar-store.contract.js";
import { corporateActionsOf } from "../../history/corporate/corporate-action-store.js";
import { DuckDbBarStore } from "../../history/duckdb/duckdb-bar-store.js";
import { PostgresBarStore } from "../../history/postgres/postgres-bar-store.js";
import {
  dropSchema,
  testSchemaName,
} from "../../history/postgres/postgres-test-support.test-helpers.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

const pgTests = requiring(await postgres());
const dir = mkdtempSync(join(tmpdir(), "sessiondata-copy-"));
const FACTORS = [
  { date: "2024-06-07", priceFactor: 0.9876543210123, splitFactor: 0.25, referencePrice: 101.5 },
  { date: "2050-12-31", priceFactor: 1, splitFactor: 1, referencePrice: 0 },
];
const RENAME = [
  { date: "2010-01-04", ticker: "OLDCO", exchange: "Q" },
  { date: "2050-12-31", ticker: "NEWCO" },
];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

pgTests.it(
  "copies a DuckDB file to PostgreSQL and back: every bar, provenance, symbol info and corporate action, counts checked",
  async () => {
    const schema = testSchemaName();
    const url = `${PG_TEST_URL}?schema=${schema}`;
    try {
      const file = join(dir, "source.duckdb");
      const source = await DuckDbBarStore.open(file);
      await source.writeBars(
        "AAPL",
        [0, 1, 2, 5].map((m) => contractBar(m)),
      );
      await source.writeBars(
        "MSFT",
        [1, 2].map((m) => contractBar(m, m + 40)),
        { provenance: "live" },
      );
      await source.writeBars("MSFT", [contractBar(3, 9)], { provenance: "corrected" });
      await source.setSymbolInfo(contractInfo("AAPL"));
      await source.setSymbolInfo(
        contractInfo("BTCUSDT", { calendar: "24/7", timeZone: "UTC", priceDecimals: 8 }),
      );
      await corporateActionsOf(source)!.writeCorporateActions({
        factorFiles: new Map([["AAPL", FACTORS]]),
        mapFiles: new Map([["NEWCO", RENAME]]),
      });
      const want = await collectScan(source.scan({ from: 0, to: Number.POSITIVE_INFINITY }));
      await source.close();

      const there = sessiondata(["copy", "--from", file, "--to-pg", url, "--json"]);
      expect(there.stderr, "progress and notices go to stderr").toMatch(
        /copying 7 bars of 2 symbols/,
      );
      expect(there.code, there.stderr).toBe(0);
      expect(JSON.parse(there.stdout)).toEqual({
        from: file,
        to: `${url} (schema ${schema})`,
        symbols: 2,
        bars: 7,
        symbolInfo: 2,
        factorFiles: 1,
        mapFiles: 1,
      });
      const pg = await PostgresBarStore.open({ url, readOnly: true });
      try {
        const got = await collectScan(pg.scan({ from: 0, to: Number.POSITIVE_INFINITY }));
        expect(got.rows).toEqual(want.rows);
        expect(got.codes, "provenance crosses too").toEqual(want.codes);
        expect((await pg.listSymbolInfo()).map((i) => i.symbol)).toEqual(["AAPL", "BTCUSDT"]);
        expect(
          await corporateActionsOf(pg)!.factorRows("AAPL"),
          "factors, to the last bit",
        ).toEqual(FACTORS);
        expect(await corporateActionsOf(pg)!.mapRows("NEWCO")).toEqual(RENAME);
      } finally {
        await pg.close();
      }

      const back = join(dir, "back.duckdb");
      const again = sessiondata(["copy", "--from-pg", url, "--to", back]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(
        /^copied 7 bars of 2 symbols \(and 2 symbols' info, 1 factor files, 1 map files\) from postgres:.*; counts checked\n$/,
      );
      const copy = await DuckDbBarStore.open(back, { readOnly: true });
      try {
        const round = await collectScan(copy.scan({ from: 0, to: Number.POSITIVE_INFINITY }));
        expect(round.rows).toEqual(want.rows);
        expect(round.codes).toEqual(want.codes);
        expect(await copy.listSymbolInfo()).toEqual([
          contractInfo("AAPL"),
          contractInfo("BTCUSDT", { calendar: "24/7", timeZone: "UTC", priceDecimals: 8 }),
        ]);
        expect(await corporateActionsOf(copy)!.factorRows("AAPL")).toEqual(FACTORS);
        expect(await corporateActionsOf(copy)!.mapTickers()).toEqual(
          new Map([["NEWCO", ["NEWCO", "OLDCO"]]]),
        );
      } finally {
        await copy.close();
      }

      const twice = sessiondata(["copy", "--from", file, "--to-pg", url, "--json"]);
      expect(twice.code, `a second copy is an upsert: ${twice.stderr}`).toBe(0);
    } finally {
      await dropSchema(schema);
    }
  },
  120_000,
);

pgTests.it("refuses bad ends with one line on stderr", () => {
  const both = sessiondata([
    "copy",
    "--from",
    "a.duckdb",
    "--from-pg",
    PG_TEST_URL,
    "--to",
    "b.duckdb",
  ]);
  expect(both.code).toBe(1);
  expect(both.stderr).toBe(
    "sessiondata: sessiondata copy needs exactly one of --from FILE.duckdb and --from-pg URL, not both\n",
  );
  const refused = sessiondata([
    "copy",
    "--from",
    join(dir, "missing.duckdb"),
    "--to-pg",
    "postgres://postgres@127.0.0.1:1/test",
  ]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^sessiondata: no database at .*missing\.duckdb/);
  const file = join(dir, "empty.duckdb");
  const down = sessiondata([
    "copy",
    "--from-pg",
    "postgres://postgres@127.0.0.1:1/test",
    "--to",
    file,
  ]);
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(
    /^sessiondata: cannot connect to PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED/,
  );
  expect(down.stderr.trim().split("\n")).toHaveLength(1);
});
