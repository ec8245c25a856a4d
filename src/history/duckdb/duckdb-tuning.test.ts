import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../domain/errors.js";
import { DuckDbBarStore } from "./duckdb-bar-store.js";
import {
  checkMemoryLimit,
  checkThreads,
  DEFAULT_MEMORY_LIMIT,
  DEFAULT_THREADS,
  DUCKDB_MEMORY_LIMIT_ENV,
  DUCKDB_THREADS_ENV,
  resolveTuning,
} from "./duckdb-open.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-duckdb-tuning-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("DuckDB memory limit and threads", () => {
  it("the options reach DuckDB (current_setting), for a file and for :memory:", async () => {
    const file = await DuckDbBarStore.open(join(dir, "tuned.duckdb"), {
      memoryLimit: "100MB",
      threads: 1,
    });
    try {
      expect(await file.duckDbSettings()).toEqual({ memoryLimit: "95.3 MiB", threads: 1 });
    } finally {
      await file.close();
    }
    const memory = await DuckDbBarStore.open(":memory:", { memoryLimit: "512MiB", threads: 3 });
    try {
      expect(await memory.duckDbSettings()).toEqual({ memoryLimit: "512.0 MiB", threads: 3 });
    } finally {
      await memory.close();
    }
  });

  it("defaults: 256MB and 2 threads for a file; :memory: keeps DuckDB's own memory limit", async () => {
    expect(DEFAULT_MEMORY_LIMIT).toBe("256MB");
    expect(DEFAULT_THREADS).toBe(2);
    const file = await DuckDbBarStore.open(join(dir, "default.duckdb"));
    try {
      expect(await file.duckDbSettings()).toEqual({ memoryLimit: "244.1 MiB", threads: 2 });
    } finally {
      await file.close();
    }
    const memory = await DuckDbBarStore.open(":memory:");
    try {
      const settings = await memory.duckDbSettings();
      expect(settings.threads).toBe(2);
      expect(settings.memoryLimit).not.toBe("244.1 MiB");
    } finally {
      await memory.close();
    }
  });

  it("a read-only open takes them too", async () => {
    const path = join(dir, "ro.duckdb");
    await (await DuckDbBarStore.open(path)).close();
    const ro = await DuckDbBarStore.open(path, { readOnly: true, memoryLimit: "64MB", threads: 1 });
    try {
      expect(await ro.duckDbSettings()).toEqual({ memoryLimit: "61.0 MiB", threads: 1 });
    } finally {
      await ro.close();
    }
  });

  it("bad values are refused with a named error before any file is created", async () => {
    const path = join(dir, "never.duckdb");
    await expect(DuckDbBarStore.open(path, { memoryLimit: "12XB" })).rejects.toThrow(
      new InvalidArgumentError("memoryLimit: '12XB' is not a size like 256MB"),
    );
    await expect(DuckDbBarStore.open(path, { threads: 0 })).rejects.toThrow(
      new InvalidArgumentError(
        "threads: '0' is not a thread count (a whole number from 1 to 1024)",
      ),
    );
    await expect(DuckDbBarStore.open(path, { threads: 1.5 })).rejects.toThrow(InvalidArgumentError);
    await expect(DuckDbBarStore.open(path, { memoryLimit: "1MB" })).rejects.toThrow(
      "memoryLimit: '1MB' is below the 16MB DuckDB needs to run",
    );
    expect(existsSync(path)).toBe(false);
    // The same file opens once the values are good: nothing was left held.
    const store = await DuckDbBarStore.open(path, { memoryLimit: "1GB" });
    await store.close();
  });

  it("sizes: units in either case, decimals, binary units; DuckDB's spelling out", () => {
    expect(checkMemoryLimit("256mb")).toBe("256MB");
    expect(checkMemoryLimit(" 1.5 GB ")).toBe("1.5GB");
    expect(checkMemoryLimit("512mib")).toBe("512MiB");
    expect(checkMemoryLimit("1TB")).toBe("1TB");
    for (const bad of ["", "256", "MB", "-5MB", "12XB", "1e3MB", "256 M B"]) {
      expect(() => checkMemoryLimit(bad, "--duckdb-memory-limit"), bad).toThrow(
        `--duckdb-memory-limit: '${bad}' is not a size like 256MB`,
      );
    }
    expect(() => checkMemoryLimit(256 as unknown as string)).toThrow(InvalidArgumentError);
    expect(checkThreads("4")).toBe(4);
    for (const bad of ["0", "-1", "2.5", "four", "", "1025"]) {
      expect(() => checkThreads(bad, "--duckdb-threads"), bad).toThrow(
        `--duckdb-threads: '${bad}' is not a thread count (a whole number from 1 to 1024)`,
      );
    }
  });

  it("the environment gives the defaults, named in its errors; options win over it", () => {
    const env = { [DUCKDB_MEMORY_LIMIT_ENV]: "128MB", [DUCKDB_THREADS_ENV]: "1" };
    expect(resolveTuning({}, false, env)).toEqual({ memoryLimit: "128MB", threads: 1 });
    expect(resolveTuning({}, true, env)).toEqual({ memoryLimit: "128MB", threads: 1 });
    expect(resolveTuning({ memoryLimit: "1GB", threads: 2 }, false, env)).toEqual({
      memoryLimit: "1GB",
      threads: 2,
    });
    expect(resolveTuning({}, false, {})).toEqual({ memoryLimit: "256MB", threads: 2 });
    expect(resolveTuning({}, true, {})).toEqual({ memoryLimit: undefined, threads: 2 });
    expect(resolveTuning({}, false, { [DUCKDB_MEMORY_LIMIT_ENV]: "  " })).toEqual({
      memoryLimit: "256MB",
      threads: 2,
    });
    expect(() => resolveTuning({}, false, { [DUCKDB_MEMORY_LIMIT_ENV]: "lots" })).toThrow(
      "SESSIONDATA_DUCKDB_MEMORY_LIMIT: 'lots' is not a size like 256MB",
    );
    expect(() => resolveTuning({}, false, { [DUCKDB_THREADS_ENV]: "0" })).toThrow(
      "SESSIONDATA_DUCKDB_THREADS: '0' is not a thread count (a whole number from 1 to 1024)",
    );
  });

  it("duckDbMemory() reports the buffer manager: the file's blocks after a scan, tags summing up", async () => {
    const path = join(dir, "memory.duckdb");
    const store = await DuckDbBarStore.open(path, { memoryLimit: "64MB" });
    try {
      const t0 = Date.UTC(2024, 0, 2, 14, 30);
      const bars = Array.from({ length: 50_000 }, (_, i) => ({
        time: t0 + i * 60_000,
        open: 10 + (i % 7),
        high: 20,
        low: 5,
        close: 11 + (i % 5),
        volume: i,
      }));
      await store.writeBars("AAPL", bars);
      await store.close();
      const reopened = await DuckDbBarStore.open(path, { readOnly: true });
      try {
        let rows = 0;
        for await (const c of reopened.scan({ from: t0, to: t0 + 50_000 * 60_000 })) {
          rows += c.length;
        }
        expect(rows).toBe(50_000);
        const m = await reopened.duckDbMemory();
        expect(m.byTag.BASE_TABLE, JSON.stringify(m)).toBeGreaterThan(0);
        expect(Object.values(m.byTag).reduce((a, b) => a + b, 0)).toBe(m.usedBytes);
        expect(m.temporaryBytes).toBe(0);
      } finally {
        await reopened.close();
      }
    } finally {
      await store.close().catch(() => undefined);
    }
  });
});
