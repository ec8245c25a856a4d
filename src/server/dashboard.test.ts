import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium as playwrightChromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHROMIUM_PATH, chromium, requiring } from "../../test/requirements.js";
import { AnalysisEngine } from "../analysis/public.js";
import { xnysCalendar } from "../calendar/public.js";
import { SessionData } from "../store/public.js";
import type { UpkeepEvent } from "../upkeep/public.js";
import { createServer, type SessiondataServer } from "./server.js";
import { sampleStore } from "./server.test-helpers.js";

/**
 * Counts chart pixels in the candle colours (#26a69a up, #ef5350 down). A string, evaluated in
 * the page, because this project compiles without the DOM's types.
 */
const COUNT_CANDLE_PIXELS = `(() => {
  let up = 0;
  let down = 0;
  for (const canvas of document.querySelectorAll("#chart canvas")) {
    const ctx = canvas.getContext("2d");
    if (ctx === null || canvas.width === 0 || canvas.height === 0) continue;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i], g = data[i + 1], b = data[i + 2];
      if (Math.abs(r - 0x26) < 12 && Math.abs(g - 0xa6) < 12 && Math.abs(b - 0x9a) < 12) up++;
      if (Math.abs(r - 0xef) < 12 && Math.abs(g - 0x53) < 12 && Math.abs(b - 0x50) < 12) down++;
    }
  }
  return { up, down };
})()`;

const CHROMIUM = CHROMIUM_PATH;

const DAY = "2024-01-03";
const OPEN = xnysCalendar.session(DAY)!.open;
const ARTIFACTS = resolve(process.cwd(), "test-artifacts");

requiring(chromium()).describe("dashboard in Chromium", () => {
  let server: SessiondataServer;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    // DDD lacks 12 minutes the bar store does not have either: upkeep reports an unfillable gap.
    const store = await sampleStore({
      symbols: ["AAA", "BBB", "CCC", "DDD", "EEE"],
      from: DAY,
      to: DAY,
      holes: [["DDD", 60, 12]],
    });
    const sessionData = new SessionData({ calendar: xnysCalendar });
    const analysis = new AnalysisEngine({
      sessionData,
      indicators: ["sma:50", "ema:20", "rsi:14"],
    });
    server = createServer({ sessionData, barStore: store, analysis });
    ({ url } = await server.listen(0, "127.0.0.1"));
    browser = await playwrightChromium.launch({
      executablePath: CHROMIUM,
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
    await server?.close();
  });

  it("replays, draws candles and lists the injected gap", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const frames: Record<string, number> = {};
    page.on("websocket", (ws) =>
      ws.on("framereceived", (f) => {
        const type = (JSON.parse(String(f.payload)) as { type: string }).type;
        frames[type] = (frames[type] ?? 0) + 1;
      }),
    );
    await page.goto(url);
    await page.locator("#conn.on").waitFor({ timeout: 10_000 });

    await page.selectOption("#speed", "max");
    await page.click("#btn-start");
    await page.locator("#replay-state", { hasText: "finished" }).waitFor({ timeout: 20_000 });

    // Every symbol is listed, with a price and quality; the one with the hole below 100 %.
    await expect.poll(() => page.locator("#symbols tbody tr").count(), { timeout: 10_000 }).toBe(5);
    const ddd = page.locator('#symbols tr[data-symbol="DDD"] td');
    await expect
      .poll(() => ddd.nth(3).textContent(), { timeout: 10_000 })
      .toBe(`${((378 / 390) * 100).toFixed(1)}%`);

    // The chart of the first symbol holds the whole session, up to its last minute.
    await expect
      .poll(() => page.evaluate<number>("window.__dashboard.bars.length"), {
        timeout: 10_000,
      })
      .toBe(390);
    const lastTime = await page.evaluate<number>("window.__dashboard.bars.at(-1).time");
    expect(lastTime).toBe(OPEN + 389 * 60_000);

    // The analysis line shows the engine's result for the chosen symbol.
    await expect
      .poll(() => page.locator("#analysis").textContent(), { timeout: 10_000 })
      .toMatch(/trend (bullish|bearish|neutral).*sma50 \d/);

    // The overlays are the engine's SMA 50 and EMA 20, as the analysis line names them.
    expect(await page.locator("#legend-sma").textContent()).toBe("SMA 50");
    expect(await page.locator("#legend-ema").textContent()).toBe("EMA 20");

    // A whole session is not shown as its last quarter hour of very wide candles.
    const visible = await page.evaluate<number>("window.__dashboard.visibleBars");
    expect(visible, "bars across the chart's width").toBeGreaterThanOrEqual(100);

    // Candles are drawn: the chart's canvases hold many pixels in the up and down colours.
    await page.waitForTimeout(300);
    const painted = await page.evaluate<{ up: number; down: number }>(COUNT_CANDLE_PIXELS);
    expect(painted.up, "pixels of rising candles").toBeGreaterThan(200);
    expect(painted.down, "pixels of falling candles").toBeGreaterThan(200);

    // The quality view lists DDD's gap: 12 minutes from 15:30 UTC, given up.
    const row = page.locator("#gaps tbody tr", { hasText: "DDD" });
    await row.first().waitFor({ timeout: 10_000 });
    const cells = await row.first().locator("td").allTextContents();
    expect(cells.slice(0, 4)).toEqual(["DDD", DAY, "10:30–10:42", "12"]);
    expect(cells[4]).toBe("unfillable");
    expect(await page.locator("#gap-counts").textContent()).toBe(
      "1 gap: 0 filled · 1 unfillable · 0 pending",
    );

    // DDD's quality changes every minute after its gap: the page gets that from the coalesced
    // updates, not as one message per event.
    expect(frames.quality, "per-event quality messages").toBeUndefined();
    expect(frames.update, "coalesced updates arrived").toBeGreaterThan(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, "dashboard.png") });

    // The symbol a trader picked stays on the chart through the next replay.
    await page.click('#symbols tr[data-symbol="CCC"]');
    await expect.poll(() => page.evaluate<string>("window.__dashboard.selected")).toBe("CCC");
    const started = page.waitForResponse(
      (r) => r.url().endsWith("/api/replay") && r.request().method() === "POST",
    );
    await page.click("#btn-start");
    expect((await started).status(), "a second replay started").toBe(202);
    await server.replay.settled();
    await page.locator("#replay-state", { hasText: "finished" }).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.evaluate<number>("window.__dashboard.bars.length"), { timeout: 10_000 })
      .toBe(390);
    expect(await page.evaluate<string>("window.__dashboard.selected")).toBe("CCC");
    expect(await page.locator("#chart-title").textContent()).toBe("CCC");
    expect(errors, "no script errors on the page").toEqual([]);
  });

  it("re-reads the gaps when they change during a read, so the view never stays stale", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const subscribed = new Promise<void>((resolve) =>
      page.on("websocket", (ws) =>
        ws.on("framereceived", (f) => {
          if (String(f.payload).includes('"type":"subscribed"')) resolve();
        }),
      ),
    );
    await page.goto(url);
    await subscribed;
    // The first read of /api/gaps after the gap is detected is held until the gap has been
    // filled: the page's answer is stale when it arrives, and the page must notice and re-read.
    // No timing: the test waits for the read to be out, then changes the data under it.
    let release = (): void => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let readOut = (): void => undefined;
    const inFlight = new Promise<void>((r) => {
      readOut = r;
    });
    let holding = false;
    await page.route("**/api/gaps*", async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { gaps: { symbol: string }[] };
      if (!holding && body.gaps.some((g) => g.symbol === "EEE")) {
        holding = true;
        readOut();
        await held;
      }
      await route.fulfill({ response });
    });
    const gap = { symbol: "EEE", start: OPEN + 200 * 60_000, end: OPEN + 201 * 60_000, count: 1 };
    const publish = (event: UpkeepEvent): void => {
      server.gaps.apply(event);
      const { gap: g, ...rest } = event as Extract<UpkeepEvent, { gap: unknown }>;
      server.hub.publishQuality({ ...rest, symbol: g.symbol, start: g.start, end: g.end });
    };
    publish({ type: "gapDetected", gap, sessionDate: DAY });
    await inFlight;
    publish({ type: "gapFilled", gap, sessionDate: DAY, attempts: 1 });
    release();
    const status = page.locator("#gaps tbody tr", { hasText: "EEE" }).first().locator("td").nth(4);
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe("filled");
    await page.close();
  });
});
