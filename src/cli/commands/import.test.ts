import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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

  it.skipIf(!existsSync(bars))("imports the CME file end-stamped, from SESSIONDATA_DB", () => {
    const db = join(dir, "env.duckdb");
    const r = sessiondata(
      ["import", join(bars, "6EH4.XCME_1min_bars_20240101_20240131.csv"), "--stamp", "end"],
      { SESSIONDATA_DB: db },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("29,996 rows, 29,996 bars of 6EH4.XCME");
    const info = JSON.parse(sessiondata(["info", "--json"], { SESSIONDATA_DB: db }).stdout);
    expect(info.symbols[0]).toMatchObject({ first: "2024-01-01T23:00Z", bars: 29_996 });
  });

  it("says clearly when the database does not exist", () => {
    const r = sessiondata(["info", "--db", join(dir, "none.duckdb")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/none\.duckdb does not exist/);
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
});
