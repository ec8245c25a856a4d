import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NATS_TEST_URL, nats, requiring } from "../../test/requirements.js";
import { sessiondata } from "../cli/commands/cli-test-support.test-helpers.js";
import { serveShardJobs } from "./bus-shards.js";
import { mergeShardResults, partitionSymbols } from "./sharded-backtest.js";

const server = await nats();

/** `sessiondata …` in a child process without blocking this one (its workers answer here). */
function sessiondataAsync(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.SESSIONDATA_DB;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: resolvePath(import.meta.dirname, "../.."),
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), "sessiondata-shards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The report's JSON without its two timings, as text: "byte for byte but for timings". */
function withoutTimings(stdout: string): string {
  const { wallMs: _w, barsPerSecond: _b, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  return JSON.stringify(rest, null, 2);
}

describe("backtest --shards N (end to end)", () => {
  it("gives the unsharded report, byte for byte but for timings, on data with gaps to repair", () => {
    const db = join(dir, "gaps.duckdb");
    const gen = sessiondata([
      "generate",
      "--db",
      db,
      "--symbols",
      "8",
      "--from",
      "2024-01-02",
      "--to",
      "2024-01-04",
      "--missing-rate",
      "0.02",
      "--json",
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const args = ["backtest", "--db", db, "--json"];
    const one = sessiondata(args);
    expect(one.code, one.stderr).toBe(0);
    const plain = withoutTimings(one.stdout);
    expect(
      JSON.parse(plain).upkeep.gapsDetected,
      "the data has gaps for upkeep to repair",
    ).toBeGreaterThan(0);
    for (const n of ["1", "2", "3"]) {
      const sharded = sessiondata([...args, "--shards", n]);
      expect(sharded.code, sharded.stderr).toBe(0);
      expect(withoutTimings(sharded.stdout), `--shards ${n} report equals the unsharded one`).toBe(
        plain,
      );
    }
  }, 180_000);

  requiring(server).it(
    "--shards 2 --bus URL: shard workers elsewhere give the same report",
    async () => {
      const db = join(dir, "gaps.duckdb");
      const args = ["backtest", "--db", db, "--json"];
      const plain = withoutTimings(sessiondata(args).stdout);
      const workers = [
        await serveShardJobs({ servers: NATS_TEST_URL, dbPath: db }),
        await serveShardJobs({ servers: NATS_TEST_URL, dbPath: db }),
      ];
      try {
        const r = await sessiondataAsync([...args, "--shards", "2", "--bus", NATS_TEST_URL]);
        expect(r.code, r.stderr).toBe(0);
        expect(withoutTimings(r.stdout)).toBe(plain);
      } finally {
        for (const w of workers) await w.stop();
      }
    },
    120_000,
  );

  it("refuses --drop-rate with --shards, naming why", () => {
    const db = join(dir, "gaps.duckdb");
    const r = sessiondata(["backtest", "--db", db, "--shards", "2", "--drop-rate", "0.1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--drop-rate 0\.1 cannot be sharded/);
  }, 60_000);
});

describe("partitionSymbols / mergeShardResults", () => {
  it("deals sorted symbols round-robin, never an empty shard", () => {
    expect(partitionSymbols(["D", "A", "C", "B", "E"], 2)).toEqual([
      ["A", "C", "E"],
      ["B", "D"],
    ]);
    expect(partitionSymbols(["B", "A"], 5)).toEqual([["A"], ["B"]]);
  });

  it("counts a minute once however many shards had it, and orders symbols", () => {
    const report = (symbols: string[], bars: number) => ({
      sessions: 1,
      slices: 0,
      bars,
      wallMs: 1,
      barsPerSecond: 1,
      symbols: Object.fromEntries(
        symbols.map((s) => [
          s,
          { metrics: null, indicators: {}, trend: null, lastBarTime: null, indicatorsTime: null },
        ]),
      ),
    });
    const merged = mergeShardResults(
      [
        { report: report(["B"], 2), minutes: [60_000, 120_000], sessions: ["2024-01-02"] },
        { report: report(["A"], 1), minutes: [120_000], sessions: ["2024-01-02"] },
      ],
      10,
    );
    expect(merged.slices).toBe(2);
    expect(merged.sessions).toBe(1);
    expect(merged.bars).toBe(3);
    expect(Object.keys(merged.symbols)).toEqual(["A", "B"]);
  });
});
