import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, type Page, chromium as playwrightChromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHROMIUM_PATH, chromium, requiring } from "../../test/requirements.js";
import { xnysCalendar } from "../calendar/public.js";
import { fixtureBars } from "../history/corporate/corporate.test-helpers.js";
import { corporateActionsOf } from "../history/corporate/corporate-action-store.js";
import { parseFactorFile } from "../history/corporate/factor-file.js";
import {
  ABC_FACTOR_FILE,
  abcClose,
  BARS_PER_SESSION,
} from "../history/corporate/lean-layout.test-helpers.js";
import { SessionData } from "../store/public.js";
import { createServer, type ServerStatus, type SessiondataServer } from "./server.js";
import { sampleStore } from "./server.test-helpers.js";

const FROM = "2024-06-05";
const DAY = "2024-06-11";
const OPEN = xnysCalendar.session(DAY)!.open;
const ARTIFACTS = resolve(process.cwd(), "test-results");
/** AAA lacks minutes 60..64 of every session; the live session reported 30 and 62 late. */
const LATE_PRESENT = OPEN + 30 * 60_000;
const LATE_MISSING = OPEN + 62 * 60_000;

requiring(chromium()).describe("dashboard marks late bars, gaps at 1D and adjusted prices", () => {
  let server: SessiondataServer;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    const store = await sampleStore({
      symbols: ["AAA", "BBB"],
      from: FROM,
      to: DAY,
      holes: [["AAA", 60, 5]],
    });
    // ABC: a dividend (ex 2024-06-07) and a 2-for-1 split (ex 2024-06-10), five bars a session.
    await store.writeBars("ABC", fixtureBars(abcClose));
    await corporateActionsOf(store)!.writeCorporateActions({
      factorFiles: new Map([["ABC", parseFactorFile(ABC_FACTOR_FILE, "abc.csv")]]),
      mapFiles: new Map(),
    });
    // A live session's status as `liveStatusSource` gives it: AAA's two late minutes today.
    const status: ServerStatus = { state: "live", feed: "test", lateBars: 2 };
    server = createServer({
      sessionData: new SessionData({ calendar: xnysCalendar }),
      barStore: store,
      status: {
        current: () => status,
        subscribe: () => () => undefined,
        lateMinutes: (symbol, from, to) =>
          symbol === "AAA" ? [LATE_PRESENT, LATE_MISSING].filter((m) => m >= from && m < to) : [],
      },
    });
    ({ url } = await server.listen(0, "127.0.0.1"));
    browser = await playwrightChromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
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
  const markers = (page: Page) =>
    page.evaluate<{ time: number; shape: string; text: string }[]>(
      "window.__dashboard.chart.markers.map(({ time, shape, text }) => ({ time, shape, text }))",
    );
  const gapCount = (page: Page) => page.evaluate<number>("window.__dashboard.chart.gapCount");

  it("marks a late bar with its own marker; a late minute whose bar never came is a gap", async () => {
    const day = (await (await fetch(`${url}/api/history/symbols/AAA/day?date=${DAY}`)).json()) as {
      marked: { late: number[] };
    };
    expect(day.marked.late, "the day route carries the live session's late minutes").toEqual([
      LATE_PRESENT,
      LATE_MISSING,
    ]);
    const { page, problems } = await open(`/?symbol=AAA&date=${DAY}&tf=1m`);
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBe(385);
    await expect
      .poll(() => markers(page))
      .toEqual([
        { time: LATE_PRESENT / 1000 + wallOffset(LATE_PRESENT), shape: "circle", text: "late" },
      ]);
    expect(await gapCount(page), "the five missing minutes, the late one among them").toBe(5);
    expect(await page.locator("#day dd[data-k=late]").textContent()).toBe("2");
    await page.screenshot({ path: resolve(ARTIFACTS, "dashboard-late.png"), fullPage: true });
    await page.selectOption("#timeframe", "5m");
    await expect.poll(() => bars(page)).toBe(77);
    expect((await markers(page)).map((m) => m.text)).toEqual(["late"]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shades a day with gaps at 1D and counts its late bars on the day's bar", async () => {
    const { page, problems } = await open(`/?symbol=AAA&date=${DAY}&tf=1D`);
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => gapCount(page), { message: "AAA's day has gaps" }).toBe(1);
    expect((await markers(page)).map((m) => `${m.shape} ${m.text}`)).toEqual(["circle 2 late"]);
    await page.screenshot({ path: resolve(ARTIFACTS, "dashboard-1d-gap.png"), fullPage: true });
    await page.fill("#symbol-pick", "BBB");
    await page.dispatchEvent("#symbol-pick", "change");
    await expect.poll(() => page.evaluate<string>("window.__dashboard.state.symbol")).toBe("BBB");
    await expect.poll(() => bars(page)).toBe(1);
    await expect.poll(() => gapCount(page), { message: "BBB's day is complete" }).toBe(0);
    expect(await markers(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("offers split and total for a symbol with corporate actions, and draws adjusted prices", async () => {
    const { page, problems } = await open(`/?symbol=ABC&date=${FROM}&tf=1m`);
    await expect.poll(() => bars(page), { timeout: 15_000 }).toBe(BARS_PER_SESSION);
    expect(await page.locator("#adjust").isDisabled(), "ABC has a factor file").toBe(false);
    const closes = () => page.evaluate<number[]>("window.__dashboard.bars.map((b) => b.close)");
    const raw = Array.from({ length: BARS_PER_SESSION }, (_, i) => abcClose(0, i));
    expect(await closes()).toEqual(raw);
    await page.selectOption("#adjust", "split");
    await expect.poll(closes).toEqual(raw.map((c) => c / 2));
    expect(new URL(page.url()).search).toBe(`?symbol=ABC&date=${FROM}&tf=1m&adjust=split`);
    await page.selectOption("#adjust", "total");
    await expect.poll(async () => (await closes())[0]).toBeCloseTo((raw[0]! / 2) * 0.995, 9);
    await page.screenshot({ path: resolve(ARTIFACTS, "dashboard-adjust.png"), fullPage: true });
    // A symbol without corporate actions: raw only, the picker disabled.
    await page.fill("#symbol-pick", "BBB");
    await page.dispatchEvent("#symbol-pick", "change");
    await expect.poll(() => page.locator("#adjust").isDisabled()).toBe(true);
    expect(await page.locator("#adjust").inputValue()).toBe("raw");
    // Back restores the adjusted view.
    await page.goBack();
    await expect.poll(() => page.locator("#adjust").inputValue()).toBe("total");
    await expect.poll(async () => (await closes())[0]).toBeCloseTo((raw[0]! / 2) * 0.995, 9);
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** Chart times are wall-clock seconds of the exchange's zone (see util.js `wallSeconds`). */
function wallOffset(t: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York",
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(t));
  const get = (k: string) => Number(parts.find((p) => p.type === k)!.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return (wall - t) / 1000;
}
