import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDbBarStore } from "../history/duckdb/duckdb-bar-store.js";
import { sessiondata } from "./commands/cli-test-support.test-helpers.js";
import { openCommandStore } from "./store-options.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-store-options-"));
const db = join(dir, "held.duckdb");
const HOLDER = fileURLToPath(new URL("./hold-store.test-helpers.ts", import.meta.url));
const NO_DB =
  /^sessiondata: no database at (.*); create one with `sessiondata import` or `sessiondata generate`$/;

/** Starts a process holding `db` open; resolves once it has the file. */
function hold(mode: "read-only" | "write"): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", HOLDER, db, mode], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the holder ended early (exit ${code})`)));
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("held")) resolve(child);
    });
  });
}

function release(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const oneLine = (stderr: string): string => {
  const lines = stderr.trim().split("\n");
  expect(lines, `one line on stderr: ${stderr}`).toHaveLength(1);
  return lines[0]!;
};

beforeAll(() => {
  const made = sessiondata([
    "generate",
    "--db",
    db,
    "--symbols",
    "AAPL,MSFT",
    "--from",
    "2024-01-02",
    "--to",
    "2024-01-03",
  ]);
  expect(made.code, made.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the store flags every command shares (--db, --read-only)", () => {
  it.each([["backtest"], ["quality"], ["serve", "--port", "0"], ["info"]])(
    "%s with a --db that does not exist: one line, exit 1, nothing created",
    (command, ...rest) => {
      const missing = join(dir, `${command}-missing.duckdb`);
      const r = sessiondata([command, ...rest, "--db", missing]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe("");
      const line = oneLine(r.stderr);
      expect(line).toMatch(NO_DB);
      expect(NO_DB.exec(line)![1]).toBe(missing);
      expect(existsSync(missing), `${command} created no file`).toBe(false);
    },
  );

  it("backtest on the default path with no database creates the sample (npm start); --read-only does not", () => {
    const fresh = join(dir, "default.duckdb");
    const ro = sessiondata(["backtest", "--read-only", "--json", "--to", "2024-01-02"], {
      SESSIONDATA_DB: fresh,
    });
    expect(ro.code).toBe(1);
    expect(oneLine(ro.stderr)).toMatch(NO_DB);
    expect(existsSync(fresh)).toBe(false);
    const r = sessiondata(["backtest", "--json", "--to", "2024-01-02"], { SESSIONDATA_DB: fresh });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/default\.duckdb is empty; generating a sample first/);
    expect(JSON.parse(r.stdout).sessions).toBe(1);
  });

  it("backtest on an existing empty --db says it holds no bars instead of generating", async () => {
    const empty = join(dir, "empty.duckdb");
    await (await DuckDbBarStore.open(empty)).close();
    const r = sessiondata(["backtest", "--db", empty, "--json"]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      `sessiondata: ${empty} holds no bars; add some with \`sessiondata import\` or \`sessiondata generate\``,
    );
    const info = sessiondata(["info", "--db", empty, "--json"]);
    expect(JSON.parse(info.stdout).bars, "nothing was generated").toBe(0);
  });

  it("a second writer gets the lock message with the holder's pid; --read-only readers share the file", async () => {
    const writer = await hold("write");
    try {
      for (const command of [["info"], ["quality"], ["backtest", "--json"]]) {
        const r = sessiondata([...command, "--db", db]);
        expect(r.code, r.stderr).toBe(1);
        expect(oneLine(r.stderr)).toBe(
          `sessiondata: ${db} is in use by another sessiondata process (pid ${writer.pid}); pass --read-only to read it`,
        );
      }
      const importing = sessiondata(["generate", "--db", db, "--symbols", "X", "--force"]);
      expect(oneLine(importing.stderr)).toMatch(
        /is in use by another sessiondata process \(pid \d+\)/,
      );
    } finally {
      await release(writer);
    }
    const reader = await hold("read-only");
    try {
      const info = sessiondata(["info", "--db", db, "--read-only", "--json"]);
      expect(info.code, info.stderr).toBe(0);
      expect(JSON.parse(info.stdout).symbols.map((s: { symbol: string }) => s.symbol)).toEqual([
        "AAPL",
        "MSFT",
      ]);
      const quality = sessiondata(["quality", "--db", db, "--read-only", "--json"]);
      expect(quality.code, quality.stderr).toBe(0);
      const backtest = sessiondata(["backtest", "--db", db, "--read-only", "--json"]);
      expect(backtest.code, backtest.stderr).toBe(0);
      expect(JSON.parse(backtest.stdout).bars).toBe(2 * 2 * 390);
    } finally {
      await release(reader);
    }
  }, 180_000);

  it("a repair at open is one warning line on stderr, and the command goes on", async () => {
    const doubled = join(dir, "doubled.duckdb");
    const made = sessiondata([
      "generate",
      "--db",
      doubled,
      "--symbols",
      "AAPL",
      "--from",
      "2024-01-02",
      "--to",
      "2024-01-02",
    ]);
    expect(made.code, made.stderr).toBe(0);
    const instance = await DuckDBInstance.create(doubled);
    const c = await instance.connect();
    await c.run("INSERT INTO bars SELECT * FROM bars");
    await c.run(`UPDATE meta SET value = '*' WHERE key = 'unverified'`);
    c.closeSync();
    instance.closeSync();
    const ro = sessiondata(["info", "--db", doubled, "--read-only"]);
    expect(ro.code).toBe(1);
    expect(oneLine(ro.stderr)).toMatch(
      /holds 0 uncommitted and 390 repeated bars .*; open it once without --read-only to repair it$/,
    );
    const r = sessiondata(["info", "--db", doubled, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(oneLine(r.stderr)).toMatch(
      /^sessiondata: warning: .*doubled\.duckdb: after an interrupted write to .*: removed 390 repeated bars, keeping the last write of each \(AAPL\)$/,
    );
    expect(JSON.parse(r.stdout).bars, "served after the repair, not doubled").toBe(390);
  });
});

describe("--duckdb-memory-limit and --duckdb-threads", () => {
  it.each([
    ["backtest"],
    ["info"],
    ["generate"],
    ["import"],
    ["serve"],
    ["quality"],
    ["live"],
    ["shard-worker"],
  ])("%s takes them beside --db", (command) => {
    const r = sessiondata([command, "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("--db <path>");
    expect(r.stdout).toContain("--duckdb-memory-limit <size>");
    expect(r.stdout).toContain("--duckdb-threads <n>");
  });

  it("the flags reach DuckDB; absent, the environment's; absent both, 256MB and 2", async () => {
    const flagged = await openCommandStore(
      { db, duckdbMemoryLimit: "100MB", duckdbThreads: "1", readOnly: true },
      "read",
    );
    try {
      expect(await flagged.duckdb!.duckDbSettings()).toEqual({
        memoryLimit: "95.3 MiB",
        threads: 1,
      });
    } finally {
      await flagged.close();
    }
    const plain = await openCommandStore({ db, readOnly: true }, "read");
    try {
      expect(await plain.duckdb!.duckDbSettings()).toEqual({
        memoryLimit: "244.1 MiB",
        threads: 2,
      });
    } finally {
      await plain.close();
    }
  });

  it("bad values: one line naming the flag (or the variable), exit 1, before the file is opened", () => {
    const missing = join(dir, "tuning-missing.duckdb");
    const limit = sessiondata(["info", "--db", missing, "--duckdb-memory-limit", "12XB"]);
    expect(limit.code).toBe(1);
    expect(oneLine(limit.stderr)).toBe(
      "sessiondata: --duckdb-memory-limit: '12XB' is not a size like 256MB",
    );
    const threads = sessiondata(["backtest", "--db", db, "--read-only", "--duckdb-threads", "0"]);
    expect(threads.code).toBe(1);
    expect(oneLine(threads.stderr)).toBe(
      "sessiondata: --duckdb-threads: '0' is not a thread count (a whole number from 1 to 1024)",
    );
    const live = sessiondata(["live", "--db", db, "--duckdb-threads", "many", "--duration", "1"]);
    expect(live.code).toBe(1);
    expect(oneLine(live.stderr)).toBe(
      "sessiondata: --duckdb-threads: 'many' is not a thread count (a whole number from 1 to 1024)",
    );
    const env = sessiondata(["info", "--db", db, "--read-only"], {
      SESSIONDATA_DUCKDB_MEMORY_LIMIT: "lots",
    });
    expect(env.code).toBe(1);
    expect(oneLine(env.stderr)).toBe(
      "sessiondata: SESSIONDATA_DUCKDB_MEMORY_LIMIT: 'lots' is not a size like 256MB",
    );
    const good = sessiondata(["info", "--db", db, "--read-only", "--json"], {
      SESSIONDATA_DUCKDB_MEMORY_LIMIT: "64MB",
      SESSIONDATA_DUCKDB_THREADS: "1",
    });
    expect(good.code, good.stderr).toBe(0);
    expect(existsSync(missing)).toBe(false);
  });
});
