import type { UnfillableGap, UpkeepReport } from "./events.js";
import { qualityPercent } from "./expected-minutes.js";
import type { RequestCounters } from "./repair.js";
import type { SymbolState } from "./symbol-ledger.js";

/** How many unfillable gaps `report()` lists. */
const REPORTED_UNFILLABLE = 100;

/**
 * The running totals behind `DataUpkeep.report()`: counters bumped as upkeep works, and the
 * expected and present minutes of the sessions already finished (those of the current session
 * are read from its symbol states when a report is made).
 */
export class UpkeepTotals {
  /** Source requests, retries and backoff, bumped by `requestWithRetry`. */
  readonly counters: RequestCounters = { requests: 0, retries: 0, failedRequests: 0, backoffMs: 0 };
  /** Bars written, given up and refused, bumped by `commitRepair`. */
  readonly tally = { barsFilled: 0, barsUnfillable: 0, barsRejected: 0 };
  runs = 0;
  runErrors = 0;
  sessions = 0;
  missingSessions = 0;
  gapsDetected = 0;
  barsMissing = 0;
  listenerErrors = 0;
  #doneExpected = 0;
  #donePresent = 0;
  #doneMinQuality = 100;
  readonly #unfillableGaps: UnfillableGap[] = [];

  /** The session of `states` is over: their figures join those of the finished sessions. */
  closeSession(states: Iterable<SymbolState>): void {
    for (const state of states) {
      this.#doneExpected += state.expected;
      this.#donePresent += state.present;
      this.#doneMinQuality = Math.min(
        this.#doneMinQuality,
        qualityPercent(state.present, state.expected),
      );
    }
  }

  /** One symbol missed a whole session of `expected` minutes. */
  missingSession(expected: number): void {
    this.#doneExpected += expected;
    this.#doneMinQuality = 0;
    this.missingSessions++;
    this.barsMissing += expected;
  }

  /** A gap given up; the report lists the first {@link REPORTED_UNFILLABLE}. */
  giveUp(gap: UnfillableGap): void {
    if (this.#unfillableGaps.length < REPORTED_UNFILLABLE) this.#unfillableGaps.push(gap);
  }

  /** The report, the current session's `states` included. */
  report(states: Iterable<SymbolState>): UpkeepReport {
    let expected = this.#doneExpected;
    let present = this.#donePresent;
    let minQuality = this.#doneMinQuality;
    for (const state of states) {
      expected += state.expected;
      present += state.present;
      minQuality = Math.min(minQuality, qualityPercent(state.present, state.expected));
    }
    return {
      runs: this.runs,
      runErrors: this.runErrors,
      sessions: this.sessions,
      missingSessions: this.missingSessions,
      gapsDetected: this.gapsDetected,
      barsMissing: this.barsMissing,
      barsFilled: this.tally.barsFilled,
      barsUnfillable: this.tally.barsUnfillable,
      ...this.counters,
      barsRejected: this.tally.barsRejected,
      listenerErrors: this.listenerErrors,
      finalQuality: qualityPercent(present, expected),
      minQuality,
      expectedBars: expected,
      presentBars: present,
      unfillableGaps: this.#unfillableGaps.slice(),
    };
  }
}
