import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { PG_TEST_URL, postgres, requiring } from "../../../test/requirements.js";
import { writeLeanLayout } from "../../history/corporate/lean-layout.test-helpers.js";
import {
  dropSchema,
  testSchemaName,
} from "../../history/postgres/postgres-test-support.test-helpers.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

const pgTests = requiring(await postgres());
const dir = mkdtempSync(join(tmpdir(), "sessiondata-adjust-pg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

pgTests.it(
  "import of a LEAN layout with --pg keeps its factor and map files, and backtest --adjust reads them as from DuckDB",
  async () => {
    const schema = testSchemaName();
    const url = `${PG_TEST_URL}?schema=${schema}`;
    try {
      const lean = writeLeanLayout(join(dir, "lean"));
      const db = join(dir, "lean.duckdb");
      const intoPg = sessiondata(["import", lean, "--pg", url]);
      expect(intoPg.code, intoPg.stderr).toBe(0);
      expect(intoPg.stdout).toMatch(/imported corporate actions: \d+ factor rows of 1 symbols/);
      expect(sessiondata(["import", lean, "--db", db]).code).toBe(0);
      const run = (store: string[], ...args: string[]) => {
        const r = sessiondata(["backtest", ...store, "--json", "--indicators", "sma:12", ...args]);
        expect(r.code, r.stderr).toBe(0);
        const { wallMs, barsPerSecond, ...rest } = JSON.parse(r.stdout);
        return rest;
      };
      for (const adjust of ["split", "total", "raw"]) {
        const fromPg = run(["--pg", url], "--symbols", "ABC,NEWCO", "--adjust", adjust);
        expect(fromPg, `--adjust ${adjust}: PostgreSQL and DuckDB agree`).toEqual(
          run(["--db", db], "--symbols", "ABC,NEWCO", "--adjust", adjust),
        );
      }
      // The split is applied: ABC's SMA spanning it is near the post-split price (about 51),
      // not the raw mix (about 59).
      const split = run(["--pg", url], "--symbols", "ABC", "--adjust", "split");
      expect(split.symbols.ABC.indicators.sma12).toBeGreaterThan(50);
      expect(split.symbols.ABC.indicators.sma12).toBeLessThan(52);
      const renamed = run(["--pg", url], "--symbols", "NEWCO", "--to", "2024-06-07");
      expect(renamed.bars, "NEWCO before its rename, from OLDCO's bars").toBe(15);
      const again = sessiondata([
        "import",
        "--pg",
        url,
        "--factor-files",
        join(dir, "lean", "equity", "usa", "factor_files"),
      ]);
      expect(again.code, `--factor-files alone with --pg: ${again.stderr}`).toBe(0);
    } finally {
      await dropSchema(schema);
    }
  },
  180_000,
);
