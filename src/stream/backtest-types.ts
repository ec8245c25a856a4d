import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import type { Bar } from "../domain/bar.js";
import type { WallClock } from "../domain/wall-clock.js";
import type { BarStore } from "../history/bar-store.js";
import type { SessionData, SessionMetrics } from "../store/public.js";
import type { ReplayUpkeep } from "./replay-upkeep.js";

/** How fast a replay plays: as fast as it can, or a multiple of real time (60 = a minute a second). */
export type ReplaySpeed = "max" | number;

/** Which bars of each session a replay plays: `[open, close)` or `[preOpen, postClose)`. */
export type ReplayHours = "regular" | "extended";

/**
 * What the coordinator needs of an analysis engine to fill the report: `AnalysisEngine`
 * (src/analysis) has this shape. The engine feeds itself from the store's events.
 */
export interface ReplayAnalysis {
  analyze(symbol: string):
    | {
        readonly indicators: Readonly<Record<string, unknown>>;
        readonly trend?: unknown;
        /** The open time of the last bar the indicators took in, epoch ms. */
        readonly time?: number;
      }
    | undefined;
}

/** Options of {@link BacktestStreamCoordinator}. */
export interface BacktestOptions {
  /** Where the bars come from (streamed with `scan`, never loaded whole). */
  readonly barStore: BarStore;
  /** Where the bars go. */
  readonly sessionData: SessionData;
  /** Sessions and their hours. */
  readonly calendar: TradingCalendar;
  /** The symbols to replay; every symbol of the store when omitted. Unknown symbols are refused. */
  readonly symbols?: readonly string[];
  /** First session date, `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last session date, `YYYY-MM-DD`, inclusive. */
  readonly to: string;
  /** `"max"` (default) or a positive multiple of real time. */
  readonly speed?: ReplaySpeed;
  /** `"regular"` (default) or `"extended"` (pre- and post-market too). */
  readonly hours?: ReplayHours;
  /** Gap repair driven by the simulated clock; its counters land in the report as `upkeep`. */
  readonly upkeep?: ReplayUpkeep;
  /** Where the report's `indicators` and `trend` come from; `{}` and `null` without one. */
  readonly analysisEngine?: ReplayAnalysis;
  /** Fault injection: the fraction (0..1) of bars left out of the stream (the store keeps them). */
  readonly dropRate?: number;
  /** Seed of the generator that picks dropped bars (default 1): same seed, same drops. */
  readonly seed?: number;
  /** Bars per chunk asked of `scan` (default: the store's). */
  readonly chunkSize?: number;
  /** Progress events per run at most, spaced evenly in simulated progress (default 200). */
  readonly progressSteps?: number;
  /**
   * The wall clock a paced replay (`speed` N) waits on: the system clock by default; a fake one in
   * tests, so pacing, `pause()` and `stop()` are checked without sleeping.
   */
  readonly wallClock?: WallClock;
}

/** One minute of the replay: every bar of minute `time` (all of them already in the store). */
export interface SliceEvent {
  /** The minute's open instant, epoch ms. */
  readonly time: number;
  /** The minute's bars by symbol, inserted in symbol order. Dropped bars are absent. */
  readonly bars: ReadonlyMap<string, Bar>;
}

/** A session begins: fired before its first slice. */
export interface SessionStartEvent {
  readonly date: string;
  readonly session: Session;
  /** 0-based position of the session in the replayed range. */
  readonly index: number;
}

/** A session ended: fired after its last slice (and after upkeep's session-end pass). */
export interface SessionEndEvent {
  readonly date: string;
  readonly session: Session;
  readonly index: number;
  /** Bars of this session read from the store (dropped ones included). */
  readonly bars: number;
  readonly slices: number;
}

/** Where a replay is. Fired at evenly spaced points of simulated progress, so deterministically. */
export interface ProgressEvent {
  /** Fraction of the range replayed, 0..1, by simulated time within the sessions. */
  readonly fraction: number;
  /** The simulated session date. */
  readonly date: string;
  /** The simulated instant (the latest slice's minute), epoch ms. */
  readonly time: number;
  readonly bars: number;
  readonly slices: number;
  /** Wall-clock throughput so far (not deterministic). */
  readonly barsPerSecond: number;
}

/** Per symbol in a {@link BacktestReport}. */
export interface SymbolReport {
  /**
   * The metrics of the last replayed session in which the symbol had bars (a symbol whose data
   * ends before the replay's last session keeps its own last session, not an empty one); the
   * last session's, with `barCount` 0, when it had bars in none; `null` when the session store
   * holds nothing of it. With upkeep, `expectedBarCount`, `missingBarCount` and `barQuality` are
   * upkeep's (`sessionQuality`): minutes outside the symbol's stored range are not expected.
   */
  readonly metrics: SessionMetrics | null;
  /** The open time of the symbol's last replayed regular bar (epoch ms), `null` without one. */
  readonly lastBarTime: number | null;
  /** The open time of the last bar the indicators took in (epoch ms), `null` without analysis. */
  readonly indicatorsTime: number | null;
  /** Indicator values from the analysis engine (`{}` without one). */
  readonly indicators: Readonly<Record<string, unknown>>;
  /** The engine's trend (e.g. `bullish`), or `null` without one. */
  readonly trend: unknown;
}

/**
 * What `run()` resolves to (and `sessiondata backtest --json` prints). Everything but `wallMs`
 * and `barsPerSecond` is identical run to run for the same data and options.
 */
export interface BacktestReport {
  /** Sessions that had at least one bar. */
  readonly sessions: number;
  /** Minutes that had at least one bar. */
  readonly slices: number;
  /** Bars read from the store (dropped ones included). */
  readonly bars: number;
  readonly wallMs: number;
  readonly barsPerSecond: number;
  /** Bars left out by `dropRate`; present only when a drop rate was set. */
  readonly droppedBars?: number;
  /** Whether `stop()` ended the replay early. Present only then. */
  readonly stopped?: boolean;
  readonly symbols: Readonly<Record<string, SymbolReport>>;
  /** The upkeep's own report, when upkeep ran. */
  readonly upkeep?: Readonly<Record<string, unknown>>;
}

/** Events of a {@link BacktestStreamCoordinator} by name. */
export interface BacktestEvents {
  slice: SliceEvent;
  sessionStart: SessionStartEvent;
  sessionEnd: SessionEndEvent;
  progress: ProgressEvent;
  end: BacktestReport;
}

/** The name of an event of a replay. */
export type BacktestEventName = keyof BacktestEvents;
