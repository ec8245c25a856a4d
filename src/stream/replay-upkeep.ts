/**
 * What a backtest replay needs of a data-upkeep task (gap detection and repair): the coordinator
 * drives it from the simulated clock, so a replay with repair stays deterministic. `DataUpkeep`
 * (src/upkeep) implements it; any object of this shape plugs in.
 *
 * The coordinator, after adding the bars of minute `t`, raises the store's clock to
 * `t + 60_000` and, every `interval` ms of simulated time and at each session end (with
 * `now` = the session's close), awaits `runOnce(now)` before anyone hears of minute `t`: a
 * strategy listening to `slice` sees the repaired data.
 */
export interface ReplayUpkeep {
  /** How often to run, in milliseconds of the simulated clock (60,000 = every market minute). */
  readonly interval: number;
  /** One pass of checking and repairing at the simulated instant `now` (epoch ms). */
  runOnce(now: number): Promise<unknown>;
  /**
   * Each replayed symbol's stored range (first and last bar open times), given before the first
   * session: minutes outside it are not expected, so a symbol entering late or leaving early has
   * no gaps outside its data.
   */
  setStoredRanges?(
    ranges: ReadonlyMap<string, { readonly first: number; readonly last: number }>,
  ): void;
  /**
   * A session of the range no bar reached (the replay passes over it): upkeep counts it as
   * missing for every symbol whose range covers it. Called in session order, between sessions.
   */
  countMissingSession?(date: string): void;
  /**
   * The expected and present minutes of `symbol` in the current session at upkeep's last pass
   * (its definition: within the symbol's stored range), or `undefined` when it has not measured
   * the symbol. The report's per-symbol `expectedBarCount` and `barQuality` come from it.
   */
  sessionQuality?(
    symbol: string,
  ): { readonly expected: number; readonly present: number } | undefined;
  /** Counters to put into the backtest report as `upkeep` (gaps detected, filled, …). */
  report?(): Record<string, unknown>;
}
