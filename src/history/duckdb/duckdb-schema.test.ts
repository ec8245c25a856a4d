import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it, vi } from "vitest";
import { collectScan } from "../bar-store.contract.js";
import { StoreVersionError } from "../store-errors.js";
import { DuckDbBarStore } from "./duckdb-bar-store.js";
import { runSql, type V1Series, v1Bar, writeV1File } from "./duckdb-v1-file.test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-schema-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;

async function columnsOf(path: string, table: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const c = await instance.connect();
  try {
    const r = await c.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE table_name = '${table}' ORDER BY column_index`,
    );
    return r.getRows().map(([name]) => String(name));
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe("DuckDbBarStore schema", () => {
  it("creates version 2: symbols with calendar, zone, decimals; bars with provenance", async () => {
    const path = join(dir, "new.duckdb");
    const store = await DuckDbBarStore.open(path);
    await store.close();
    expect(await columnsOf(path, "symbols")).toEqual([
      "id",
      "name",
      "calendar",
      "time_zone",
      "price_decimals",
      "bar_count",
    ]);
    expect(await columnsOf(path, "bars")).toEqual([
      "sid",
      "time",
      "open",
      "high",
      "low",
      "close",
      "volume",
      "provenance",
      "write_id",
    ]);
  });

  it("upgrades a version-1 file in place, keeping every bar, and reads and writes it after", async () => {
    const path = join(dir, "v1.duckdb");
    const aapl: V1Series = { symbol: "AAPL", start: T0, count: 300, base: 180 };
    const spy: V1Series = { symbol: "SPY", start: T0 + 5 * M, count: 200, base: 470 };
    await writeV1File(path, [aapl, spy]);
    expect(await columnsOf(path, "bars"), "the fixture is version 1").not.toContain("provenance");
    const store = await DuckDbBarStore.open(path);
    expect(store.integrity.state, "an upgrade checks the file and finds it sound").toBe("ok");
    expect(store.integrity.checked).toBe(true);
    expect(await store.symbols()).toEqual(["AAPL", "SPY"]);
    expect(await store.readBars("aapl", T0, T0 + 300 * M)).toEqual(
      Array.from({ length: 300 }, (_, i) => v1Bar(aapl, i)),
    );
    expect(await store.coverage("SPY")).toEqual({
      first: T0 + 5 * M,
      last: T0 + 204 * M,
      count: 200,
    });
    const { codes } = await collectScan(store.scan({ from: T0, to: T0 + 10 * M }));
    expect(new Set(codes), "old bars have no recorded provenance").toEqual(new Set([0]));
    expect(await store.symbolInfo("AAPL"), "version 1 stored no symbol info").toBeUndefined();
    await store.setSymbolInfo({
      symbol: "AAPL",
      calendar: "XNYS",
      timeZone: "America/New_York",
      priceDecimals: 2,
    });
    await store.writeBars("AAPL", [{ ...v1Bar(aapl, 0), close: 180.25 }], { provenance: "live" });
    await store.close();

    const again = await DuckDbBarStore.open(path);
    expect(again.integrity.checked, "the upgrade happens once").toBe(false);
    expect((await again.symbolInfo("AAPL"))?.priceDecimals).toBe(2);
    expect((await again.readBars("AAPL", T0, T0 + M))[0]?.close).toBe(180.25);
    expect((await again.coverage("AAPL"))?.count).toBe(300);
    await again.close();
    expect(await columnsOf(path, "symbols")).toContain("price_decimals");
  });

  it("repairs a version-1 file that round one's crash defect had doubled, with a warning", async () => {
    const path = join(dir, "v1-doubled.duckdb");
    const big: V1Series = { symbol: "BIG", start: T0, count: 1000, base: 50, doubled: true };
    const ok: V1Series = { symbol: "OK", start: T0, count: 10, base: 20 };
    await writeV1File(path, [big, ok]);
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const store = await DuckDbBarStore.open(path);
      expect(store.integrity).toMatchObject({
        state: "repaired",
        duplicateBars: 1000,
        uncommittedBars: 0,
        symbols: ["BIG"],
      });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(
        /removed 1,000 repeated bars, keeping the last write of each \(BIG\)/,
      );
      expect((await store.coverage("BIG"))?.count).toBe(1000);
      expect(await store.readBars("BIG", T0, T0 + 1000 * M)).toEqual(
        Array.from({ length: 1000 }, (_, i) => v1Bar(big, i)),
      );
      await store.close();
    } finally {
      warn.mockRestore();
    }
  });

  it("refuses to upgrade a read-only open, saying how to upgrade", async () => {
    const path = join(dir, "v1-ro.duckdb");
    await writeV1File(path, [{ symbol: "A", start: T0, count: 5, base: 10 }]);
    const open = DuckDbBarStore.open(path, { readOnly: true });
    await expect(open).rejects.toBeInstanceOf(StoreVersionError);
    await expect(DuckDbBarStore.open(path, { readOnly: true })).rejects.toThrow(
      /has schema version 1; open it once without --read-only to upgrade it to version 3/,
    );
    expect(await columnsOf(path, "bars"), "left as it was").not.toContain("provenance");
  });

  it("refuses a newer schema version with a clear error, and leaves the file alone", async () => {
    const path = join(dir, "v4.duckdb");
    const store = await DuckDbBarStore.open(path);
    await store.writeBars("AAPL", [v1Bar({ symbol: "AAPL", start: T0, count: 1, base: 1 }, 0)]);
    await store.close();
    await runSql(path, ["UPDATE meta SET value = '4' WHERE key = 'schema_version'"]);
    for (const readOnly of [false, true]) {
      await expect(DuckDbBarStore.open(path, { readOnly })).rejects.toThrow(
        new RegExp(
          `${path.replaceAll(".", "\\.")} has schema version 4, written by a newer sessiondata; this one reads version 3: upgrade sessiondata`,
        ),
      );
    }
    await expect(DuckDbBarStore.open(path)).rejects.toBeInstanceOf(StoreVersionError);
  });

  it("refuses a DuckDB file that holds other tables rather than adding its own", async () => {
    const path = join(dir, "foreign.duckdb");
    await runSql(path, ["CREATE TABLE trades (id INTEGER)"]);
    await expect(DuckDbBarStore.open(path)).rejects.toThrow(
      /is a DuckDB database but not a sessiondata store \(it has tables trades and no meta table\)/,
    );
  });
});
