import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sessiondata } from "./commands/cli-test-support.test-helpers.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "sessiondata-main-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const version = (
  JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }
).version;

describe("sessiondata (the program)", () => {
  it("prints the package's version with --version and -V", () => {
    for (const flag of ["--version", "-V"]) {
      const r = sessiondata([flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it("runs through bin/sessiondata.js from any directory (dist/ when built, else the sources via tsx)", () => {
    const r = spawnSync(process.execPath, [join(root, "bin/sessiondata.js"), "--version"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    const info = spawnSync(
      process.execPath,
      [join(root, "bin/sessiondata.js"), "info", "--db", join(dir, "none.duckdb")],
      { cwd: dir, encoding: "utf8", timeout: 60_000 },
    );
    expect(info.status).toBe(1);
    expect(info.stderr).toMatch(/^sessiondata: no database at .*none\.duckdb; create one with/);
  });

  it("says in --help that symbols are case-insensitive and stored upper case", () => {
    const r = sessiondata(["--help"]);
    expect(r.stdout).toMatch(/Symbols are case-insensitive on input and stored upper case/);
    const backtest = sessiondata(["backtest", "--help"]);
    expect(backtest.stdout.replace(/\s+/g, " ")).toMatch(
      /--symbols <list> comma-separated symbols, any case \(stored upper case/,
    );
  });

  it("takes symbols in any case and stores and reports them upper case", () => {
    const db = join(dir, "case.duckdb");
    const made = sessiondata([
      "generate",
      "--db",
      db,
      "--symbols",
      "aapl,Msft",
      "--from",
      "2024-01-02",
      "--to",
      "2024-01-02",
      "--json",
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout).symbols).toEqual(["AAPL", "MSFT"]);
    const bt = sessiondata(["backtest", "--db", db, "--symbols", "aapl", "--json"]);
    expect(bt.code, bt.stderr).toBe(0);
    expect(Object.keys(JSON.parse(bt.stdout).symbols)).toEqual(["AAPL"]);
    const q = sessiondata(["quality", "--db", db, "--symbols", "msft,MSFT", "--json"]);
    expect(q.code, q.stderr).toBe(0);
    expect([
      ...new Set(JSON.parse(q.stdout).sessions.map((s: { symbol: string }) => s.symbol)),
    ]).toEqual(["MSFT"]);
  });
});
