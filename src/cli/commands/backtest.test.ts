import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(join(tmpdir(), "sessiondata-backtest-cli-"));
const db = join(dir, "cli.duckdb");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `sessiondata backtest …` as a user would, in a child process, on the default path
 * (`SESSIONDATA_DB` names the temporary file, no `--db`): the no-flag default, where an empty
 * store gets the sample.
 */
function backtest(...args: string[]) {
  const env = { ...process.env, SESSIONDATA_DB: db };
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "backtest", ...args],
    { cwd: root, env, encoding: "utf8", timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function stable(json: string): unknown {
  const { wallMs: _w, barsPerSecond: _b, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return rest;
}

describe("sessiondata backtest (end to end)", () => {
  let symbols: string[] = [];
  let first = "";

  it("generates the sample into an empty store, says so on stderr, and prints only JSON", () => {
    const r = backtest("--json", "--from", "2024-01-02", "--to", "2024-01-03");
    expect(r.stderr).toMatch(/is empty; generating a sample first: 20 symbols over January 2024/);
    expect(r.code, r.stderr).toBe(0);
    first = r.stdout;
    const report = JSON.parse(r.stdout);
    symbols = Object.keys(report.symbols);
    expect(symbols).toHaveLength(20);
    expect(report.sessions).toBe(2);
    expect(report.bars).toBe(20 * 2 * 390);
    const one = report.symbols[symbols[0]!];
    expect(one.metrics.sessionDate).toBe("2024-01-03");
    expect(one.metrics.barQuality).toBe(100);
    expect(Object.keys(one.indicators).sort()).toEqual(["ema20", "rsi14", "sma50"]);
    expect(typeof one.trend).toBe("string");
    expect(report.upkeep.gapsDetected, "the sample has no gaps").toBe(0);
  });

  it("is deterministic and does not generate twice", () => {
    const r = backtest("--json", "--from", "2024-01-02", "--to", "2024-01-03");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/generating/);
    expect(stable(r.stdout)).toEqual(stable(first));
  });

  it("prints a report table with indicators and totals; --drop-rate is repaired", () => {
    const r = backtest(
      "--symbols",
      symbols.slice(0, 2).join(","),
      "--from",
      "2024-01-02",
      "--to",
      "2024-01-31",
      "--indicators",
      "sma:10,rsi:14",
      "--drop-rate",
      "0.01",
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      /^symbol\s+session\s+close\s+volume\s+vwap\s+bars\s+quality\s+sma10\s+rsi14\s+trend$/,
    );
    expect(lines[2]).toMatch(new RegExp(`^${symbols[0]}\\s+2024-01-31 .* 390/390\\s+100\\.0%`));
    expect(r.stdout).toMatch(
      /sessions 21 \| slices 8,190 \| bars 16,380 \| wall [\d.]+ s \| [\d,]+ bars\/s/,
    );
    expect(r.stdout).toMatch(/dropped bars \d+/);
    expect(r.stdout).toMatch(/gap repair: [1-9][0-9,]* gaps detected/);
  });

  it.each([
    [["--symbols", "NOPE"], /^sessiondata: unknown symbol NOPE \(the store holds 20 symbols/],
    [
      ["--from", "2024-02-30"],
      /^sessiondata: date "2024-02-30" \(--from\) is not a valid YYYY-MM-DD date$/,
    ],
    [
      ["--from", "2024-01-31", "--to", "2024-01-02"],
      /^sessiondata: empty range: from 2024-01-31 is after to 2024-01-02$/,
    ],
    [
      ["--from", "2024-01-06", "--to", "2024-01-07"],
      /^sessiondata: empty range: no XNYS session between/,
    ],
    [
      ["--from", "2023-03-01", "--to", "2023-03-02"],
      /^sessiondata: empty range: no bars of 20 symbols between 2023-03-01/,
    ],
    [
      ["--from", "2024-02-15"],
      /^sessiondata: empty range: --from 2024-02-15 is after the last stored session, 2024-01-31$/,
    ],
    [
      ["--to", "2023-12-01"],
      /^sessiondata: empty range: --to 2023-12-01 is before the first stored session, 2024-01-02$/,
    ],
    [["--speed", "fast"], /^sessiondata: --speed must be "max" or a positive number, got fast$/],
    [["--indicators", ","], /^sessiondata: --indicators: empty list ","$/],
  ])("fails with one clear line for %j", (args, message) => {
    const r = backtest("--json", ...args);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });
});
