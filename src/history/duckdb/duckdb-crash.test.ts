import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { StoreIntegrityError } from "../store-errors.js";
import { DuckDbBarStore } from "./duckdb-bar-store.js";
import {
  CRASH_PLAN,
  CRASH_WAL_BOUND,
  inspect,
  type SymbolState,
  writeVersion,
} from "./duckdb-crash.test-helpers.js";
import { walBytes } from "./duckdb-open.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHILD = fileURLToPath(new URL("./duckdb-crash-child.test-helpers.ts", import.meta.url));
const TEMPLATE = join(dir, "old.duckdb");

/**
 * When the parent sends SIGKILL: `delay` ms after the child printed `line` (if given) and, when
 * asked, its WAL then reached `walAtLeast` bytes or shrank from above `walDrop` bytes to less
 * than half (a checkpoint truncating it).
 */
interface KillPoint {
  readonly line?: string;
  readonly walAtLeast?: number;
  readonly walDrop?: number;
  readonly delay: number;
}

function label(k: KillPoint): string {
  const parts: string[] = [];
  if (k.line !== undefined) parts.push(`after "${k.line}"`);
  if (k.walAtLeast !== undefined) parts.push(`WAL >= ${k.walAtLeast} bytes`);
  if (k.walDrop !== undefined) parts.push(`WAL truncated from >= ${k.walDrop} bytes`);
  return `${parts.join(", then ")} +${k.delay}ms`;
}

const KB = 1024;
const MB = 1024 * KB;
/**
 * Timed points through every write and WAL-watched points around each checkpoint: the WAL
 * passing the bound (the commit that triggers the checkpoint), the checkpoint truncating it, and
 * the big write's commit entries going into the WAL (the torn-WAL defect's moment).
 */
const KILL_POINTS: readonly KillPoint[] = [
  { line: "ready", delay: 0 },
  { line: "begin SMALL1", delay: 0 },
  { line: "done SMALL1", delay: 0 },
  { walAtLeast: CRASH_WAL_BOUND, delay: 0 },
  { walAtLeast: CRASH_WAL_BOUND, delay: 5 },
  { walDrop: CRASH_WAL_BOUND, delay: 0 },
  { line: "begin BIG", delay: 0 },
  { line: "begin BIG", walAtLeast: 64 * KB, delay: 0 },
  { line: "begin BIG", walAtLeast: 512 * KB, delay: 0 },
  { line: "begin BIG", walAtLeast: 900 * KB, delay: 0 },
  { line: "begin BIG", walDrop: 512 * KB, delay: 0 },
  { line: "done BIG", delay: 0 },
  { line: "done SMALL3", walDrop: 1 * MB, delay: 0 },
  { line: "closed", delay: 0 },
];

/** Runs the child on `path`, kills it at `point` (unless it ended first); resolves on its exit. */
function runAndKill(path: string, point: KillPoint): Promise<{ killed: boolean; seen: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", CHILD, path], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let seen = "";
    let stderr = "";
    let armed = false;
    let killed = false;
    const kill = (): void => {
      if (armed) return;
      armed = true;
      setTimeout(() => {
        killed = child.kill("SIGKILL");
      }, point.delay);
    };
    let lineSeen = point.line === undefined;
    let peak = 0;
    const watchesWal = point.walAtLeast !== undefined || point.walDrop !== undefined;
    const watch = !watchesWal
      ? undefined
      : setInterval(() => {
          if (!lineSeen) return;
          const wal = walBytes(path);
          if (point.walAtLeast !== undefined && wal >= point.walAtLeast) kill();
          if (point.walDrop !== undefined && peak >= point.walDrop && wal < peak / 2) kill();
          peak = Math.max(peak, wal);
        }, 1);
    child.stdout!.on("data", (data: Buffer) => {
      seen += data.toString();
      if (!lineSeen && seen.split("\n").includes(point.line!)) lineSeen = true;
      if (lineSeen && !watchesWal) kill();
    });
    child.stderr!.on("data", (data: Buffer) => {
      stderr += data.toString();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (watch !== undefined) clearInterval(watch);
      if (signal === null && code !== 0) {
        reject(new Error(`the crash child failed (exit ${code}): ${stderr}`));
      } else resolve({ killed: killed && signal === "SIGKILL", seen });
    });
  });
}

const versions = (states: readonly SymbolState[]): string =>
  states.map((s) => `${s.symbol}=${s.version}`).join(" ");

describe("DuckDbBarStore crash safety (SIGKILL during a re-import)", () => {
  let warn: MockInstance<typeof process.emitWarning>;
  beforeAll(async () => {
    const store = await DuckDbBarStore.open(TEMPLATE);
    await writeVersion(store, 1);
    await store.close();
    warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  });
  afterAll(() => warn.mockRestore());

  it("holds exactly the old or exactly the new bars of each write after every kill, and a re-run ends exact", async () => {
    const outcomes: string[] = [];
    for (const [k, point] of KILL_POINTS.entries()) {
      const path = join(dir, `kill-${k}.duckdb`);
      copyFileSync(TEMPLATE, path);
      const { killed, seen } = await runAndKill(path, point);
      const at = `${label(point)} (child printed ${JSON.stringify(seen.trim().split("\n").at(-1))}, ${killed ? "killed" : "ended first"})`;

      warn.mockClear();
      const store = await DuckDbBarStore.open(path);
      const integrity = store.integrity;
      const states = await inspect(store);
      await new Promise((r) => setImmediate(r));
      expect(integrity.state, `${at}: ${integrity.message}`).not.toBe("damaged");
      if (integrity.state === "repaired") {
        expect(
          warn.mock.calls.map((c) => String(c[0])).join("\n"),
          `${at}: a repair is never silent`,
        ).toContain(integrity.message);
      } else {
        expect(warn, `${at}: no warning without a repair`).not.toHaveBeenCalled();
      }
      for (const s of states) {
        expect([1, 2], `${at}: ${s.symbol} holds exactly the old or the new bars`).toContain(
          s.version,
        );
      }
      // Each write is durable once its commit returned, so the new bars form a prefix of the plan.
      const order = states.map((s) => s.version).join("");
      expect(order, `${at}: writes landed in order (${versions(states)})`).toMatch(/^2*1*$/);
      if (!killed) expect(order, `${at}: a run that ended keeps everything`).toBe("2222");

      // The user's remedy: run the import again; it must end exact and leave nothing to repair.
      await writeVersion(store, 2);
      await store.close();
      warn.mockClear();
      const again = await DuckDbBarStore.open(path);
      expect(again.integrity.checked, `${at}: a clean close leaves nothing to check`).toBe(false);
      expect(versions(await inspect(again)), `${at}: re-run`).toBe(
        versions(CRASH_PLAN.map((p) => ({ symbol: p.symbol, version: 2 }))),
      );
      await again.close();
      outcomes.push(
        `${at}: ${versions(states)} ${integrity.checked ? `checked (${integrity.reason}): ${integrity.state}` : "unchecked"}`,
      );
      rmSync(path, { force: true });
      rmSync(`${path}.wal`, { force: true });
    }
    // CRASH_DEBUG=1 lists what each kill left (which writes landed, whether the open checked).
    if (process.env.CRASH_DEBUG) console.error(outcomes.join("\n"));
    expect(outcomes.length).toBe(KILL_POINTS.length);
  }, 180_000);
});

describe("DuckDbBarStore never serves a doubled database silently", () => {
  const T0 = Date.UTC(2024, 0, 2, 14, 30);
  const M = 60_000;
  const bar = (i: number, close: number) => ({
    time: T0 + i * M,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    volume: 100 + i,
  });

  /**
   * A file in the state a crash during a checkpoint or a torn WAL leaves: DOUBLED's committed
   * rows all present twice (an older write's copy and the last write's), UNCOMMITTED holding rows
   * of a write above `meta.last_write` over its old ones, and the marker of an unfinished write.
   */
  async function doubledFile(path: string): Promise<void> {
    const store = await DuckDbBarStore.open(path);
    await store.writeBars(
      "DOUBLED",
      Array.from({ length: 50 }, (_, i) => bar(i, 10)),
    );
    await store.writeBars(
      "UNCOMMITTED",
      Array.from({ length: 20 }, (_, i) => bar(i, 30)),
    );
    await store.close();
    const instance = await DuckDBInstance.create(path);
    const c = await instance.connect();
    try {
      const last = Number(
        (await c.runAndReadAll("SELECT value FROM meta WHERE key = 'last_write'")).getRows()[0]![0],
      );
      const sid = async (name: string) =>
        Number(
          (await c.runAndReadAll(`SELECT id FROM symbols WHERE name = '${name}'`)).getRows()[0]![0],
        );
      const doubled = await sid("DOUBLED");
      const uncommitted = await sid("UNCOMMITTED");
      // An older committed write's copy of every DOUBLED bar, with other values.
      await c.run(
        `INSERT INTO bars SELECT sid, time, open + 5, high + 5, low + 5, close + 5, volume, provenance, 0
         FROM bars WHERE sid = ${doubled}`,
      );
      await c.run(
        `INSERT INTO bars SELECT sid, time, open * 2, high * 2, low * 2, close * 2, volume, provenance, ${last + 1}
         FROM bars WHERE sid = ${uncommitted}`,
      );
      await c.run(`UPDATE meta SET value = '["DOUBLED","UNCOMMITTED"]' WHERE key = 'unverified'`);
      const n = Number((await c.runAndReadAll("SELECT count(*) FROM bars")).getRows()[0]![0]);
      expect(n, "the constructed file holds every bar twice").toBe(140);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  }

  it("repairs it on open, keeping the last committed write, and warns", async () => {
    const path = join(dir, "doubled.duckdb");
    await doubledFile(path);
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const store = await DuckDbBarStore.open(path);
      expect(store.integrity).toMatchObject({
        state: "repaired",
        checked: true,
        duplicateBars: 50,
        uncommittedBars: 20,
        symbols: ["DOUBLED", "UNCOMMITTED"],
      });
      expect(warn, "the repair is announced").toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(
        /doubled\.duckdb: after an interrupted write to .*: removed 20 bars of a write that never committed \(the bars before it are kept\); removed 50 repeated bars, keeping the last write of each \(DOUBLED, UNCOMMITTED\)/,
      );
      expect(await store.readBars("DOUBLED", T0, T0 + 50 * M)).toEqual(
        Array.from({ length: 50 }, (_, i) => bar(i, 10)),
      );
      expect(await store.readBars("UNCOMMITTED", T0, T0 + 20 * M)).toEqual(
        Array.from({ length: 20 }, (_, i) => bar(i, 30)),
      );
      expect((await store.coverage("DOUBLED"))?.count).toBe(50);
      await store.close();
      warn.mockClear();
      const again = await DuckDbBarStore.open(path);
      expect(again.integrity.checked, "the repair is durable: nothing left to check").toBe(false);
      expect(warn).not.toHaveBeenCalled();
      await again.close();
    } finally {
      warn.mockRestore();
    }
  });

  it("refuses a read-only open of it, saying how to repair it, and leaves it as it was", async () => {
    const path = join(dir, "doubled-ro.duckdb");
    await doubledFile(path);
    const open = DuckDbBarStore.open(path, { readOnly: true });
    await expect(open).rejects.toBeInstanceOf(StoreIntegrityError);
    await expect(DuckDbBarStore.open(path, { readOnly: true })).rejects.toThrow(
      /holds 20 uncommitted and 50 repeated bars left by an interrupted write to .*; open it once without --read-only to repair it/,
    );
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const store = await DuckDbBarStore.open(path);
      expect(store.integrity.state, "still there for the writable open to repair").toBe("repaired");
      await store.close();
    } finally {
      warn.mockRestore();
    }
  });
});
