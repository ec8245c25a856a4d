import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import { MINUTE_MS } from "../domain/bar.js";
import { MemoryBarStore } from "../history/memory-bar-store.js";
import { calendarsLine, planByCalendar } from "./backtest-plan.js";

async function store(): Promise<MemoryBarStore> {
  const s = new MemoryBarStore();
  const open = xnysCalendar.session("2024-01-08")!.open;
  const bar = { time: open, open: 1, high: 1, low: 1, close: 1, volume: 1 };
  for (const symbol of ["AAPL", "BTCUSDT", "MSFT"]) {
    await s.writeBars(symbol, [bar, { ...bar, time: open + 3 * 86_400_000 + MINUTE_MS }]);
  }
  await s.setSymbolInfo({ symbol: "BTCUSDT", calendar: "24/7", timeZone: "UTC", priceDecimals: 2 });
  await s.setSymbolInfo({
    symbol: "AAPL",
    calendar: "XNYS",
    timeZone: "America/New_York",
    priceDecimals: 2,
  });
  return s;
}

describe("planByCalendar", () => {
  it("groups symbols by stored calendar (XNYS without a row), each with its stored range", async () => {
    const plans = await planByCalendar(await store(), ["AAPL", "BTCUSDT", "MSFT"], {});
    expect(
      plans.map((p) => `${p.calendar.name} ${p.symbols.join(",")} ${p.from}..${p.to}`),
    ).toEqual(["XNYS AAPL,MSFT 2024-01-08..2024-01-11", "24/7 BTCUSDT 2024-01-08..2024-01-11"]);
    expect(calendarsLine(plans)).toBe("calendars: XNYS (AAPL, MSFT), 24/7 (BTCUSDT)");
  });

  it("puts every symbol on --calendar, and leaves out a calendar without a session in the range", async () => {
    const one = await planByCalendar(await store(), ["AAPL", "BTCUSDT"], { calendar: "24/7" });
    expect(one.map((p) => p.symbols)).toEqual([["AAPL", "BTCUSDT"]]);
    expect(calendarsLine(one), "one calendar: no footer").toBe("");
    const weekend = await planByCalendar(await store(), ["AAPL", "BTCUSDT"], {
      from: "2024-01-13",
      to: "2024-01-14",
    });
    expect(
      weekend.map((p) => p.calendar.name),
      "XNYS has no session that weekend",
    ).toEqual(["24/7"]);
  });
});
