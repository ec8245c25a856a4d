import type { Command } from "commander";
import type { TradingCalendar } from "../../calendar/public.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { assessQuality, qualityPercent, type SessionQuality } from "../../upkeep/public.js";
import {
  CALENDAR_NAMES,
  calendarByName,
  checkDateOption,
  SYMBOLS_HELP,
  symbolsOption,
} from "../options.js";
import { formatNumber, formatTable } from "../report-format.js";
import {
  DB_OPTION,
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  openCommandStore,
  PG_OPTION,
  READ_ONLY_OPTION,
  type StoreFlags,
} from "../store-options.js";

/** The options of `sessiondata quality`, as commander parses them. */
export interface QualityCommandOptions extends StoreFlags {
  readonly symbols?: string;
  readonly from?: string;
  readonly to?: string;
  readonly calendar?: string;
  readonly longest?: string;
  readonly json?: boolean;
}

/** Expected and present minutes summed over sessions, and what they make. */
export interface QualityTotals {
  readonly sessions: number;
  readonly expected: number;
  readonly present: number;
  readonly missing: number;
  readonly quality: number;
  readonly gaps: number;
  /** Sessions inside the range without a single bar (their minutes count as missing). */
  readonly missingSessions: number;
}

/** One symbol's measure: its calendar, its own range of sessions, its totals. */
export interface SymbolQuality extends QualityTotals {
  readonly calendar: string;
  /** First and last session measured (the symbol's stored range, narrowed by --from/--to). */
  readonly from: string;
  readonly to: string;
}

/** What `sessiondata quality --json` prints. Gap times are epoch ms. */
export interface QualityCommandResult {
  readonly db: string;
  /** The calendars used, comma-separated (each symbol's own unless --calendar). */
  readonly calendar: string;
  /** The first and last session of any row. */
  readonly from: string;
  readonly to: string;
  readonly totals: QualityTotals;
  readonly symbols: Readonly<Record<string, SymbolQuality>>;
  readonly sessions: readonly SessionQuality[];
}

/** Sums rows into totals. */
export function totalsOf(rows: readonly SessionQuality[]): QualityTotals {
  let expected = 0;
  let present = 0;
  let gaps = 0;
  let missingSessions = 0;
  for (const r of rows) {
    expected += r.expected;
    present += r.present;
    gaps += r.gaps;
    if (r.missingSession) missingSessions++;
  }
  return {
    sessions: rows.length,
    expected,
    present,
    missing: expected - present,
    quality: qualityPercent(present, expected),
    gaps,
    missingSessions,
  };
}

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

/** The human-readable form: one row per symbol and session, then the totals. */
export function formatQuality(result: QualityCommandResult): string {
  const rows = result.sessions.map((r) => [
    r.symbol,
    r.sessionDate,
    String(r.expected),
    String(r.present),
    String(r.missing),
    `${formatNumber(r.quality, 2)}%`,
    r.missingSession ? "missing session" : String(r.gaps),
    r.longestGaps.map((g) => `${hhmm(g.start)}-${hhmm(g.end)} (${g.count})`).join(", ") || "-",
  ]);
  const table = formatTable(
    [
      "symbol",
      "session",
      "expected",
      "present",
      "missing",
      "quality",
      "gaps",
      "longest gaps (UTC)",
    ],
    rows,
  );
  const line = (name: string, t: QualityTotals, from: string, to: string): string =>
    `${name} ${from}..${to}: ${formatNumber(t.sessions, 0)} session${t.sessions === 1 ? "" : "s"}, expected ${formatNumber(t.expected, 0)}, present ${formatNumber(t.present, 0)}, missing ${formatNumber(t.missing, 0)} in ${formatNumber(t.gaps, 0)} gap${t.gaps === 1 ? "" : "s"}${t.missingSessions > 0 ? ` and ${formatNumber(t.missingSessions, 0)} missing session${t.missingSessions === 1 ? "" : "s"}` : ""}, quality ${formatNumber(t.quality, 2)}%`;
  const perSymbol = Object.entries(result.symbols);
  const lines = [table, ""];
  if (perSymbol.length > 1) {
    for (const [symbol, q] of perSymbol)
      lines.push(line(`${symbol} (${q.calendar})`, q, q.from, q.to));
  }
  lines.push(line(result.calendar, result.totals, result.from, result.to));
  return lines.join("\n");
}

/**
 * `sessiondata quality`: measures the stored bars (the DuckDB file) per symbol and session, each
 * symbol over its own stored range (narrowed by `--from`/`--to`) on its stored calendar (or
 * `--calendar`), and prints a table with per-symbol and overall totals (or, with `--json`, only
 * the JSON document). The definition is `expected-minutes.ts`'s, the backtest's too.
 *
 * @example
 * ```ts
 * const { totals } = await runQuality({ db: "6e.duckdb", symbols: "6EH4", json: true });
 * totals.quality; // 98.61… (29,996 of 30,419 expected minutes on GLBX)
 * ```
 */
export async function runQuality(
  options: QualityCommandOptions,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<QualityCommandResult> {
  checkDateOption("--from", options.from);
  checkDateOption("--to", options.to);
  const override = options.calendar === undefined ? undefined : calendarByName(options.calendar);
  const longest = options.longest === undefined ? 3 : Number(options.longest);
  if (!Number.isInteger(longest) || longest < 0) {
    throw new InvalidArgumentError(`--longest must be an integer >= 0, got ${options.longest}`);
  }
  const opened = await openCommandStore(options, "read");
  const { location: db, store } = opened;
  try {
    const known = await store.symbols();
    const symbols = symbolsOption(options.symbols) ?? known;
    const unknown = symbols.filter((s) => !known.includes(s));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `unknown symbol${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} in ${db}`,
      );
    }
    // Each symbol on its own stored calendar unless --calendar names one for all.
    const infos = new Map((await store.listSymbolInfo()).map((i) => [i.symbol, i.calendar]));
    const calendarOf = (symbol: string): TradingCalendar =>
      override ?? calendarByName(infos.get(symbol) ?? "XNYS");
    if (options.from !== undefined && options.to !== undefined && options.from > options.to) {
      // An empty table with "quality 100%" would read as a clean bill of health.
      throw new InvalidArgumentError(`--from ${options.from} is after --to ${options.to}`);
    }
    const sessions = await assessQuality({
      source: store,
      calendar: calendarOf(symbols[0]!),
      calendarOf,
      symbols,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
      longest,
    });
    if (sessions.length === 0) {
      throw new InvalidArgumentError(
        `no stored bars of ${symbols.join(", ")} in ${db}${options.from === undefined && options.to === undefined ? "" : ` between ${options.from ?? "the first stored session"} and ${options.to ?? "the last"}`}`,
      );
    }
    const bySymbol: Record<string, SymbolQuality> = {};
    for (const symbol of symbols) {
      const rows = sessions.filter((r) => r.symbol === symbol);
      if (rows.length === 0) continue;
      bySymbol[symbol] = {
        calendar: calendarOf(symbol).name,
        from: rows[0]!.sessionDate,
        to: rows[rows.length - 1]!.sessionDate,
        ...totalsOf(rows),
      };
    }
    const dates = sessions.map((r) => r.sessionDate).sort();
    const result: QualityCommandResult = {
      db,
      calendar: [...new Set(Object.values(bySymbol).map((q) => q.calendar))].join(","),
      from: dates[0]!,
      to: dates[dates.length - 1]!,
      totals: totalsOf(sessions),
      symbols: bySymbol,
      sessions,
    };
    write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatQuality(result)}\n`);
    return result;
  } finally {
    await store.close();
  }
}

/** Registers `sessiondata quality`. */
export function registerQuality(program: Command): void {
  program
    .command("quality")
    .description(
      "measure stored bars against each symbol's calendar over its own stored range: expected, present and missing minutes, quality, the longest gaps and missing sessions per symbol and session",
    )
    .option("--symbols <list>", SYMBOLS_HELP)
    .option("--from <date>", "first session, YYYY-MM-DD (default: each symbol's first stored)")
    .option("--to <date>", "last session, YYYY-MM-DD (default: each symbol's last stored)")
    .option(...DB_OPTION)
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option(...PG_OPTION)
    .option(...READ_ONLY_OPTION)
    .option(
      "--calendar <name>",
      `exchange calendar for every symbol: ${Object.keys(CALENDAR_NAMES).join(", ")} (default: each symbol's stored calendar, else XNYS)`,
    )
    .option("--longest <n>", "how many of the longest gaps to list per session", "3")
    .option("--json", "print only the result as JSON on stdout")
    .action(async (options: QualityCommandOptions) => {
      await runQuality(options);
    });
}
