/**
 * The query strings of the `/api/history` routes, as zod schemas, and their limits. A range
 * beyond a limit is refused with a 400 that states the limit (see `history-routes.ts`).
 */
import { z } from "zod";
import { ApiError } from "./api-error.js";
import { CHART_TIMEFRAMES } from "./history-read.js";
import { dateSchema, enumSchema, symbolSchema } from "./schemas.js";

/** Most sessions one history request may span. */
export const MAX_SESSIONS = 5_000;

/** Most bars one bars/indicators answer may hold (a year of 15m XNYS bars fits; 1m: ~25 days). */
export const MAX_HISTORY_BARS = 10_000;

/** Most heatmap cells (symbols x sessions) one answer may hold: 1,000 symbols x a year fits. */
export const MAX_HEATMAP_CELLS = 300_000;

/**
 * Adjustment modes: `raw` as stored, `split` or `total` through the store's factor files (a
 * symbol without corporate actions reads the same in every mode).
 */
export const ADJUST_MODES = ["raw", "split", "total"] as const;

const tfSchema = enumSchema(CHART_TIMEFRAMES);

const adjustSchema = enumSchema(ADJUST_MODES);

const range = {
  /** One session. */
  date: dateSchema.optional(),
  /** First session, inclusive. */
  from: dateSchema.optional(),
  /** Last session, inclusive. */
  to: dateSchema.optional(),
};

const oneOrRange = <T extends { date?: string; from?: string; to?: string }>(q: T) =>
  q.date === undefined || (q.from === undefined && q.to === undefined);

/** A `date` or `from`/`to` (default: the symbol's last stored session). */
export interface HistoryRange {
  readonly date?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** `/api/history/symbols/:symbol/bars`. */
export const historyBarsQuerySchema = z
  .strictObject({ ...range, tf: tfSchema.default("1m"), adjust: adjustSchema.default("raw") })
  .refine(oneOrRange, { message: "give either date or from/to, not both", path: ["date"] });

/** `/api/history/symbols/:symbol/indicators`: `indicators=sma:20,ema:50,rsi:14,macd`. */
export const historyIndicatorsQuerySchema = z
  .strictObject({
    ...range,
    tf: tfSchema.default("1m"),
    adjust: adjustSchema.default("raw"),
    indicators: z
      .string()
      .max(400, "must be at most 400 characters")
      .transform((s) => s.split(",").filter((x) => x !== ""))
      .pipe(z.array(z.string()).min(1, "must name an indicator").max(12, "at most 12 indicators"))
      .optional(),
  })
  .refine(oneOrRange, { message: "give either date or from/to, not both", path: ["date"] });

/** `/api/history/symbols/:symbol/day`: one session (default the last stored). */
export const dayQuerySchema = z.strictObject({ date: dateSchema.optional() });

/** `/api/history/symbols/:symbol/sessions`: the range (default: the stored one). */
export const sessionsQuerySchema = z.strictObject({
  from: dateSchema.optional(),
  to: dateSchema.optional(),
});

/** `/api/history/quality`: symbols (default all) x sessions (`from..to`, or the last `sessions`). */
export const qualityQuerySchema = z.strictObject({
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  sessions: z
    .string()
    .regex(/^\d+$/, { message: "must be an integer", abort: true })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, "must be at least 1")
        .max(MAX_SESSIONS, `must be at most ${MAX_SESSIONS}`),
    )
    .default(60),
  symbols: z
    .string()
    .transform((s) => s.split(",").filter((x) => x !== ""))
    .pipe(z.array(symbolSchema).min(1).max(5_000))
    .optional(),
});

/** Refuses a range whose start is after its end. */
export function checkOrder(from: string, to: string): void {
  if (from > to) throw new ApiError(400, `from: ${from} is after to ${to}`);
}

/** Refuses a range `from..to` of more than {@link MAX_SESSIONS} sessions (`count`). */
export function checkSessionCount(from: string, to: string, count: number): void {
  if (count > MAX_SESSIONS) {
    throw new ApiError(
      400,
      `from, to: ${from}..${to} holds ${count} sessions; the limit is ${MAX_SESSIONS}`,
    );
  }
}
