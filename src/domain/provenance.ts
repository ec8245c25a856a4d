import { InvalidArgumentError } from "./errors.js";

/**
 * Where a stored bar came from:
 * - `live`: a feed's closed bar, as it arrived;
 * - `replay`: replayed from the historical store (a backtest);
 * - `refilled`: fetched later to fill a gap (upkeep's repair, a feed's backfill after a reconnect);
 * - `corrected`: a provider's correction of a bar already received (it replaced that bar).
 */
export type Provenance = "live" | "replay" | "refilled" | "corrected";

/** Every provenance, in the order of their codes (`PROVENANCES[code - 1]`). */
export const PROVENANCES: readonly Provenance[] = Object.freeze([
  "live",
  "replay",
  "refilled",
  "corrected",
]);

/**
 * The small integer a provenance is stored as (columns, database rows, bus messages):
 * 1 live, 2 replay, 3 refilled, 4 corrected. 0 means "not recorded" (bars imported from files).
 */
export const PROVENANCE_CODES: Readonly<Record<Provenance, number>> = Object.freeze({
  live: 1,
  replay: 2,
  refilled: 3,
  corrected: 4,
});

/** The provenance of a stored code, `undefined` for 0 (not recorded) or an unknown code. */
export function provenanceOfCode(code: number): Provenance | undefined {
  return PROVENANCES[code - 1];
}

/** Whether `value` names a provenance. */
export function isProvenance(value: unknown): value is Provenance {
  return typeof value === "string" && (PROVENANCES as readonly string[]).includes(value);
}

/** Throws `InvalidArgumentError` unless `value` names a provenance; returns it typed. */
export function checkProvenance(value: unknown): Provenance {
  if (!isProvenance(value)) {
    throw new InvalidArgumentError(
      `provenance must be one of ${PROVENANCES.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Bar counts by provenance (what `SessionMetrics.provenance` holds). */
export interface ProvenanceCounts {
  readonly live: number;
  readonly replay: number;
  readonly refilled: number;
  readonly corrected: number;
}
