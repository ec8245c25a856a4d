import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { calendarNames } from "../../calendar/public.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-generate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sessiondata generate (end to end)", () => {
  it("writes a sample, prints only JSON with --json, and is deterministic", () => {
    const a = join(dir, "a.duckdb");
    const b = join(dir, "b.duckdb");
    const args = [
      "generate",
      "--symbols",
      "AAA,BBB",
      "--from",
      "2024-11-27",
      "--to",
      "2024-11-29",
      "--json",
    ];
    const r = sessiondata([...args, "--db", a]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/generating 2 symbols from 2024-11-27 to 2024-11-29 \(XNYS, seed 1\)/);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      symbols: ["AAA", "BBB"],
      bars: 2 * (390 + 210),
      missing: 0,
      calendar: "XNYS",
    });
    sessiondata([...args, "--db", b]);
    const infoA = JSON.parse(sessiondata(["info", "--json", "--db", a]).stdout);
    const infoB = JSON.parse(sessiondata(["info", "--json", "--db", b]).stdout);
    expect(infoB.symbols).toEqual(infoA.symbols);
  });

  it("takes a count, a 24/7 calendar and a missing rate; refuses an unknown calendar", () => {
    const db = join(dir, "c.duckdb");
    const r = sessiondata([
      "generate",
      "--symbols",
      "3",
      "--calendar",
      "24/7",
      "--from",
      "2024-01-06",
      "--to",
      "2024-01-06",
      "--missing-rate",
      "0.5",
      "--db",
      db,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/for 3 symbols \(AAPL, MSFT, NVDA\), [\d,]+ left out/);
    const bad = sessiondata(["generate", "--calendar", "mars", "--db", db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      `sessiondata: unknown calendar "mars": use one of ${calendarNames().join(", ")}`,
    );
  });

  it("refuses bad dates before it creates the database or announces any work", () => {
    const db = join(dir, "never.duckdb");
    for (const args of [
      ["--from", "2024-13-01"],
      ["--from", "1980-01-02", "--to", "1980-01-03"],
      ["--missing-rate", "1"],
    ]) {
      const r = sessiondata(["generate", ...args, "--db", db]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, "one error line, no 'generating…' notice").not.toMatch(/generating/);
    }
    expect(existsSync(db), "no empty database is left behind").toBe(false);
  });

  it("refuses to write over symbols that hold bars, naming them and their counts; --force writes", () => {
    const db = join(dir, "held.duckdb");
    const csv = join(dir, "aapl.csv");
    const t = Date.UTC(2023, 5, 1, 13, 30);
    writeFileSync(csv, `time,open,high,low,close\n${t},1,2,1,2\n${t + 60_000},1,2,1,2\n`);
    expect(sessiondata(["import", csv, "--db", db]).code).toBe(0);
    const args = [
      "generate",
      "--symbols",
      "aapl,msft",
      "--from",
      "2024-01-02",
      "--to",
      "2024-01-02",
      "--db",
      db,
    ];
    const refused = sessiondata(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `sessiondata: ${db} already holds bars of AAPL (2 bars): a sample would be mixed into them. Pass --force (overwrite: true) to write it anyway (its bars replace those at the same minutes), or use another --db`,
    );
    const info = JSON.parse(sessiondata(["info", "--db", db, "--json"]).stdout);
    expect(info.bars, "nothing was written").toBe(2);
    const forced = sessiondata([...args, "--force", "--json"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(
      /--force: writing the sample over 1 symbol that holds bars \(AAPL 2\)/,
    );
    expect(JSON.parse(forced.stdout)).toMatchObject({ symbols: ["AAPL", "MSFT"], bars: 780 });
    const twice = sessiondata(["generate", "--symbols", "x,X", "--db", db]);
    expect(twice.stderr).toMatch(/symbol X is named twice \(symbols are case-insensitive\)/);
  });
});
