/**
 * How `sessiondata backtest` replays symbols of several calendars: one replay per calendar (each
 * symbol on the calendar stored with it, unless `--calendar` names one for all), one after
 * another over the same bar store, each with its own session store and analysis engine, and one
 * merged report (`mergeBacktestReports`).
 */

import type { TradingCalendar } from "../calendar/public.js";
import { calendarByName } from "../calendar/public.js";
import { InvalidArgumentError } from "../domain/errors.js";
import type { BarStore } from "../history/bar-store.js";
import type { AdjustMode } from "../history/public.js";
import { storedSessionRange } from "../history/public.js";
import type { SessionData } from "../store/public.js";
import {
  type BacktestReport,
  mergeBacktestReports,
  type ReplayHours,
  type ReplaySpeed,
} from "../stream/public.js";
import { SystemManager } from "../system/public.js";

/** One calendar's share of a backtest. */
export interface CalendarPlan {
  readonly calendar: TradingCalendar;
  /** Its symbols, in the order asked. */
  readonly symbols: readonly string[];
  /** Its range: `--from`/`--to`, else its symbols' stored range on its calendar. */
  readonly from: string;
  readonly to: string;
}

/**
 * Groups `symbols` by calendar (`calendar` for all when given, else each one's stored calendar,
 * else XNYS) and gives each group its range. A calendar without a session in the range (a
 * weekend for XNYS beside 24/7 symbols) is left out, unless every one is.
 */
export async function planByCalendar(
  store: Pick<BarStore, "listSymbolInfo" | "coverage">,
  symbols: readonly string[],
  flags: { readonly calendar?: string; readonly from?: string; readonly to?: string },
): Promise<CalendarPlan[]> {
  const override = flags.calendar === undefined ? undefined : calendarByName(flags.calendar);
  const infos = new Map((await store.listSymbolInfo()).map((i) => [i.symbol, i.calendar]));
  const groups = new Map<TradingCalendar, string[]>();
  for (const symbol of symbols) {
    const cal = override ?? calendarByName(infos.get(symbol) ?? "XNYS");
    const group = groups.get(cal);
    if (group === undefined) groups.set(cal, [symbol]);
    else group.push(symbol);
  }
  const plans: CalendarPlan[] = [];
  for (const [calendar, group] of groups) {
    const stored = await storedSessionRange(store, group, calendar);
    const from = flags.from ?? stored?.from;
    const to = flags.to ?? stored?.to;
    if (from === undefined || to === undefined) {
      throw new InvalidArgumentError(`no bars stored for ${group.join(", ")}`);
    }
    // A range half taken from the store: say which end the user did not give, rather than
    // "from 2024-02-15 is after to 2024-01-31" about a --to never typed.
    if (from > to && (flags.from === undefined || flags.to === undefined)) {
      throw new InvalidArgumentError(
        flags.to === undefined
          ? `empty range: --from ${from} is after the last stored session, ${to}`
          : `empty range: --to ${to} is before the first stored session, ${from}`,
      );
    }
    plans.push({ calendar, symbols: group, from, to });
  }
  const playable = plans.filter((p) => p.calendar.sessionsBetween(p.from, p.to).length > 0);
  return playable.length > 0 ? playable : plans;
}

/** The replay options every calendar's replay shares. */
export interface PlanRunOptions {
  /** Corporate-action adjustment of every replay (default `split`). */
  readonly adjust?: AdjustMode;
  readonly indicators: readonly string[];
  readonly hours: ReplayHours;
  readonly speed: ReplaySpeed;
  readonly dropRate?: number;
  readonly seed?: number;
}

type Replay = ReturnType<SystemManager["dataManager"]["createBacktest"]>;

/**
 * Runs the plans one after another and merges their reports. The first calendar that is
 * `system`'s runs on `system`'s parts; every other gets a fresh `SystemManager` over `store`.
 * `play(replay, k, n, sessionData)` runs replay `k` of `n` (a progress bar around
 * `replay.run()`; `sessionData` is the one it writes, for `--publish`). Ctrl-C
 * stops the replay in flight and starts no further one; the report so far is returned.
 */
export async function runCalendarPlans(
  system: SystemManager,
  store: BarStore,
  plans: readonly CalendarPlan[],
  options: PlanRunOptions,
  play: (replay: Replay, k: number, n: number, sessionData: SessionData) => Promise<BacktestReport>,
): Promise<BacktestReport> {
  const reports: BacktestReport[] = [];
  let interrupted = false;
  for (const [k, plan] of plans.entries()) {
    if (interrupted) break;
    const part =
      plan.calendar === system.calendar
        ? system
        : new SystemManager({
            calendar: plan.calendar,
            indicators: options.indicators,
            extendedHours: options.hours === "extended",
            barStore: store,
          });
    // Gap repair rides along by default (createBacktest's DataUpkeep), driven by the simulated
    // clock; backoff is only accounted, so the report depends on the data and options alone.
    const replay = part.dataManager.createBacktest({
      symbols: plan.symbols,
      from: plan.from,
      to: plan.to,
      speed: options.speed,
      hours: options.hours,
      ...(options.adjust === undefined ? {} : { adjust: options.adjust }),
      ...(options.dropRate === undefined ? {} : { dropRate: options.dropRate }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    // Ctrl-C ends a (slow, paced) replay early and still prints the report so far.
    const onInterrupt = () => {
      interrupted = true;
      replay.stop();
    };
    process.once("SIGINT", onInterrupt);
    try {
      reports.push(await play(replay, k, plans.length, part.sessionData));
    } finally {
      process.off("SIGINT", onInterrupt);
      if (part !== system) await part.stop();
    }
  }
  return mergeBacktestReports(reports);
}

/** The footer line naming each calendar's symbols, when there are several; empty otherwise. */
export function calendarsLine(plans: readonly CalendarPlan[]): string {
  if (plans.length < 2) return "";
  return `calendars: ${plans.map((p) => `${p.calendar.name} (${p.symbols.join(", ")})`).join(", ")}`;
}
