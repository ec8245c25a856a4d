import type { Command } from "commander";
import { ExistingBarsError, InvalidArgumentError } from "../../domain/errors.js";
import { checkSampleOptions, generateSampleBars, symbolsWithBars } from "../../history/public.js";
import { CALENDAR_NAMES, calendarByName, numberOption } from "../options.js";
import { progressBar } from "../progress.js";
import {
  DB_OPTION,
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  openCommandStore,
  PG_OPTION,
} from "../store-options.js";

/** The options of `sessiondata generate`, as commander parses them. */
export interface GenerateCommandOptions {
  readonly symbols?: string;
  readonly from?: string;
  readonly to?: string;
  readonly seed?: string;
  readonly missingRate?: string;
  readonly calendar?: string;
  readonly extended?: boolean;
  readonly force?: boolean;
  readonly db?: string;
  readonly pg?: string;
  readonly json?: boolean;
}

/** What `sessiondata generate --json` prints. */
export interface GenerateCommandResult {
  readonly db: string;
  readonly calendar: string;
  readonly from: string;
  readonly to: string;
  readonly seed: number;
  readonly symbols: string[];
  readonly bars: number;
  readonly missing: number;
}

/** `--symbols 20` or `--symbols AAPL,MSFT`. */
function parseSymbols(value: string | undefined): number | string[] {
  if (value === undefined) return 20;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const names = value
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== "");
  if (names.length === 0)
    throw new InvalidArgumentError(`--symbols ${JSON.stringify(value)} names no symbol`);
  return names;
}

/**
 * `sessiondata generate`: writes deterministic sample bars (a random walk per symbol inside the
 * calendar's sessions) into the store, with a progress bar on stderr.
 */
export async function runGenerate(options: GenerateCommandOptions): Promise<GenerateCommandResult> {
  const calendar = calendarByName(options.calendar);
  const from = options.from ?? "2024-01-02";
  const to = options.to ?? "2024-01-31";
  const seed = numberOption("--seed", options.seed) ?? 1;
  const missingRate = numberOption("--missing-rate", options.missingRate) ?? 0;
  const symbols = parseSymbols(options.symbols);
  const bar = progressBar("symbols", 50);
  const sample = {
    symbols,
    from,
    to,
    seed,
    calendar,
    missingRate,
    extended: options.extended === true,
    onProgress: (done: number, total: number) => bar.update(done, total, "generate"),
    overwrite: options.force === true,
  };
  // Refuse bad options before the database is opened (or created empty) and the notice printed.
  const { symbols: names } = checkSampleOptions(sample);
  const { store, location: db } = await openCommandStore(options, "write");
  try {
    const held = await symbolsWithBars(store, names);
    if (held.length > 0 && options.force !== true) throw new ExistingBarsError(db, held);
    if (held.length > 0) {
      process.stderr.write(
        `sessiondata: --force: writing the sample over ${held.length} symbol${held.length === 1 ? " that holds" : "s that hold"} bars (${held
          .slice(0, 5)
          .map((h) => `${h.symbol} ${h.bars.toLocaleString("en-US")}`)
          .join(", ")}${held.length > 5 ? ", …" : ""})\n`,
      );
    }
    const count = typeof symbols === "number" ? symbols : symbols.length;
    process.stderr.write(
      `sessiondata: generating ${count} symbol${count === 1 ? "" : "s"} from ${from} to ${to} (${calendar.name}, seed ${seed}) into ${db}…\n`,
    );
    const r = await generateSampleBars(store, { ...sample, storeName: db });
    bar.stop();
    const result: GenerateCommandResult = {
      db,
      calendar: calendar.name,
      from,
      to,
      seed,
      symbols: r.symbols,
      bars: r.bars,
      missing: r.missing,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const names =
        r.symbols.length > 8 ? `${r.symbols.slice(0, 8).join(", ")}, …` : r.symbols.join(", ");
      process.stdout.write(
        `generated ${r.bars.toLocaleString("en-US")} bars for ${r.symbols.length} symbols (${names})` +
          `${r.missing > 0 ? `, ${r.missing.toLocaleString("en-US")} left out` : ""} into ${db}\n`,
      );
    }
    return result;
  } finally {
    bar.stop();
    await store.close();
  }
}

/** Registers `sessiondata generate`. */
export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description("write deterministic sample bars (a random walk per symbol) into the store")
    .option(
      "--symbols <n|list>",
      "how many symbols, or a comma-separated list (any case, stored upper case)",
      "20",
    )
    .option("--from <date>", "first session date, YYYY-MM-DD", "2024-01-02")
    .option("--to <date>", "last session date, YYYY-MM-DD (inclusive)", "2024-01-31")
    .option("--seed <n>", "same seed, same bars", "1")
    .option("--missing-rate <rate>", "share of bars left out, for gap-repair demos (0..1)", "0")
    .option(
      "--calendar <name>",
      `exchange calendar: ${Object.keys(CALENDAR_NAMES).join(", ")}`,
      "xnys",
    )
    .option("--extended", "also fill pre- and post-market hours")
    .option(
      "--force",
      "write over symbols that already hold bars (refused without it, naming them and their counts)",
    )
    .option(...DB_OPTION)
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option(...PG_OPTION)
    .option("--json", "print only the result as JSON on stdout")
    .action(async (options: GenerateCommandOptions) => {
      await runGenerate(options);
    });
}
