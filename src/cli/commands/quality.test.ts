import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { xnysCalendar } from "../../calendar/xnys.js";
import { type Bar, MINUTE_MS } from "../../domain/bar.js";
import { DuckDbBarStore } from "../../history/public.js";
import { runQuality } from "./quality.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-quality-cli-"));
const db = join(dir, "quality.duckdb");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bar = (time: number): Bar => ({ time, open: 10, high: 11, low: 9, close: 10.5, volume: 7 });

beforeAll(async () => {
  const store = await DuckDbBarStore.open(db);
  for (const [symbol, holes] of [
    ["AAPL", [5, 6, 7, 300]],
    ["MSFT", []],
  ] as const) {
    const bars: Bar[] = [];
    for (const date of ["2024-01-08", "2024-01-09"]) {
      const s = xnysCalendar.session(date)!;
      for (let m = 0; m < 390; m++) {
        if (date === "2024-01-08" && (holes as readonly number[]).includes(m)) continue;
        bars.push(bar(s.open + m * MINUTE_MS));
      }
    }
    await store.writeBars(symbol, bars);
  }
  await store.close();
});

function run(options: Parameters<typeof runQuality>[0]) {
  let out = "";
  return runQuality(options, (text) => {
    out += text;
  }).then((result) => ({ result, out }));
}

describe("sessiondata quality", () => {
  it("prints only JSON with --json: per symbol and session, over the stored range by default", async () => {
    const { result, out } = await run({ db, json: true });
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(result)));
    expect(result.from).toBe("2024-01-08");
    expect(result.to).toBe("2024-01-09");
    expect(result.calendar).toBe("XNYS");
    expect(result.sessions.map((r) => `${r.symbol} ${r.sessionDate} ${r.missing}`)).toEqual([
      "AAPL 2024-01-08 4",
      "AAPL 2024-01-09 0",
      "MSFT 2024-01-08 0",
      "MSFT 2024-01-09 0",
    ]);
    const open = xnysCalendar.session("2024-01-08")!.open;
    expect(result.sessions[0]!.longestGaps[0]).toEqual({
      symbol: "AAPL",
      start: open + 5 * MINUTE_MS,
      end: open + 8 * MINUTE_MS,
      count: 3,
    });
    expect(result.totals).toEqual({
      expected: 1560,
      present: 1556,
      missing: 4,
      quality: (1556 / 1560) * 100,
      gaps: 2,
      sessions: 4,
      missingSessions: 0,
    });
  });

  it("prints a table with the longest gaps in UTC and the totals", async () => {
    const { out } = await run({ db, symbols: "AAPL", from: "2024-01-08", to: "2024-01-08" });
    expect(out).toMatch(/symbol\s+session\s+expected\s+present\s+missing\s+quality\s+gaps/);
    expect(out).toMatch(
      /AAPL\s+2024-01-08\s+390\s+386\s+4\s+98\.97%\s+2\s+14:35-14:38 \(3\), 19:30-19:31 \(1\)/,
    );
    expect(out).toMatch(
      /XNYS 2024-01-08\.\.2024-01-08: 1 session, expected 390, present 386, missing 4 in 2 gaps, quality 98\.97%/,
    );
  });

  it("refuses unknown symbols, calendars, bad dates and a missing database, in one line", async () => {
    await expect(run({ db, symbols: "NOPE" })).rejects.toThrow(/unknown symbol NOPE/);
    await expect(run({ db, calendar: "mars" })).rejects.toThrow(/unknown calendar "mars"/);
    await expect(run({ db, from: "2024-13-01" })).rejects.toThrow(/--from/);
    await expect(run({ db, from: "2024-01-09", to: "2024-01-08" })).rejects.toThrow(
      /--from 2024-01-09 is after --to 2024-01-08/,
    );
    await expect(run({ db, from: "2024-02-01" })).rejects.toThrow(
      /no stored bars of AAPL, MSFT in .* between 2024-02-01 and the last/,
    );
    await expect(run({ db: join(dir, "absent.duckdb") })).rejects.toThrow(/no database at/);
    const { result } = await run({ db, calendar: "24/7", from: "2024-01-08", to: "2024-01-08" });
    expect(
      result.sessions[0],
      "24/7 day 2024-01-08 counts from the first stored bar (14:30 UTC): 570 minutes, not 1,440",
    ).toMatchObject({ expected: 570, present: 386 });
  });

  it("runs as `sessiondata quality` from the command line", () => {
    const root = resolve(import.meta.dirname, "../../..");
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "quality", ...args], {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
      });
    const ok = cli("--db", db, "--symbols", "AAPL", "--json");
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).totals.missing).toBe(4);
    const bad = cli("--db", db, "--calendar", "nope");
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/^sessiondata: unknown calendar "nope"/);
  });
});
