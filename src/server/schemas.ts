/**
 * Every parameter the server accepts, as zod schemas. Requests are parsed with these before
 * anything is looked up, so a bad parameter always answers 400 naming the parameter and why,
 * never a 500 from deep inside the store.
 */
import { z } from "zod";
import { TIMEFRAMES } from "../domain/timeframe.js";

/** The widest epoch-ms value a JavaScript `Date` holds (±100,000,000 days). */
const MAX_TIME = 8.64e15;

/** Letters, digits and the punctuation tickers use (`BRK.B`, `ES=F`, `BTC-USD`, `^GSPC`, `GBP/USD`). */
const SYMBOL_RE = /^[A-Za-z0-9._\-=^:/]{1,32}$/;

/** A symbol as it appears in a path or a body. */
export const symbolSchema = z
  .string()
  .regex(SYMBOL_RE, "must be 1-32 letters, digits or . _ - = ^ : /");

/** The path parameter of `/api/symbols/:symbol/…`. */
export const symbolParamSchema = z.strictObject({ symbol: symbolSchema });

/** One of `values`; a refusal lists them and quotes what was given. */
export function enumSchema<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => `must be one of ${values.join(", ")} (got ${JSON.stringify(issue.input)})`,
  });
}

const timeframeSchema = enumSchema(TIMEFRAMES as readonly ["1m", "5m", "15m", "30m", "1h"]);

/** A query-string integer: digits only, so `1e3`, `0x10` and ` 5` are refused rather than guessed. */
function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^-?\d+$/, { message: "must be an integer", abort: true })
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).int());
}

/** Most bars one request may ask for: a 24-hour session of 1m bars fits. */
export const MAX_BARS_PER_REQUEST = 10_000;

/** `?timeframe=` alone (for `/latest`). */
export const timeframeQuerySchema = z.strictObject({
  timeframe: timeframeSchema.default("1m"),
});

/**
 * `/bars` query: `timeframe` (default `1m`) and either `n` (the last n bars, default 100) or
 * `since` (bars with `time >= since`, epoch ms), never both.
 */
export const barsQuerySchema = z
  .strictObject({
    timeframe: timeframeSchema.default("1m"),
    n: queryInt(1, MAX_BARS_PER_REQUEST).optional(),
    since: queryInt(0, MAX_TIME).optional(),
  })
  .refine((q) => q.n === undefined || q.since === undefined, {
    message: "give either n or since, not both",
    path: ["since"],
  });

/** `/api/gaps` query: `limit`, the newest records to list (the counts always cover all). */
export const gapsQuerySchema = z.strictObject({
  limit: queryInt(1, 100_000).optional(),
});

/** A replay speed: `"max"` or a positive multiple of real time (60 plays a market minute a second). */
export const speedSchema = z.union([
  z.literal("max"),
  z
    .number()
    .positive('must be "max" or a positive number')
    .max(1_000_000, 'must be at most 1000000 (use "max")'),
]);

/** A `YYYY-MM-DD` calendar date. */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a YYYY-MM-DD date", abort: true })
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().startsWith(d);
  }, "is not a real calendar date");

/** The body of `POST /api/replay`: one action. */
export const replayActionSchema = z.discriminatedUnion(
  "action",
  [
    z.strictObject({
      action: z.literal("start"),
      symbols: z.array(symbolSchema).min(1, "must name at least one symbol").max(5000).optional(),
      /** First session date, inclusive. */
      from: dateSchema.optional(),
      /** Last session date, inclusive. */
      to: dateSchema.optional(),
      speed: speedSchema.optional(),
      /** Fault injection: the fraction (0..1) of bars left out of the stream for upkeep to find. */
      dropRate: z.number().min(0, "must be in [0, 1]").max(1, "must be in [0, 1]").optional(),
      /** Corporate actions: raw, split (split-adjusted) or total (dividends too). */
      adjust: z.enum(["raw", "split", "total"]).optional(),
    }),
    z.strictObject({ action: z.literal("pause") }),
    z.strictObject({ action: z.literal("resume") }),
    z.strictObject({ action: z.literal("stop") }),
    z.strictObject({ action: z.literal("speed"), speed: speedSchema }),
  ],
  { error: () => 'must be one of "start", "pause", "resume", "stop", "speed"' },
);

/** A parsed {@link replayActionSchema}. */
export type ReplayAction = z.infer<typeof replayActionSchema>;

/** What a WebSocket client may subscribe to; see `hub.ts` for what each delivers. */
export const CHANNELS = ["bars", "analysis", "quality", "gaps", "slices"] as const;

/** One of {@link CHANNELS}. */
export type Channel = (typeof CHANNELS)[number];

const channelsSchema = z.array(enumSchema(CHANNELS)).min(1);

/** A message a WebSocket client sends. */
export const clientMessageSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("subscribe"),
      /** Symbols, or `["*"]` for every symbol (also the ones that appear later). */
      symbols: z
        .array(z.union([z.literal("*"), symbolSchema]))
        .min(1)
        .max(10_000),
      /** Default: bars, analysis and quality (everything but per-minute slices). */
      channels: channelsSchema.optional(),
    }),
    z.strictObject({
      type: z.literal("unsubscribe"),
      symbols: z
        .array(z.union([z.literal("*"), symbolSchema]))
        .min(1)
        .max(10_000),
    }),
    z.strictObject({ type: z.literal("ping") }),
  ],
  { error: () => 'must be one of "subscribe", "unsubscribe", "ping"' },
);

/** A parsed {@link clientMessageSchema}. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/**
 * One line per problem, each naming the parameter: `timeframe: must be one of 1m, …`.
 * `where` prefixes the path (`query`, `body`) when the parameter name alone is ambiguous.
 */
export function describeIssues(error: z.ZodError, where?: string): string {
  // The first problem per parameter is enough (a 20-digit n also fails zod's safe-integer check).
  const seen = new Set<string>();
  return error.issues
    .filter((issue) => {
      const key = issue.path.map(String).join(".");
      if (issue.code !== "unrecognized_keys" && seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((issue) => {
      let name = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `${k}: unknown parameter`).join("; ");
      }
      if (name === "" && where !== undefined) name = where;
      return name === "" ? issue.message : `${name}: ${issue.message}`;
    })
    .join("; ");
}
