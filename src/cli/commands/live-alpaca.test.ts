import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { MINUTE_MS } from "../../domain/bar.js";
import { FakeAlpaca } from "../../live/alpaca/fake-alpaca.js";
import { runLive } from "./live.js";

const dir = mkdtempSync(join(tmpdir(), "sessiondata-live-alpaca-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sessiondata live --feed alpaca", () => {
  it("runs a live session from a local Alpaca (keys from the environment) and reports the bars it stored", async () => {
    const exchange = new FakeAlpaca({ keyId: "PKCLITEST", secretKey: "cli-secret" });
    await exchange.start();
    const saved = [process.env.APCA_API_KEY_ID, process.env.APCA_API_SECRET_KEY];
    process.env.APCA_API_KEY_ID = "PKCLITEST";
    process.env.APCA_API_SECRET_KEY = "cli-secret";
    const notes: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      notes.push(String(chunk));
      return true;
    });
    try {
      const summary = await runLive(
        {
          feed: "alpaca",
          symbols: "aapl,MSFT",
          wsUrl: exchange.wsUrl,
          restUrl: exchange.restUrl,
          db: join(dir, "alpaca.duckdb"),
          calendar: "24/7",
          serve: true,
          port: "0",
        },
        (stop) => {
          let emitted = false;
          const poll = setInterval(async () => {
            if (!emitted && exchange.subscribed().length === 2) {
              emitted = true;
              const time = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
              exchange.batch(() => {
                exchange.emitBar("AAPL", {
                  time,
                  open: 10,
                  high: 11,
                  low: 9,
                  close: 10.5,
                  volume: 5,
                });
                exchange.emitBar("MSFT", {
                  time,
                  open: 20,
                  high: 21,
                  low: 19,
                  close: 20.5,
                  volume: 7,
                });
              });
            }
            const url = notes.join("").match(/dashboard (http:\/\/\S+)/)?.[1];
            if (!emitted || url === undefined) return;
            const res = await fetch(`${url}/api/symbols/MSFT/bars?n=1`).catch(() => undefined);
            const body = res === undefined ? "" : await res.text();
            if (body.includes("20.5")) {
              clearInterval(poll);
              stop();
            }
          }, 25);
        },
      );
      expect(summary.feed).toBe("alpaca");
      expect(summary.symbols).toEqual(["AAPL", "MSFT"]);
      expect(summary.bars, "one bar each").toBe(2);
      expect(summary.stored, "both persisted").toBe(2);
      expect(notes.join(""), "the secret is never written").not.toContain("cli-secret");
    } finally {
      stderr.mockRestore();
      process.env.APCA_API_KEY_ID = saved[0];
      process.env.APCA_API_SECRET_KEY = saved[1];
      if (saved[0] === undefined) delete process.env.APCA_API_KEY_ID;
      if (saved[1] === undefined) delete process.env.APCA_API_SECRET_KEY;
      await exchange.stop();
    }
  });
});
