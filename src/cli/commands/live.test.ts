import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../domain/wall-clock.js";
import { FakeBinance } from "../../live/binance/fake-binance.js";
import { sessiondata } from "./cli-test-support.test-helpers.js";
import { runLive } from "./live.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-live-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sessiondata live", () => {
  it("--feed sim --duration --json replays the sample's last day through the Binance path and prints the summary", () => {
    const db = join(dir, "sample.duckdb");
    const r = sessiondata([
      "live",
      "--feed",
      "sim",
      "--db",
      db,
      "--symbols",
      "AAPL,MSFT",
      "--duration",
      "3",
      "--speed",
      "120",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines, "only the JSON document on stdout").toHaveLength(1);
    const summary = JSON.parse(lines[0]!);
    expect(Object.keys(summary), "the pinned shape").toEqual([
      "feed",
      "symbols",
      "bars",
      "late",
      "refilled",
      "corrected",
      "reconnects",
      "stored",
    ]);
    expect(summary.feed).toBe("sim");
    expect(summary.symbols).toEqual(["AAPL", "MSFT"]);
    // 3 s at 120x is 6 session minutes: allow for start-up and a loaded machine.
    expect(summary.bars, `bars: ${r.stdout}`).toBeGreaterThanOrEqual(2);
    expect(summary.bars, "never more than the time allows").toBeLessThanOrEqual(2 * 8);
    expect(summary.bars % 2, "both symbols each minute").toBe(0);
    expect(summary.stored, "every bar persisted").toBe(summary.bars);
    expect(summary.reconnects).toBe(0);
    expect(r.stderr, "notices on stderr").toMatch(/sim feed replaying 2024-01-31 \(XNYS\) at 120x/);
  });

  it.each([
    [["--feed", "nope"], /--feed must be one of sim, binance, alpaca, got "nope"/],
    [["--feed", "binance"], /--feed binance needs --symbols/],
    [["--feed", "alpaca"], /--feed alpaca needs --symbols/],
    [["--feed", "alpaca", "--symbols", "AAPL"], /needs APCA_API_KEY_ID and APCA_API_SECRET_KEY/],
    [["--duration", "0"], /--duration must be > 0/],
    [["--speed", "fast"], /--speed must be a number, got "fast"/],
  ])("refuses %j in one line, before opening the database", (args, message) => {
    const db = join(dir, "refused.duckdb");
    const r = sessiondata(["live", "--db", db, ...args], {
      APCA_API_KEY_ID: "",
      APCA_API_SECRET_KEY: "",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n"), "one line").toHaveLength(1);
    expect(existsSync(db), "no database file").toBe(false);
  });

  it("--serve puts the dashboard's API on the live session data", async () => {
    const notes: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      notes.push(String(chunk));
      return true;
    });
    try {
      const summary = await runLive(
        {
          feed: "sim",
          db: join(dir, "served.duckdb"),
          symbols: "AAPL",
          speed: "600",
          serve: true,
          port: "0",
        },
        (stop) => {
          const poll = setInterval(async () => {
            const line = notes.join("").match(/dashboard (http:\/\/\S+)/);
            if (line === null) return;
            const res = await fetch(`${line[1]}/api/symbols`).catch(() => undefined);
            const body = res === undefined ? "" : await res.text();
            if (body.includes("AAPL")) {
              clearInterval(poll);
              stop();
            }
          }, 50);
        },
      );
      expect(summary.symbols).toEqual(["AAPL"]);
      expect(notes.join(""), "the dashboard's address").toMatch(
        /dashboard http:\/\/127\.0\.0\.1:\d+/,
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it("--feed binance --ws-url --rest-url runs against any Binance-speaking server (here the fake)", async () => {
    const exchange = new FakeBinance({ clock: systemClock });
    await exchange.start();
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
      const summary = await runLive(
        {
          feed: "binance",
          symbols: "btcusdt,ethusdt",
          wsUrl: exchange.wsUrl,
          restUrl: exchange.restUrl,
          db: join(dir, "binance.duckdb"),
        },
        (stop) => {
          const poll = setInterval(() => {
            if (exchange.subscribed().length < 2) return;
            clearInterval(poll);
            exchange.emitBar("BTCUSDT", {
              time: minute,
              open: 1,
              high: 2,
              low: 1,
              close: 2,
              volume: 3,
            });
            exchange.emitBar("ETHUSDT", {
              time: minute,
              open: 5,
              high: 6,
              low: 4,
              close: 5,
              volume: 1,
            });
            setTimeout(stop, 300);
          }, 20);
        },
      );
      expect(summary).toMatchObject({
        feed: "binance",
        symbols: ["BTCUSDT", "ETHUSDT"],
        bars: 2,
        stored: 2,
        reconnects: 0,
      });
    } finally {
      stderr.mockRestore();
      await exchange.stop();
    }
  });
});
