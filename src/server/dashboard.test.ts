import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, type Page, chromium as playwrightChromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  CHROMIUM_PATH,
  chromium,
  requiring,
  sharedData,
  sharedDataPath,
} from "../../test/requirements.js";
import { AnalysisEngine } from "../analysis/public.js";
import { xnysCalendar } from "../calendar/public.js";
import type { Bar } from "../domain/bar.js";
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

const FROM = "2024-01-02";
const DAY = "2024-01-10";
const OPEN = xnysCalendar.session(DAY)!.open;
const ARTIFACTS = resolve(process.cwd(), "test-results");
const FX = "bars/gbpusd-m1-bid-2012.csv";

/** GBP/USD bid minutes of February 2012 (real data with real missing minutes). */
function gbpusd(): Bar[] {
  const lines = readFileSync(sharedDataPath(FX), "utf8").trim().split("\n").slice(1);
  return lines.map((line) => {
    const [ts, o, h, l, c] = line.split(",");
    return {
      time: Date.parse(ts!.replace(" ", "T")),
      open: Number(o),
      high: Number(h),
      low: Number(l),
      close: Number(c),
      volume: 0,
    };
  });
}

requiring(chromium(), sharedData(FX)).describe("dashboard in Chromium", () => {
  let server: SessiondataServer;
  let url: string;
  let browser: Browser;
  /** The GBP/USD session with the most missing minutes, and how many. */
  let fxDay: { date: string; missing: number };

  beforeAll(async () => {
    // DDD lacks 12 minutes every day from 10:30 (minute 60), which the store lacks as well.
    const store = await sampleStore({
      symbols: ["AAA", "BBB", "CCC", "DDD", "EEE"],
      from: FROM,
      to: DAY,
      holes: [["DDD", 60, 12]],
    });
    const fx = gbpusd();
    await store.writeBars("GBPUSD", fx);
    await store.setSymbolInfo({
      symbol: "GBPUSD",
      calendar: "24/5",
      timeZone: "America/New_York",
      priceDecimals: 5,
    });
    const { calendarByName } = await import("../calendar/public.js");
    const cal = calendarByName("24/5");
    const have = new Set(fx.map((b) => b.time));
    fxDay = { date: "", missing: -1 };
    for (const date of cal.sessionsBetween("2012-02-02", "2012-02-28")) {
      const s = cal.session(date)!;
      let missing = 0;
      for (let t = s.open; t < s.close; t += 60_000) if (!have.has(t)) missing++;
      if (missing > fxDay.missing && missing < 200) fxDay = { date, missing };
    }
    const sessionData = new SessionData({ calendar: xnysCalendar });
    const analysis = new AnalysisEngine({
      sessionData,
      indicators: ["sma:50", "ema:20", "rsi:14", "macd"],
    });
    server = createServer({ sessionData, barStore: store, analysis });
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
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page that records script errors, console errors and failed responses. */
  async function open(path = "/"): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(url + path);
    return { page, problems };
  }

  const bars = (page: Page) => page.evaluate<number>("window.__dashboard.bars.length");
  const state = (page: Page) =>
    page.evaluate<{ symbol: string; date: string; tf: string }>("window.__dashboard.state");

  it("shows the latest session of the first symbol on load, with no button to press", async () => {
    const { page, problems } = await open();
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBe(390);
    expect(await state(page)).toEqual({ symbol: "AAA", date: DAY, tf: "1m", adjust: "raw" });
    expect(new URL(page.url()).search).toBe(`?symbol=AAA&date=${DAY}&tf=1m`);
    const legend = await page.locator("#legend .item").allTextContents();
    expect(legend, "legend names are the series the engine computed").toEqual([
      "SMA 50",
      "EMA 20",
      "RSI 14",
      "MACD 12/26/9",
    ]);
    await page.waitForTimeout(200);
    const painted = await page.evaluate<{ up: number; down: number }>(COUNT_CANDLE_PIXELS);
    expect(painted.up, "pixels of rising candles").toBeGreaterThan(200);
    expect(painted.down, "pixels of falling candles").toBeGreaterThan(200);
    expect(await page.locator("#day dd[data-k=quality]").textContent()).toBe("100.0%");
    await page.screenshot({ path: resolve(ARTIFACTS, "dashboard-load.png"), fullPage: true });
    expect(problems, "no script errors, console errors or 404s").toEqual([]);
    await page.close();
  });

  it("picks a symbol and a trading day, switches timeframe, and back/forward restore each view", async () => {
    const { page, problems } = await open();
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBe(390);
    await page.fill("#symbol-pick", "DDD");
    await page.dispatchEvent("#symbol-pick", "change");
    await expect.poll(() => bars(page), { timeout: 10_000 }).toBe(378);
    expect(
      await page.evaluate<number>("window.__dashboard.chart.gapCount"),
      "DDD's 12 missing minutes are shaded",
    ).toBe(12);
    expect(await page.locator("#day-gaps li").allTextContents()).toEqual(["10:30–10:42 (12 min)"]);
    // A Saturday snaps to the trading day before it.
    await page.fill("#date-pick", "2024-01-06");
    await page.dispatchEvent("#date-pick", "change");
    await expect
      .poll(() => state(page))
      .toEqual({ symbol: "DDD", date: "2024-01-05", tf: "1m", adjust: "raw" });
    await page.selectOption("#timeframe", "5m");
    await expect.poll(() => bars(page), { timeout: 10_000 }).toBe(76); // 78 less the two 5-minute buckets wholly inside the hole
    expect(new URL(page.url()).search).toBe("?symbol=DDD&date=2024-01-05&tf=5m");
    await page.selectOption("#timeframe", "1D");
    await expect.poll(() => bars(page), { timeout: 10_000 }).toBe(1);
    await page.goBack();
    await expect
      .poll(() => state(page))
      .toEqual({ symbol: "DDD", date: "2024-01-05", tf: "5m", adjust: "raw" });
    await expect.poll(() => bars(page)).toBe(76);
    await page.goBack();
    await page.goBack();
    await expect
      .poll(() => state(page))
      .toEqual({ symbol: "DDD", date: DAY, tf: "1m", adjust: "raw" });
    await page.goForward();
    await expect
      .poll(() => state(page))
      .toEqual({ symbol: "DDD", date: "2024-01-05", tf: "1m", adjust: "raw" });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("reads OHLCV at the symbol's precision and the engine's indicators under the crosshair", async () => {
    const { page, problems } = await open(`/?symbol=GBPUSD&date=${fxDay.date}&tf=1m`);
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBeGreaterThan(1000);
    const at = 600;
    const { x, y } = await page.evaluate<{ x: number; y: number }>(
      `window.__dashboard.chart.coordinateOf(${at})`,
    );
    const box = (await page.locator("#chart").boundingBox())!;
    await page.mouse.move(box.x + x, box.y + y);
    const bar = await page.evaluate<Bar>(`window.__dashboard.bars[${at}]`);
    await expect
      .poll(() => page.locator("#readout [data-f=close]").textContent())
      .toBe(bar.close.toFixed(5));
    const text = (await page.locator("#readout").textContent())!;
    // The exchange's zone: 24/5 sessions are labelled in New York time.
    const ny = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "America/New_York",
      dateStyle: "short",
      timeStyle: "short",
    }).format(new Date(bar.time));
    expect(text.startsWith(ny), `"${text}" starts with ${ny}`).toBe(true);
    const values = await page.evaluate<Record<string, unknown[]>>(
      "window.__dashboard.chart.values",
    );
    expect(await page.locator("#readout [data-f=rsi14]").textContent()).toBe(
      (values.rsi14![at] as number).toFixed(1),
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shades a real gap of the data (GBP/USD, February 2012) and counts it in the day panel", async () => {
    const { page, problems } = await open(`/?symbol=GBPUSD&date=${fxDay.date}&tf=1m`);
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBe(1440 - fxDay.missing);
    expect(fxDay.missing, "the file has missing minutes that day").toBeGreaterThan(0);
    expect(await page.evaluate<number>("window.__dashboard.chart.gapCount")).toBe(fxDay.missing);
    const bars1440 = await page.locator("#day dd[data-k=bars]").textContent();
    expect(bars1440).toBe(`${1440 - fxDay.missing} of 1440`);
    await page.screenshot({ path: resolve(ARTIFACTS, "dashboard-real-gap.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws the quality heatmap; a cell links to its day", async () => {
    const { page, problems } = await open();
    await expect
      .poll(() => page.evaluate<number>("window.__dashboard.heatmap.data?.symbols.length ?? 0"), {
        timeout: 15_000,
      })
      .toBe(6);
    const cell = await page.evaluate<{ x: number; y: number; quality: number }>(
      `window.__dashboard.heatmap.cell("DDD", "2024-01-08")`,
    );
    expect(cell.quality).toBe(Math.round((378 / 390) * 1000) / 10);
    const box = (await page.locator("#heatmap").boundingBox())!;
    await page.mouse.click(box.x + cell.x, box.y + cell.y);
    await expect
      .poll(() => state(page))
      .toEqual({ symbol: "DDD", date: "2024-01-08", tf: "1m", adjust: "raw" });
    await expect.poll(() => bars(page)).toBe(378);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("follows a replayed session bar by bar, and does not yank a user who scrolled back", async () => {
    const { page, problems } = await open(`/?symbol=AAA&date=${DAY}&tf=1m`);
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBe(390);
    await page.selectOption("#speed", "600"); // 10 bars a second
    await page.click("#btn-start");
    await expect
      .poll(() => page.evaluate<boolean>("window.__dashboard.chart.view?.live === true"), {
        timeout: 10_000,
      })
      .toBe(true);
    await expect.poll(() => bars(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(30);
    await expect(page.locator("#conn").textContent()).resolves.toBe("live");
    const times = await page.evaluate<number[]>("window.__dashboard.bars.map((b) => b.time)");
    expect(times.slice(0, 30), "the session's minutes, in order").toEqual(
      Array.from({ length: 30 }, (_, i) => OPEN + i * 60_000),
    );
    await page.evaluate("window.__dashboard.chart.scrollBack(20)");
    const before = await page.evaluate<number>("window.__dashboard.chart.scrollPosition");
    const n = await bars(page);
    await expect.poll(() => bars(page), { timeout: 10_000 }).toBeGreaterThan(n + 5);
    const after = await page.evaluate<number>("window.__dashboard.chart.scrollPosition");
    expect(after, "scrolled back: the view stays where the user put it").toBeLessThan(before + 1);
    expect(after).toBeLessThan(-5);
    server.replay.stop();
    await server.replay.settled();
    await page.screenshot({ path: resolve(ARTIFACTS, "dashboard-follow.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
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
