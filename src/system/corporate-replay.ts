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
  checkAdjustMode,
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

/** Options of {@link corporateReplaySource}. */
export interface CorporateReplaySourceOptions {
  /** The store of raw bars (its factor and map files come with it: `corporateActionsOf`). */
  readonly barStore: BarStore;
  readonly calendar: TradingCalendar;
  /** `raw`, `split` (default) or `total`; anything else throws `InvalidArgumentError`. */
  readonly adjust?: AdjustMode | undefined;
  /** The replay's first and last session dates (the last keeps raw prices). */
  readonly from: string;
  readonly to: string;
}

/**
 * Corporate actions for a replay built outside `DataManager.createBacktest` (the server's
 * replay controller): pass `barStore` to the coordinator (and to gap repair as its source), then
 * `follow(replay, sessionData)` before `run()`, and the replay has what `createBacktest({ adjust })`
 * gives: adjusted bars, permanent tickers, factors in the session store, `corporateAction`
 * events and (raw mode) rescaled indicators.
 *
 * @example
 * ```ts
 * const source = corporateReplaySource({ barStore, calendar, adjust: "split", from, to });
 * const replay = new BacktestStreamCoordinator({ barStore: source.barStore, sessionData, calendar, from, to });
 * source.follow(replay, sessionData);
 * await replay.run();
 * ```
 */
export function corporateReplaySource(options: CorporateReplaySourceOptions): {
  readonly barStore: AdjustedBarStore;
  follow(replay: BacktestStreamCoordinator, sessionData: SessionData): () => void;
} {
  const { calendar } = options;
  const view = replayView(
    options.barStore,
    calendar,
    checkAdjustMode(options.adjust),
    options.from,
    options.to,
  );
  return {
    barStore: view,
    follow: (replay, sessionData) => followCorporateActions(replay, view, sessionData, calendar),
  };
}
