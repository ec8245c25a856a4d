/**
 * Corporate actions in a replay: the adjusted view the coordinator scans (and gap repair
 * refills from), and the session-start hook that tells the session store each symbol's factors
 * and the splits and dividends taking effect (its `corporateAction` event).
 */
import type { TradingCalendar } from "../calendar/trading-calendar.js";
import {
  AdjustedBarStore,
  type AdjustMode,
  actionBetween,
  type BarStore,
  type FactorRow,
} from "../history/public.js";
import type { SessionData } from "../store/public.js";
import type { BacktestStreamCoordinator } from "../stream/public.js";

/**
 * The view a replay of `from`..`to` in mode `adjust` reads: prices relative to the range's last
 * session (whose bars keep their raw prices).
 */
export function replayView(
  barStore: BarStore,
  calendar: TradingCalendar,
  adjust: AdjustMode,
  from: string,
  to: string,
): AdjustedBarStore {
  let asOf: string | undefined;
  try {
    asOf = calendar.sessionsBetween(from, to).at(-1);
  } catch {
    // A bad range: the coordinator refuses it with the better message.
  }
  return new AdjustedBarStore({
    barStore,
    calendar,
    adjust,
    ...(asOf === undefined ? {} : { asOf }),
  });
}

/**
 * At each session start of `replay`, sets every replayed symbol's factors in `sessionData` and,
 * where they changed since the symbol's previous session (the calendar's, at the first), records
 * the split or dividend with `applyCorporateAction`: `rescale` is the split ratio in raw mode (the
 * analysis engine rescales indicator state by it) and 1 in the adjusted modes. Returns the
 * function that stops following.
 */
export function followCorporateActions(
  replay: BacktestStreamCoordinator,
  view: AdjustedBarStore,
  sessionData: SessionData,
  calendar: TradingCalendar,
): () => void {
  return replay.on("sessionStart", ({ date }) => {
    for (const symbol of view.scannedSymbols) {
      const now = view.factorsOn(symbol, date);
      if (now === undefined) continue;
      const known = sessionData.getCorporateFactor(symbol);
      let before: FactorRow | undefined;
      if (known !== undefined) before = view.factorsOn(symbol, known.date);
      else {
        try {
          before = view.factorsOn(symbol, calendar.previousSession(date));
        } catch {
          before = undefined;
        }
      }
      const factor = {
        symbol,
        date,
        splitFactor: now.splitFactor,
        priceFactor: now.priceFactor,
        priceScale: view.priceScaleOn(symbol, date) ?? 1,
      };
      const action = before === undefined ? undefined : actionBetween(before, now);
      if (action === undefined) {
        sessionData.setCorporateFactor(factor);
        continue;
      }
      const rescale = view.adjust === "raw" ? action.ratio : 1;
      sessionData.applyCorporateAction({ symbol, date, ...action, rescale }, factor);
    }
  });
}
