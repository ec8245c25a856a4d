import { type Browser, chromium as playwrightChromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHROMIUM_PATH, chromium, requiring } from "../../test/requirements.js";
import { AnalysisEngine } from "../analysis/public.js";
import { xnysCalendar } from "../calendar/public.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { type SimFeed, startSimFeed } from "../live/sim/sim-exchange.js";
import { createServer, type SessiondataServer } from "../server/server.js";
import { sampleStore } from "../server/server.test-helpers.js";
import { SessionData } from "../store/public.js";
import { LiveSession } from "./live-session.js";
import { liveStatusSource } from "./live-status.js";

const SYMBOLS = ["AAA", "BBB", "CCC"];

requiring(chromium()).describe(
  "the dashboard follows a live session (sim feed) in Chromium",
  () => {
    let server: SessiondataServer;
    let url: string;
    let browser: Browser;
    let sim: SimFeed;
    let session: LiveSession;

    beforeAll(async () => {
      const store = await sampleStore({ symbols: SYMBOLS, from: "2024-01-02", to: "2024-01-03" });
      const sessionData = new SessionData({ calendar: xnysCalendar });
      const analysis = new AnalysisEngine({ sessionData, indicators: ["sma:50", "ema:20"] });
      // 300x: five session minutes a second.
      sim = await startSimFeed({
        barStore: store,
        symbols: SYMBOLS,
        calendar: xnysCalendar,
        speed: 300,
      });
      session = new LiveSession({
        feed: sim.feed,
        clock: sim.clock,
        sessionData,
        barStore: new MemoryBarStore(),
        warmFrom: store,
        symbols: SYMBOLS,
        lateAfterMs: 150_000,
      });
      server = createServer({
        sessionData,
        barStore: store,
        analysis,
        upkeep: false,
        status: liveStatusSource(sim.feed, session),
      });
      ({ url } = await server.listen(0, "127.0.0.1"));
      browser = await playwrightChromium.launch({
        executablePath: CHROMIUM_PATH,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await session?.stop();
      await sim?.close();
      await server?.close();
    });

    it("shows the live bars as they arrive, without a replay", async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(url);
      await session.start();
      // The header follows the feed's status (live once connected and subscribed).
      await page.locator("#conn.on").waitFor({ timeout: 10_000 });
      await expect
        .poll(() => page.locator("#symbols tbody tr").count(), { timeout: 10_000 })
        .toBe(SYMBOLS.length);
      const open = xnysCalendar.session(sim.date)!.open;
      const last = (): Promise<number> =>
        page.evaluate<number>("window.__dashboard.bars.at(-1)?.time ?? 0");
      await expect
        .poll(last, { timeout: 15_000, message: "the chart reaches the live session" })
        .toBeGreaterThanOrEqual(open);
      const seen = await last();
      await expect
        .poll(last, { timeout: 15_000, message: "and moves on with it" })
        .toBeGreaterThanOrEqual(seen + 3 * 60_000);
      expect(await page.locator("#replay-state").textContent(), "no replay involved").toBe("idle");
      expect(errors, "no page errors").toEqual([]);
      expect(session.counts().bars, "the feed delivered bars").toBeGreaterThan(0);
    });
  },
);
