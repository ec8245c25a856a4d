import { describe, expect, it } from "vitest";
import { xnysCalendar } from "../calendar/xnys.js";
import { corporateFixtureStore, fixtureBars } from "../history/corporate/corporate.test-helpers.js";
import { abcClose, LEAN_SESSIONS } from "../history/corporate/lean-layout.test-helpers.js";
import { type CorporateActionEvent, SessionData } from "../store/public.js";
import { ReplayController } from "./replay-controller.js";

const FROM = LEAN_SESSIONS[0]!;
const TO = LEAN_SESSIONS[4]!;

async function serverReplay(adjust: "raw" | "split" | undefined, perStart?: "raw" | "split") {
  const barStore = await corporateFixtureStore();
  const sd = new SessionData({ calendar: xnysCalendar, historySessions: 10 });
  const events: CorporateActionEvent[] = [];
  sd.subscribe((e) => {
    if (e.type === "corporateAction") events.push(e);
  });
  const replay = new ReplayController({
    sessionData: sd,
    barStore,
    calendar: xnysCalendar,
    upkeep: false,
    ...(adjust === undefined ? {} : { adjust }),
  });
  await replay.start({
    symbols: ["ABC"],
    from: FROM,
    to: TO,
    ...(perStart === undefined ? {} : { adjust: perStart }),
  });
  await replay.settled();
  const closes = [...sd.getHistoricalBars("ABC", 1000), ...sd.getBarsSince("ABC", 0)].map(
    (b) => b.close,
  );
  return { closes, events };
}

describe("the dashboard's replays and corporate actions (serve --adjust)", () => {
  it("replays split-adjusted by default, like sessiondata backtest, and tells the store of the split", async () => {
    const { closes, events } = await serverReplay(undefined);
    const raw = fixtureBars(abcClose).map((b) => b.close);
    expect(closes, "bars before the 2-for-1 split halved, the last session raw").toEqual(
      raw.map((c, k) => (k < 15 ? c * 0.5 : c)),
    );
    expect(events.map((e) => e.date)).toEqual(["2024-06-07", "2024-06-10"]);
  });

  it("keeps raw prices with adjust raw (the controller's default or one start's choice)", async () => {
    const raw = fixtureBars(abcClose).map((b) => b.close);
    expect((await serverReplay("raw")).closes).toEqual(raw);
    expect((await serverReplay("split", "raw")).closes, "a start's adjust overrides").toEqual(raw);
  });
});
