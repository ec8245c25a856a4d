import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { PG_TEST_URL, postgres, requiring } from "../../test/requirements.js";
import {
  dropSchema,
  testSchemaName,
} from "../history/postgres/postgres-test-support.test-helpers.js";
import { sessiondata } from "./commands/cli-test-support.test-helpers.js";

const pgTests = requiring(await postgres());
const dir = mkdtempSync(join(tmpdir(), "sessiondata-pg-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

pgTests.it(
  "--pg URL (or SESSIONDATA_PG_URL) serves generate, import, info, quality and backtest",
  async () => {
    const schema = testSchemaName();
    const url = `${PG_TEST_URL}?schema=${schema}`;
    const location = `${url} (schema ${schema})`;
    try {
      const info0 = sessiondata(["info", "--pg", url]);
      expect(info0.code, "info does not create a store").toBe(1);
      expect(info0.stderr).toMatch(/^sessiondata: no database at postgres:.* schema sdt_/);

      const gen = sessiondata(
        [
          "generate",
          "--symbols",
          "AAPL,MSFT",
          "--from",
          "2024-01-02",
          "--to",
          "2024-01-03",
          "--json",
        ],
        { SESSIONDATA_PG_URL: url },
      );
      expect(gen.code, gen.stderr).toBe(0);
      expect(JSON.parse(gen.stdout)).toMatchObject({ db: location, bars: 2 * 2 * 390 });

      const csv = join(dir, "x.csv");
      writeFileSync(
        csv,
        "timestamp,open,high,low,close,volume\n2024-01-02 14:30:00,1,2,0.5,1.5,10\n",
      );
      const imp = sessiondata(["import", csv, "--symbol", "xyz", "--pg", url, "--json"]);
      expect(imp.code, imp.stderr).toBe(0);
      expect(JSON.parse(imp.stdout)).toMatchObject({ db: location, symbols: ["XYZ"], bars: 1 });

      const info = sessiondata(["info", "--pg", url, "--read-only", "--json"]);
      expect(info.code, info.stderr).toBe(0);
      const listing = JSON.parse(info.stdout);
      expect(listing.db).toBe(location);
      expect(listing.symbols.map((s: { symbol: string }) => s.symbol)).toEqual([
        "AAPL",
        "MSFT",
        "XYZ",
      ]);
      expect(listing.bars).toBe(2 * 2 * 390 + 1);

      const quality = sessiondata(["quality", "--symbols", "AAPL", "--json"], {
        SESSIONDATA_PG_URL: url,
      });
      expect(quality.code, quality.stderr).toBe(0);

      const backtest = sessiondata(["backtest", "--pg", url, "--symbols", "AAPL,MSFT", "--json"]);
      expect(backtest.code, backtest.stderr).toBe(0);
      expect(JSON.parse(backtest.stdout).bars).toBe(2 * 2 * 390);

      const both = sessiondata(["info", "--pg", url, "--db", join(dir, "x.duckdb")]);
      expect(both.code).toBe(1);
      expect(both.stderr).toBe("sessiondata: --db and --pg name two stores: pass one of them\n");
    } finally {
      await dropSchema(schema);
    }
  },
  180_000,
);
