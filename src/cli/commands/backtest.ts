import cliProgress from "cli-progress";
import type { Command } from "commander";
import { DEFAULT_INDICATORS } from "../../analysis/analysis-engine.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { storedSessionRange } from "../../history/public.js";
import type { BacktestReport, ReplayHours, ReplaySpeed } from "../../stream/public.js";
import { SystemManager } from "../../system/public.js";
import {
  CALENDAR_NAMES,
  calendarByName,
  checkDateOption,
  listOption,
  numberOption,
  SYMBOLS_HELP,
  symbolsOption,
} from "../options.js";
import { formatBacktestReport } from "../report-format.js";
import { symbolsOrSample } from "../sample.js";
import {
  DB_OPTION,
  openCommandStore,
  PG_OPTION,
  READ_ONLY_OPTION,
  type StoreFlags,
} from "../store-options.js";

/** The options of `sessiondata backtest`, as commander parses them. */
export interface BacktestCommandOptions extends StoreFlags {
  readonly symbols?: string;
  readonly from?: string;
  readonly to?: string;
  readonly speed?: string;
  readonly calendar?: string;
  readonly hours?: string;
  readonly indicators?: string;
  readonly dropRate?: string;
  readonly seed?: string;
  readonly json?: boolean;
}

function parseSpeed(value: string | undefined): ReplaySpeed {
  if (value === undefined || value === "max") return "max";
  const speed = Number(value);
  if (!(Number.isFinite(speed) && speed > 0)) {
    throw new InvalidArgumentError(`--speed must be "max" or a positive number, got ${value}`);
  }
  return speed;
}

/**
 * `sessiondata backtest`: replays the historical store (the DuckDB file; a fixed sample is
 * generated into it first when it is empty) through session data with analysis, showing a
 * progress bar on stderr, and prints a report (or, with `--json`, only the report's JSON).
 */
export async function runBacktest(options: BacktestCommandOptions): Promise<BacktestReport> {
  checkDateOption("--from", options.from);
  checkDateOption("--to", options.to);
  const speed = parseSpeed(options.speed);
  const hours = (options.hours ?? "regular") as ReplayHours;
  const dropRate = numberOption("--drop-rate", options.dropRate);
  const seed = numberOption("--seed", options.seed);
  const indicators = listOption(options.indicators, "--indicators") ?? [...DEFAULT_INDICATORS];
  const calendar = calendarByName(options.calendar);
  const opened = await openCommandStore(options, "read-or-sample");
  const system = new SystemManager({
    calendar,
    indicators,
    // An extended-hours replay feeds pre- and post-market bars to the indicators too.
    extendedHours: hours === "extended",
    barStore: opened.store,
  });
  await system.start();
  try {
    const store = opened.store;
    const known = await symbolsOrSample(opened, calendar);
    const symbols = symbolsOption(options.symbols) ?? known;
    const unknown = symbols.filter((s) => !known.includes(s));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `unknown symbol${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (the store holds ${known.length} symbols: ${known.slice(0, 8).join(", ")}${known.length > 8 ? ", …" : ""})`,
      );
    }
    const stored = await storedSessionRange(store, symbols, calendar);
    const from = options.from ?? stored?.from;
    const to = options.to ?? stored?.to;
    if (from === undefined || to === undefined) {
      throw new InvalidArgumentError(`no bars stored for ${symbols.join(", ")}`);
    }
    // A range half taken from the store: say which end the user did not give, rather than
    // "from 2024-02-15 is after to 2024-01-31" about a --to never typed.
    if (from > to && (options.from === undefined || options.to === undefined)) {
      throw new InvalidArgumentError(
        options.to === undefined
          ? `empty range: --from ${from} is after the last stored session, ${to}`
          : `empty range: --to ${to} is before the first stored session, ${from}`,
      );
    }
    // Gap repair rides along by default (createBacktest's DataUpkeep), driven by the simulated
    // clock; backoff is only accounted, so the report depends on the data and options alone.
    const replay = system.dataManager.createBacktest({
      symbols,
      from,
      to,
      speed,
      hours,
      ...(dropRate === undefined ? {} : { dropRate }),
      ...(seed === undefined ? {} : { seed }),
    });
    // Ctrl-C ends a (slow, paced) replay early and still prints the report so far.
    const onInterrupt = () => replay.stop();
    process.once("SIGINT", onInterrupt);
    const report = await withProgressBar(replay, () => replay.run()).finally(() =>
      process.off("SIGINT", onInterrupt),
    );
    if (report.bars === 0) {
      throw new InvalidArgumentError(
        `empty range: no bars of ${symbols.length === 1 ? symbols[0] : `${symbols.length} symbols`} between ${from} and ${to}`,
      );
    }
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBacktestReport(report)}\n`,
    );
    return report;
  } finally {
    await system.stop();
    await opened.close();
  }
}

/** Shows a progress bar on stderr (a TTY only; cli-progress prints nothing otherwise) while `work` runs. */
async function withProgressBar<T>(
  replay: { on: SystemReplay["on"] },
  work: () => Promise<T>,
): Promise<T> {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "replay |{bar}| {percentage}% | {date} | {rate} bars/s",
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { date: "", rate: "0" });
  const off = replay.on("progress", (p) => {
    bar.update(Math.round(p.fraction * 1000), {
      date: p.date,
      rate: Math.round(p.barsPerSecond).toLocaleString("en-US"),
    });
  });
  try {
    return await work();
  } finally {
    off();
    bar.stop();
  }
}

type SystemReplay = ReturnType<SystemManager["dataManager"]["createBacktest"]>;

/** Registers `sessiondata backtest` (what `npm start` runs). */
export function registerBacktest(program: Command): void {
  program
    .command("backtest")
    .description(
      "replay stored bars through session data with analysis and gap repair, and print a report (generates a sample into an empty store first)",
    )
    .option("--symbols <list>", SYMBOLS_HELP)
    .option("--from <date>", "first session, YYYY-MM-DD (default: the first stored)")
    .option("--to <date>", "last session, YYYY-MM-DD (default: the last stored)")
    .option("--speed <speed>", '"max" or a multiple of real time (60 = a minute a second)', "max")
    .option("--hours <hours>", "regular or extended", "regular")
    .option(
      "--calendar <name>",
      `exchange calendar: ${Object.keys(CALENDAR_NAMES).join(", ")}`,
      "xnys",
    )
    .option("--indicators <list>", "indicator specs", DEFAULT_INDICATORS.join(","))
    .option(...DB_OPTION)
    .option(...PG_OPTION)
    .option(...READ_ONLY_OPTION)
    .option("--drop-rate <rate>", "fault injection: fraction of bars left out of the stream (0..1)")
    .option("--seed <n>", "seed of the dropped bars' generator")
    .option("--json", "print only the report as JSON on stdout")
    .action(async (options: BacktestCommandOptions) => {
      await runBacktest(options);
    });
}
