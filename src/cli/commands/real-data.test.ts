import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { requiring, sharedData, sharedDataPath } from "../../../test/requirements.js";
import { DuckDbBarStore, importFile } from "../../history/public.js";
import { runBacktest } from "./backtest.js";
import { runQuality } from "./quality.js";

const SIX_E = "bars/6EH4.XCME_1min_bars_20240101_20240131.csv";
const ADA = "bars/ADABTC-1m-2021-11-27.csv";
const GBP = "bars/gbpusd-m1-bid-2012.csv";

requiring(sharedData(SIX_E, ADA, GBP)).describe(
  "the stored calendar and precision on real data",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "sessiondata-real-cli-"));
    const futures = join(dir, "6e.duckdb");
    const mixed = join(dir, "mixed.duckdb");
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    beforeAll(async () => {
      const a = await DuckDbBarStore.open(futures);
      await importFile(a, sharedDataPath(SIX_E), { symbol: "6EH4", stamp: "end" });
      await a.close();
      const b = await DuckDbBarStore.open(mixed);
      await importFile(b, sharedDataPath(ADA));
      await importFile(b, sharedDataPath(GBP));
      await b.close();
    }, 60_000);

    const capture = () => {
      let out = "";
      return { write: (t: string) => void (out += t), text: () => out };
    };

    it("6E imported with --stamp end: quality --symbols 6EH4 reads 98.61 % on the GLBX calendar it was stored with", async () => {
      const out = capture();
      const result = await runQuality({ db: futures, symbols: "6eh4" }, out.write);
      expect(result.calendar, "detected at import, stored, used without --calendar").toBe("GLBX");
      expect(result.totals).toMatchObject({ sessions: 23, expected: 30_419, present: 29_996 });
      expect(result.totals.quality.toFixed(2)).toBe("98.61");
      expect(out.text()).toMatch(
        /GLBX 2024-01-02\.\.2024-02-01: 23 sessions, expected 30,419, present 29,996, .*quality 98\.61%/,
      );
      const mlk = result.sessions.find((r) => r.sessionDate === "2024-01-15")!;
      expect(mlk.quality.toFixed(2), "FX trades through MLK day at thin volume").toBe("91.45");
    });

    it("6E: the backtest's upkeep totals are quality's figure on the same data", async () => {
      const report = await runBacktest({ db: futures, symbols: "6EH4", json: true }, () => {});
      const upkeep = report.upkeep as Record<string, number>;
      expect({ expected: upkeep.expectedBars, present: upkeep.presentBars }).toEqual({
        expected: 30_419,
        present: 29_996,
      });
      expect(upkeep.finalQuality.toFixed(2)).toBe("98.61");
    }, 60_000);

    it("--calendar overrides the stored calendar", async () => {
      const result = await runQuality({ db: futures, calendar: "24/5", json: true }, () => {});
      expect(result.calendar).toBe("24/5");
      expect(result.totals.expected).not.toBe(30_419);
    });

    it("backtests ADABTC (24/7) and GBPUSD (24/5) each on its own calendar, prices at their decimals", async () => {
      const out = capture();
      const report = await runBacktest({ db: mixed, indicators: "sma:5" }, out.write);
      const text = out.text();
      expect(text, "one replay per stored calendar").toMatch(
        /calendars: 24\/7 \(ADABTC\), 24\/5 \(GBPUSD\)/,
      );
      const ada = text.split("\n").find((l) => l.startsWith("ADABTC"))!;
      const gbp = text.split("\n").find((l) => l.startsWith("GBPUSD"))!;
      expect(ada, "8 decimals as the klines carry them, not 0.00").toMatch(
        /^ADABTC\s+2021-11-27\s+0\.00002865\s/,
      );
      expect(gbp, "5 decimals, not 1.59").toMatch(/\s1\.59208\s/);
      expect(report.symbols.ADABTC!.metrics?.close, "JSON keeps the full double").toBe(0.00002865);
      expect(report.symbols.ADABTC!.metrics).toMatchObject({ barCount: 10, expectedBarCount: 10 });
      expect(
        (report.upkeep as Record<string, number>).barsMissing,
        "GBPUSD's real gaps only",
      ).toBeGreaterThan(0);
      const again = await runBacktest({ db: mixed, indicators: "sma:5", json: true }, () => {});
      const stable = (r: typeof report) => JSON.stringify({ ...r, wallMs: 0, barsPerSecond: 0 });
      expect(stable(again), "the merged report is deterministic").toBe(stable(report));
      const saturday = await runBacktest(
        { db: mixed, from: "2021-11-27", to: "2021-11-27", json: true },
        () => {},
      );
      expect(
        Object.keys(saturday.symbols),
        "a Saturday: no 24/5 session, so only the 24/7 symbol plays",
      ).toEqual(["ADABTC"]);
    }, 60_000);
  },
);
