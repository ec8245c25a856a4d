import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidBarError } from "../../domain/errors.js";
import { barStoreContract, collectScan, contractBar } from "../bar-store.contract.js";
import { DuckDbBarStore } from "./duckdb-bar-store.js";

barStoreContract("DuckDbBarStore", () => DuckDbBarStore.open(":memory:"));
barStoreContract("DuckDbBarStore (one-day scan windows)", () =>
  DuckDbBarStore.open(":memory:", { scanWindowRows: 1 }),
);

const dir = mkdtempSync(join(tmpdir(), "sessiondata-duckdb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const M = 60_000;
const DAY = 86_400_000;

function columns(n: number, start: number, step = M) {
  const c = {
    time: new Float64Array(n),
    open: new Float64Array(n).fill(10),
    high: new Float64Array(n).fill(12),
    low: new Float64Array(n).fill(9),
    close: new Float64Array(n).fill(11),
    volume: new Float64Array(n).fill(5),
  };
  for (let i = 0; i < n; i++) c.time[i] = start + i * step;
  return c;
}

describe("DuckDbBarStore", () => {
  it("keeps bars in a file across close and reopen", async () => {
    const path = join(dir, "persist.duckdb");
    const a = await DuckDbBarStore.open(path);
    await a.writeBars("AAPL", [contractBar(0), contractBar(1)]);
    await a.close();
    const b = await DuckDbBarStore.open(path);
    expect(await b.symbols()).toEqual(["AAPL"]);
    expect(await b.readBars("AAPL", T0, T0 + 2 * M)).toEqual([contractBar(0), contractBar(1)]);
    await b.writeBars("MSFT", [contractBar(3)]);
    await b.writeBars("MSFT", [contractBar(4)], { provenance: "live" });
    const none = { live: 0, replay: 0, refilled: 0, corrected: 0 };
    expect(await b.summary()).toEqual([
      { symbol: "AAPL", first: T0, last: T0 + M, count: 2, provenance: none, unrecorded: 2 },
      {
        symbol: "MSFT",
        first: T0 + 3 * M,
        last: T0 + 4 * M,
        count: 2,
        provenance: { ...none, live: 1 },
        unrecorded: 1,
      },
    ]);
    await b.close();
  });

  it("refuses to open one file twice in a process, and allows it again after close", async () => {
    const path = join(dir, "twice.duckdb");
    const a = await DuckDbBarStore.open(path);
    await expect(DuckDbBarStore.open(join(dir, ".", "twice.duckdb"))).rejects.toThrow(
      /already open in this process/,
    );
    await a.close();
    const b = await DuckDbBarStore.open(path);
    await b.close();
  });

  it("refuses a file that is not a DuckDB database with a clear error", async () => {
    const path = join(dir, "not-a-db.duckdb");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, "hello, this is text");
    await expect(DuckDbBarStore.open(path)).rejects.toThrow(/cannot open the DuckDB database/);
  });

  it("commits a bulk writer's symbols together, and an aborted one leaves nothing", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const w1 = await store.bulkWriter();
    w1.append("A", columns(3, T0), 3);
    w1.append("B", columns(2, T0), 2);
    expect(await store.symbols(), "nothing visible before commit").toEqual([]);
    expect(await w1.commit()).toBe(5);
    const w2 = await store.bulkWriter();
    w2.append("C", columns(4, T0), 4);
    const bad = columns(2, T0);
    bad.low[1] = 100;
    expect(() => w2.append("D", bad, 2)).toThrow(InvalidBarError);
    await w2.abort();
    expect(await store.symbols()).toEqual(["A", "B"]);
    expect((await store.coverage("A"))?.count).toBe(3);
    await store.close();
  });

  it("keeps every value of writes spanning many 2,048-row chunks", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    const bars = Array.from({ length: 10_000 }, (_, i) => contractBar(i, i * 7 + 3));
    await store.writeBars("MANY", bars);
    await store.writeBars("MORE", bars.slice(0, 4097));
    expect(await store.readBars("MANY", 0, Number.POSITIVE_INFINITY)).toEqual(bars);
    expect(await store.readBars("MORE", 0, Number.POSITIVE_INFINITY)).toEqual(bars.slice(0, 4097));
    await store.close();
  });

  it("serialises concurrent writes and reads", async () => {
    const store = await DuckDbBarStore.open(":memory:");
    await Promise.all([
      store.writeBars("X", [contractBar(0), contractBar(1)]),
      store.writeBars("X", [contractBar(1, 7), contractBar(2)]),
      store.writeBars("Y", [contractBar(0)]),
      store.readBars("X", T0, T0 + 9 * M),
      store.coverage("Y"),
    ]);
    expect(await store.readBars("X", T0, T0 + 9 * M)).toEqual([
      contractBar(0),
      contractBar(1, 7),
      contractBar(2),
    ]);
    await store.close();
  });

  it("scans a range of many days in one window per day and in one window, alike", async () => {
    const big = await DuckDbBarStore.open(":memory:");
    const small = await DuckDbBarStore.open(":memory:", { scanWindowRows: 1 });
    for (const store of [big, small]) {
      const w = await store.bulkWriter();
      w.append("HOURLY", columns(24 * 5, T0, 60 * M), 24 * 5);
      w.append("MINUTE", columns(1440 * 3, T0 + DAY, M), 1440 * 3);
      await w.commit();
    }
    const range = { from: T0 + 12 * 60 * M, to: T0 + 4 * DAY + 7 * M, chunkSize: 1000 };
    const a = await collectScan(big.scan(range));
    const b = await collectScan(small.scan(range));
    expect(a.rows.length).toBe(b.rows.length);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows.length).toBe(24 * 4 - 12 + 1 + 1440 * 3);
    expect(a.rows[0]![1].time).toBe(range.from);
    await big.close();
    await small.close();
  });

  it("stops a scan early without leaking its connections", async () => {
    const store = await DuckDbBarStore.open(":memory:", { scanWindowRows: 1000 });
    const w = await store.bulkWriter();
    w.append("S", columns(20_000, T0), 20_000);
    await w.commit();
    for (let k = 0; k < 5; k++) {
      for await (const chunk of store.scan({ from: 0, to: Number.POSITIVE_INFINITY })) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
    }
    expect((await store.coverage("S"))?.count).toBe(20_000);
    await store.close();
  });

  it("leaves all or nothing when the writing process is killed", async () => {
    const csv = join(dir, "big.csv");
    const lines = ["time,open,high,low,close,volume"];
    for (let i = 0; i < 200_000; i++) lines.push(`${T0 + i * M},10,11,9,10.5,100`);
    writeFileSync(csv, `${lines.join("\n")}\n`);
    const path = join(dir, "killed.duckdb");
    const script = fileURLToPath(new URL("../import/kill-child.test-helpers.ts", import.meta.url));
    const outcomes: string[] = [];
    // Kill while staging, right as the commit starts, a little later, and after it returned;
    // through the bulk writer and through importFile.
    for (const [args, full, when, delay] of [
      [["300000"], 300_000, "staging", 0],
      [["300000"], 300_000, "committing", 0],
      [["300000"], 300_000, "committing", 60],
      [["300000"], 300_000, "committed", 0],
      [["import", csv], 200_000, "staging", 0],
      [["import", csv], 200_000, "committing", 30],
      [["import", csv], 200_000, "committed", 0],
    ] as const) {
      const child = spawn(process.execPath, ["--import", "tsx", script, path, ...args], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let seen = "";
      const done = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      child.stdout.on("data", (data: Buffer) => {
        seen += data.toString();
        if (seen.includes(when)) setTimeout(() => child.kill("SIGKILL"), delay);
      });
      await done;
      const store = await DuckDbBarStore.open(path);
      const count = (await store.coverage("KILLED"))?.count ?? 0;
      await store.close();
      const label = `${args[0]} killed at ${when}+${delay}ms`;
      expect([0, full], `rows after: ${label}`).toContain(count);
      if (when === "committed") expect(count, `${label} keeps everything`).toBe(full);
      outcomes.push(`${label}: ${count}`);
      rmSync(path, { force: true });
      rmSync(`${path}.wal`, { force: true });
    }
    expect(outcomes.length).toBe(7);
  });
});
