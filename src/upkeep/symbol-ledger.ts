import { type Bar, MINUTE_MS } from "../domain/bar.js";
import type { Provenance } from "../domain/provenance.js";
import { lowerBound } from "../domain/search.js";
import type { UnfillableGap, UpkeepEvent } from "./events.js";
import type { Gap } from "./gap.js";
import type { RepairOutcome, RepairRequest } from "./repair.js";

/** What upkeep knows of one symbol in the current session. Sets are made when first needed. */
export interface SymbolState {
  /** Minutes seen missing this session (each counted once). */
  detected?: Set<number>;
  /** Minutes given up this session. */
  unfillable?: Set<number>;
  /** Minutes of requests in flight, so one gap is never asked for twice at once. */
  inFlight?: Set<number>;
  /** Bars written from the source this session. */
  filled: number;
  /** Expected and present regular bars at the last check. */
  expected: number;
  present: number;
  /** The quality last reported in a `qualityChanged` event (100 until one is). */
  quality: number;
}

/** A symbol's state at the start of a session. */
export function newSymbolState(): SymbolState {
  return { filled: 0, expected: 0, present: 0, quality: 100 };
}

/** Records a gap's minutes as seen; returns how many had not been seen before. */
export function markDetected(state: SymbolState, gap: Gap): number {
  const detected = (state.detected ??= new Set());
  let fresh = 0;
  for (let t = gap.start; t < gap.end; t += MINUTE_MS) {
    if (!detected.has(t)) {
      detected.add(t);
      fresh++;
    }
  }
  return fresh;
}

/**
 * Splits a gap into requests for the minutes neither given up nor already asked for, and claims
 * them (in flight) until {@link commitRepair} releases them.
 */
export function planRequests(state: SymbolState, gap: Gap, out: RepairRequest[]): void {
  const inFlight = (state.inFlight ??= new Set());
  const unfillable = state.unfillable;
  let runStart = Number.NaN;
  for (let t = gap.start; t <= gap.end; t += MINUTE_MS) {
    const wanted = t < gap.end && !inFlight.has(t) && unfillable?.has(t) !== true;
    if (wanted && Number.isNaN(runStart)) runStart = t;
    if (!wanted && !Number.isNaN(runStart)) {
      out.push({ symbol: gap.symbol, start: runStart, end: t });
      for (let m = runStart; m < t; m += MINUTE_MS) inFlight.add(m);
      runStart = Number.NaN;
    }
  }
}

/** What {@link commitRepair} writes to and reports through. */
export interface CommitContext {
  readonly sessionData: {
    getSeries(
      symbol: string,
    ): { readonly length: number; readonly time: ArrayLike<number> } | undefined;
    addBar(symbol: string, bar: Bar, provenance?: Provenance): void;
  };
  readonly sessionDate: string;
  readonly tally: { barsFilled: number; barsUnfillable: number; barsRejected: number };
  emit(event: UpkeepEvent): void;
  /** Keeps a given-up gap for the report. */
  giveUp(gap: UnfillableGap): void;
}

function isPresent(sd: CommitContext["sessionData"], symbol: string, t: number): boolean {
  // Re-read the series each time: a write may have moved or regrown the columns.
  const series = sd.getSeries(symbol);
  if (series === undefined) return false;
  const i = lowerBound(series.time, t, 0, series.length);
  return i < series.length && series.time[i] === t;
}

/**
 * Ends a request: releases its minutes, writes the bars it brought through `addBar` in time
 * order (skipping minutes the feed delivered meanwhile: the store's bar stands), and gives up
 * the minutes it could not bring with the reason. Consecutive minutes with one fate become one
 * `gapFilled` or `gapUnfillable` event.
 */
export function commitRepair(
  ctx: CommitContext,
  state: SymbolState,
  request: RepairRequest,
  outcome: RepairOutcome,
): void {
  const { symbol, start, end } = request;
  const { sessionData: sd, sessionDate, tally } = ctx;
  for (let t = start; t < end; t += MINUTE_MS) state.inFlight?.delete(t);
  const byTime = new Map<number, Bar>();
  if (outcome.ok) {
    for (const bar of outcome.bars) {
      if (bar !== null && typeof bar === "object" && bar.time >= start && bar.time < end) {
        byTime.set(bar.time, bar);
      }
    }
  }
  let runStart = start;
  let runReason: string | undefined;
  let runFilled = false;
  let inRun = false;
  const flush = (t: number): void => {
    if (!inRun) return;
    inRun = false;
    const gap: Gap = { symbol, start: runStart, end: t, count: (t - runStart) / MINUTE_MS };
    if (runFilled) {
      ctx.emit({ type: "gapFilled", gap, sessionDate, attempts: outcome.attempts });
      return;
    }
    const reason = runReason ?? "";
    ctx.giveUp({ ...gap, sessionDate, reason });
    ctx.emit({ type: "gapUnfillable", gap, sessionDate, reason, attempts: outcome.attempts });
  };
  for (let t = start; t < end; t += MINUTE_MS) {
    if (isPresent(sd, symbol, t)) {
      flush(t);
      continue;
    }
    let reason: string | undefined;
    if (!outcome.ok) {
      reason = outcome.reason;
    } else {
      const bar = byTime.get(t);
      if (bar === undefined) {
        reason = "the source has no bar for this minute";
      } else {
        try {
          sd.addBar(symbol, bar, "refilled");
          state.filled++;
          tally.barsFilled++;
        } catch (error) {
          tally.barsRejected++;
          reason = `the store refused the source's bar: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
    }
    const filled = reason === undefined;
    if (inRun && (filled !== runFilled || reason !== runReason)) flush(t);
    if (!inRun) {
      inRun = true;
      runStart = t;
      runFilled = filled;
      runReason = reason;
    }
    if (!filled) {
      (state.unfillable ??= new Set()).add(t);
      tally.barsUnfillable++;
    }
  }
  flush(end);
}

/** The state of `symbol` in `states`, created on first use. */
export function stateOf(states: Map<string, SymbolState>, symbol: string): SymbolState {
  let state = states.get(symbol);
  if (state === undefined) states.set(symbol, (state = newSymbolState()));
  return state;
}
