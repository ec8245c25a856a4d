import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requiring, sharedData } from "../../../test/requirements.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-import-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bars = resolve(import.meta.dirname, "../../../../shared/data/bars");
const T = Date.UTC(2024, 0, 2, 14, 30);

describe("sessiondata import / info (end to end)", () => {
  it("imports a CSV with flags, prints only JSON with --json, and info lists it", () => {
    const db = join(dir, "a.duckdb");
    const csv = join(dir, "x.csv");
    writeFileSync(csv, `${T};1;2;1;2\n${T + 60_000};2;3;2;3\n`);
    const r = sessiondata([
      "import",
      csv,
      "--symbol",
      "XYZ",
      "--delimiter",
      ";",
      "--db",
      db,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ db, symbols: ["XYZ"], rows: 2 });
    expect(r.stderr, "the missing volume is reported on stderr").toMatch(/warning: .*no volume/);
    const info = sessiondata(["info", "--db", db, "--json"]);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toEqual({
      db,
      bars: 2,
      symbols: [
        {
          symbol: "XYZ",
          first: "2024-01-02T14:30Z",
          last: "2024-01-02T14:31Z",
          firstTime: T,
          lastTime: T + 60_000,
          bars: 2,
        },
      ],
    });
  });

  it("refuses a bad file with one line on stderr and a non-zero exit; --skip-invalid lists lines", () => {
    const db = join(dir, "b.duckdb");
    const csv = join(dir, "bad.csv");
    writeFileSync(csv, `time,open,high,low,close\n${T},1,2,1,2\n${T + 60_000},1,0.5,1,2\n`);
    const r = sessiondata(["import", csv, "--symbol", "BAD", "--db", db]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `sessiondata: ${csv}:3: high 0.5 is below max(open 1, close 2) (--skip-invalid imports the other rows and lists the bad ones)`,
    ]);
    const ok = sessiondata(["import", csv, "--symbol", "BAD", "--db", db, "--skip-invalid"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`skipped ${csv}:3: high 0.5 is below max`);
    expect(ok.stdout).toMatch(/1 row, 1 bar of BAD \(csv\), 1 line skipped/);
    const info = sessiondata(["info", "--db", db]);
    expect(info.stdout).toMatch(/BAD\s+2024-01-02T14:30Z\s+2024-01-02T14:30Z\s+1/);
  });

  requiring(sharedData("bars/6EH4.XCME_1min_bars_20240101_20240131.csv")).it(
    "imports the CME file end-stamped, from SESSIONDATA_DB",
    () => {
      const db = join(dir, "env.duckdb");
      const r = sessiondata(
        ["import", join(bars, "6EH4.XCME_1min_bars_20240101_20240131.csv"), "--stamp", "end"],
        { SESSIONDATA_DB: db },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("29,996 rows, 29,996 bars of 6EH4.XCME");
      const info = JSON.parse(sessiondata(["info", "--json"], { SESSIONDATA_DB: db }).stdout);
      expect(info.symbols[0]).toMatchObject({ first: "2024-01-01T23:00Z", bars: 29_996 });
    },
  );

  it("says clearly when the database does not exist", () => {
    const r = sessiondata(["info", "--db", join(dir, "none.duckdb")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sessiondata: no database at .*none\.duckdb; create one with `sessiondata import` or `sessiondata generate`\n$/,
    );
  });

  it("refuses a missing path or a bad flag before it creates the database", () => {
    const db = join(dir, "never.duckdb");
    const csv = join(dir, "ok.csv");
    writeFileSync(csv, `${T},1,2,1,2\n`);
    const missing = sessiondata(["import", join(dir, "nope.csv"), "--db", db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv: does not exist/);
    const tz = sessiondata(["import", csv, "--tz", "Mars/Olympus", "--db", db]);
    expect(tz.code).toBe(1);
    expect(tz.stderr).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(existsSync(db), "no empty database is left behind").toBe(false);
  });

  it("names the files a later file's failure left imported (each file is its own transaction)", () => {
    const db = join(dir, "partial.duckdb");
    // In a folder too: its files are imported in name order, each committed on its own.
    const folder = join(dir, "partial");
    mkdirSync(folder);
    const good = join(folder, "good.csv");
    const bad = join(folder, "worse.csv");
    writeFileSync(good, `time,open,high,low,close\n${T},1,2,1,2\n`);
    writeFileSync(bad, `time,open,high,low,close\n${T},1,x,1,2\n`);
    const r = sessiondata(["import", folder, "--db", db]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `sessiondata: 1 file imported before the error stay in ${db} (1 bar): ${good}`,
      `sessiondata: ${bad}:2: high "x" is not a number (--skip-invalid imports the other rows and lists the bad ones)`,
    ]);
    expect(JSON.parse(sessiondata(["info", "--json", "--db", db]).stdout).symbols).toHaveLength(1);
  });

  it("prints rows and bars: 3 rows with a repeated time are 2 bars", () => {
    const db = join(dir, "rows.duckdb");
    const csv = join(dir, "rep.csv");
    writeFileSync(
      csv,
      `time,open,high,low,close\n${T},1,2,1,2\n${T + 60_000},1,2,1,2\n${T + 60_000},1,3,1,3\n`,
    );
    const r = sessiondata(["import", csv, "--db", db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      `${csv}: 3 rows, 2 bars (1 repeated time, the last kept) of REP (csv)`,
      `imported 3 rows, 2 bars (1 repeated time, the last kept) of 1 symbol into ${db}`,
      "",
    ]);
    const json = JSON.parse(sessiondata(["import", csv, "--db", db, "--json"]).stdout);
    expect([json.rows, json.bars, json.files[0].bars]).toEqual([3, 2, 2]);
  });

  it("refuses before opening the database: --symbol over two symbols, a contradicted --format", () => {
    const db = join(dir, "refused.duckdb");
    const a = join(dir, "aaa.csv");
    const b = join(dir, "bbb.csv");
    writeFileSync(a, `${T},1,2,1,2\n`);
    writeFileSync(b, `${T},1,2,1,2\n`);
    const two = sessiondata(["import", a, b, "--symbol", "X", "--db", db]);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(
      /^sessiondata: --symbol X over 2 files that name 2 symbols \(AAA, BBB\)/,
    );
    const parquet = sessiondata(["import", a, "--format", "parquet", "--db", db]);
    expect(parquet.stderr.trim()).toBe(`sessiondata: ${a}: is not a Parquet file (it is text)`);
    expect(existsSync(db), "no database is created for a refused import").toBe(false);
    const help = sessiondata(["import", "--help"]);
    expect(help.stdout).toMatch(/case-insensitive and stored upper case/);
    expect(help.stdout).toMatch(/--allow-nonpositive-prices/);
    expect(help.stdout).toMatch(/--max-line-bytes/);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "on %s rolls back the file in flight, lists what is committed, exits 130; a re-run completes",
    async (name) => {
      const db = join(dir, `${name}.duckdb`);
      const folder = join(dir, name);
      mkdirSync(folder);
      const rows = (n: number, start: number) => {
        let text = "time,open,high,low,close,volume\n";
        for (let i = 0; i < n; i++) text += `${start + i * 60_000},10.25,10.5,10,10.25,${i}\n`;
        return text;
      };
      const sizes = { a: 20, b: 600_000, c: 30 };
      writeFileSync(join(folder, "a.csv"), rows(sizes.a, T));
      writeFileSync(join(folder, "b.csv"), rows(sizes.b, T));
      writeFileSync(join(folder, "c.csv"), rows(sizes.c, T));
      const env = { ...process.env };
      delete env.SESSIONDATA_DB;
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "import", folder, "--db", db],
        { cwd: resolve(import.meta.dirname, "../../.."), env },
      );
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const code = await new Promise<number | null>((done) => {
        child.stdout.on("data", (d) => {
          stdout += d;
          // The first file is committed: the big one is in flight.
          if (stdout.includes("a.csv: ") && !child.killed) child.kill(name);
        });
        child.on("close", (c) => done(c));
      });
      expect(code, stderr).toBe(130);
      expect(stderr).toContain(`${name}: finishing or rolling back the file in flight`);
      const committed = /import interrupted: \d+ files? committed to .*?: (.*)\n/.exec(stderr);
      expect(committed, stderr).not.toBeNull();
      const done = committed![1]!.split(", ").map((f) => f.split("/").pop()!.slice(0, 1));
      expect(stderr).toMatch(/not imported: .*; run the same import again to complete it/);
      expect(done[0]).toBe("a");
      const info = JSON.parse(sessiondata(["info", "--db", db, "--json"]).stdout);
      expect(info.symbols.map((s: { symbol: string; bars: number }) => [s.symbol, s.bars])).toEqual(
        done.map((f) => [f.toUpperCase(), sizes[f as keyof typeof sizes]]),
      );
      const again = sessiondata(["import", folder, "--db", db, "--json"]);
      expect(again.code, again.stderr).toBe(0);
      const total = sizes.a + sizes.b + sizes.c;
      expect([JSON.parse(again.stdout).rows, JSON.parse(again.stdout).bars]).toEqual([
        total,
        total,
      ]);
      const after = JSON.parse(sessiondata(["info", "--db", db, "--json"]).stdout);
      expect(after.bars, "no duplicates after the re-run").toBe(total);
    },
    120_000,
  );
});
