import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DuckDbBarStore, importFile } from "../../history/public.js";
import { main } from "../main.js";
import { runServe } from "./serve.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sessiondata serve", () => {
  it("refuses a non-loopback host without a token, before opening the database", async () => {
    const db = join(dir, "refused.duckdb");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const code = await main(["node", "sessiondata", "serve", "--host", "0.0.0.0", "--db", db]);
      expect(code).toBe(1);
      const written = stderr.mock.calls.map((c) => String(c[0])).join("");
      expect(written).toMatch(/^sessiondata: refusing to listen on 0\.0\.0\.0 without --token/);
      expect(written.split("\n").filter(Boolean), "one line").toHaveLength(1);
    } finally {
      stderr.mockRestore();
    }
    expect(existsSync(db), "no database file was created").toBe(false);
  });

  it.each([
    [{ port: "http" }, /--port must be an integer from 0 to 65535, got "http"/],
    [{ port: "70000" }, /--port must be an integer/],
    [{ host: "0.0.0.0", token: "short" }, /--token must be at least 16 characters/],
  ])("refuses %j", async (options, message) => {
    await expect(runServe(options)).rejects.toThrow(message);
  });

  it("serves the API over an existing database, read-only if asked, and never generates", async () => {
    const db = join(dir, "served.duckdb");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    let running: Awaited<ReturnType<typeof runServe>> | undefined;
    try {
      const made = ["generate", "--db", db, "--from", "2024-01-02", "--to", "2024-01-03"];
      expect(await main(["node", "sessiondata", ...made])).toBe(0);
      stderr.mockClear();
      running = await runServe({ port: "0", db, readOnly: true });
      const notes = stderr.mock.calls.map((c) => String(c[0])).join("");
      expect(notes).not.toMatch(/generating/);
      expect(notes).toContain(`serving ${db} (read-only)`);
      expect(notes).toContain(`dashboard ${running.url}`);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
    const replay = await fetch(`${running.url}/api/replay`);
    expect(await replay.json()).toMatchObject({ state: "idle" });
    const start = await fetch(`${running.url}/api/replay`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        action: "start",
        symbols: ["AAPL"],
        from: "2024-01-02",
        to: "2024-01-02",
      }),
    });
    const started = (await start.json()) as { state: string; message?: string };
    expect(start.status, started.message).toBe(202);
    const page = await fetch(running.url);
    expect(await page.text()).toContain("<title>sessiondata</title>");
    await running.close();
  });

  it("says which port is in use and how to choose another (EADDRINUSE)", async () => {
    const db = join(dir, "busy.duckdb");
    const quiet = [
      vi.spyOn(process.stderr, "write").mockImplementation(() => true),
      vi.spyOn(process.stdout, "write").mockImplementation(() => true),
    ];
    const taken = createServer();
    try {
      const made = [
        "generate",
        "--db",
        db,
        "--symbols",
        "A",
        "--from",
        "2024-01-02",
        "--to",
        "2024-01-02",
      ];
      expect(await main(["node", "sessiondata", ...made])).toBe(0);
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      const port = (taken.address() as { port: number }).port;
      await expect(runServe({ port: String(port), db })).rejects.toThrow(
        new RegExp(`^port ${port} is in use; pass --port$`),
      );
      // The database was closed on the way out: it opens again at once.
      const again = await runServe({ port: "0", db });
      await again.close();
    } finally {
      for (const q of quiet) q.mockRestore();
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("serves on the symbols' stored calendar unless --calendar names one", async () => {
    const db = join(dir, "crypto.duckdb");
    const csv = join(dir, "BTCUSDT.csv");
    writeFileSync(csv, "timestamp,open,high,low,close,volume\n2024-01-06T12:00:00Z,1,1,1,1,1\n");
    const store = await DuckDbBarStore.open(db);
    await importFile(store, csv);
    await store.close();
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      for (const [calendar, zone] of [
        [undefined, "UTC"],
        ["XLON", "Europe/London"],
      ] as const) {
        const running = await runServe({
          port: "0",
          db,
          ...(calendar === undefined ? {} : { calendar }),
        });
        try {
          const body = (await (await fetch(`${running.url}/api/symbols`)).json()) as {
            timeZone: string;
          };
          expect(body.timeZone, `--calendar ${calendar ?? "(none: the stored 24/7)"}`).toBe(zone);
        } finally {
          await running.close();
        }
      }
    } finally {
      stderr.mockRestore();
    }
  });

  it("draws the chart's overlays that --indicators names (the history routes' default otherwise)", async () => {
    const db = join(dir, "indicators.duckdb");
    const quiet = [
      vi.spyOn(process.stderr, "write").mockImplementation(() => true),
      vi.spyOn(process.stdout, "write").mockImplementation(() => true),
    ];
    try {
      const made = [
        "generate",
        "--db",
        db,
        "--symbols",
        "A",
        "--from",
        "2024-01-02",
        "--to",
        "2024-01-03",
      ];
      expect(await main(["node", "sessiondata", ...made])).toBe(0);
      for (const [flag, keys] of [
        ["sma:10,ema:5", ["sma10", "ema5"]],
        [undefined, ["sma50", "ema20", "rsi14", "macd12_26_9"]],
      ] as const) {
        const running = await runServe({
          port: "0",
          db,
          ...(flag === undefined ? {} : { indicators: flag }),
        });
        try {
          const res = await fetch(
            `${running.url}/api/history/symbols/A/indicators?date=2024-01-03`,
          );
          const body = (await res.json()) as { indicators: { key: string }[] };
          expect(
            body.indicators.map((i) => i.key),
            `--indicators ${flag ?? "(none)"}`,
          ).toEqual(keys);
        } finally {
          await running.close();
        }
      }
    } finally {
      for (const q of quiet) q.mockRestore();
    }
  });
});
