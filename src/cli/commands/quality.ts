import type { Command } from "commander";
import { InvalidArgumentError } from "../../domain/errors.js";
import { storedSessionRange } from "../../history/public.js";
import { assessQuality, type SessionQuality } from "../../upkeep/public.js";
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

/** What `sessiondata quality --json` prints. Gap times are epoch ms. */
export interface QualityCommandResult {
  readonly db: string;
  readonly calendar: string;
  readonly from: string;
  readonly to: string;
  readonly totals: {
    readonly expected: number;
    readonly present: number;
    readonly missing: number;
    readonly quality: number;
    readonly gaps: number;
  };
  readonly sessions: readonly SessionQuality[];
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
    String(r.gaps),
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
  const t = result.totals;
  return [
    table,
    "",
    `${result.calendar} ${result.from}..${result.to}: expected ${formatNumber(t.expected, 0)}, present ${formatNumber(t.present, 0)}, missing ${formatNumber(t.missing, 0)} in ${formatNumber(t.gaps, 0)} gaps, quality ${formatNumber(t.quality, 2)}%`,
  ].join("\n");
}

/**
 * `sessiondata quality`: measures the stored bars (the DuckDB file) against the calendar, per
 * symbol and session, and prints a table (or, with `--json`, only the JSON document).
 */
export async function runQuality(
  options: QualityCommandOptions,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<QualityCommandResult> {
  checkDateOption("--from", options.from);
  checkDateOption("--to", options.to);
  const calendar = calendarByName(options.calendar);
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
    const stored = await storedSessionRange(store, symbols, calendar);
    const from = options.from ?? stored?.from;
    const to = options.to ?? stored?.to;
    if (from === undefined || to === undefined) {
      throw new InvalidArgumentError(`no bars stored in ${db}`);
    }
    if (from > to) {
      // An empty table with "quality 100%" would read as a clean bill of health.
      throw new InvalidArgumentError(
        `--from ${from} is after --to ${to}${options.from === undefined || options.to === undefined ? " (the other end is the stored range's)" : ""}`,
      );
    }
    const sessions = await assessQuality({ source: store, calendar, symbols, from, to, longest });
    let expected = 0;
    let present = 0;
    let gaps = 0;
    for (const r of sessions) {
      expected += r.expected;
      present += r.present;
      gaps += r.gaps;
    }
    const result: QualityCommandResult = {
      db,
      calendar: calendar.name,
      from,
      to,
      totals: {
        expected,
        present,
        missing: expected - present,
        quality: expected === 0 ? 100 : (present / expected) * 100,
        gaps,
      },
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
      "measure stored bars against the calendar: expected, present and missing bars, quality and the longest gaps per symbol and session",
    )
    .option("--symbols <list>", SYMBOLS_HELP)
    .option("--from <date>", "first session, YYYY-MM-DD (default: the first stored)")
    .option("--to <date>", "last session, YYYY-MM-DD (default: the last stored)")
    .option(...DB_OPTION)
    .option(...PG_OPTION)
    .option(...READ_ONLY_OPTION)
    .option(
      "--calendar <name>",
      `exchange calendar: ${Object.keys(CALENDAR_NAMES).join(", ")}`,
      "xnys",
    )
    .option("--longest <n>", "how many of the longest gaps to list per session", "3")
    .option("--json", "print only the result as JSON on stdout")
    .action(async (options: QualityCommandOptions) => {
      await runQuality(options);
    });
}
