import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeLeanLayout } from "../../history/corporate/lean-layout.test-helpers.js";
import { corporateActionsOf, DuckDbBarStore } from "../../history/public.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-import-corp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sessiondata import: corporate actions", () => {
  it("finds LEAN's factor and map files beside minute/ and stores them with the bars", async () => {
    const minute = writeLeanLayout(join(dir, "lean"));
    const db = join(dir, "lean.duckdb");
    const r = sessiondata(["import", minute, "--db", db, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.symbols).toEqual(["ABC", "NEWCO", "OLDCO"]);
    expect(out.corporate).toEqual({
      factorSymbols: ["ABC"],
      mapFiles: ["ABC", "NEWCO"],
      factorRows: 3,
      mapRows: 5,
    });
    const store = await DuckDbBarStore.open(db, { readOnly: true });
    try {
      const corporate = corporateActionsOf(store)!;
      expect((await corporate.factorRows("ABC")).map((r) => r.splitFactor)).toEqual([0.5, 0.5, 1]);
      expect((await corporate.mapRows("NEWCO")).map((r) => r.ticker)).toEqual([
        "OLDCO",
        "OLDCO",
        "NEWCO",
      ]);
    } finally {
      await store.close();
    }
  });

  it("imports folders named by --factor-files and --map-files without bar files", () => {
    const root = join(dir, "flags");
    writeLeanLayout(root);
    const db = join(dir, "flags.duckdb");
    const r = sessiondata([
      "import",
      "--factor-files",
      join(root, "equity", "usa", "factor_files"),
      "--map-files",
      join(root, "equity", "usa", "map_files"),
      "--db",
      db,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /imported corporate actions: 3 factor rows of 1 symbols, 5 map rows of 2 map files/,
    );
  });

  it("refuses a bad factor file with its file and line, storing nothing of the import's actions", async () => {
    const root = join(dir, "bad");
    writeLeanLayout(root);
    const factors = join(root, "equity", "usa", "factor_files");
    writeFileSync(join(factors, "zzz.csv"), "20240607,1,0.5,1\n20240101,1,1,0\n");
    const db = join(dir, "bad.duckdb");
    const r = sessiondata([
      "import",
      join(root, "equity", "usa", "minute"),
      "--factor-files",
      factors,
      "--db",
      db,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/zzz\.csv:2: date 20240101 is not after the previous row's 20240607/);
    expect(existsSync(db), "checked before the database is opened: nothing at all is stored").toBe(
      false,
    );
  });

  it("imports LEAN's equity/usa folder whole: bars from minute/, corporate actions from beside it", async () => {
    const root = join(dir, "whole");
    writeLeanLayout(root);
    const db = join(dir, "whole.duckdb");
    const r = sessiondata(["import", join(root, "equity", "usa"), "--db", db, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.symbols, "factor and map files are not read as bars").toEqual([
      "ABC",
      "NEWCO",
      "OLDCO",
    ]);
    expect(out.corporate.factorSymbols).toEqual(["ABC"]);
  });

  it("converts the plain CSV of splits and dividends with the stored closes", async () => {
    const root = join(dir, "csv");
    const minute = writeLeanLayout(root);
    const db = join(dir, "csv.duckdb");
    expect(
      sessiondata([
        "import",
        minute,
        "--db",
        db,
        "--map-files",
        join(root, "equity", "usa", "map_files"),
      ]).code,
    ).toBe(0);
    const csv = join(dir, "actions.csv");
    writeFileSync(
      csv,
      "date,symbol,split_ratio,dividend\n2024-06-07,ABC,,0.5\n2024-06-10,ABC,2,\n",
    );
    const r = sessiondata(["import", "--corporate-actions", csv, "--db", db, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const store = await DuckDbBarStore.open(db, { readOnly: true });
    try {
      const rows = await corporateActionsOf(store)!.factorRows("ABC");
      expect(rows.map((r) => r.date)).toEqual(["2024-06-06", "2024-06-07", "2050-12-31"]);
      expect(rows[1]!.splitFactor).toBe(0.5);
      // The 06-06 close of the fixture is 98 + 1 + 4 × 0.25 = 100: (100 − 0.5) / 100.
      expect(rows[0]!.referencePrice).toBe(100);
      expect(rows[0]!.priceFactor).toBeCloseTo(0.995, 14);
    } finally {
      await store.close();
    }
  });
});
