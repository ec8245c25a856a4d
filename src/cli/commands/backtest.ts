import type { ChildProcess } from "node:child_process";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { DEFAULT_INDICATORS } from "../../analysis/analysis-engine.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { ADJUST_MODES, AdjustedBarStore, checkAdjustMode } from "../../history/public.js";
import type { BacktestReport, ReplayHours, ReplaySpeed } from "../../stream/public.js";
import { SystemManager } from "../../system/public.js";
import { releaseShardWorkers } from "../../system/sharded-backtest.js";
import { calendarsLine, planByCalendar, runCalendarPlans } from "../backtest-plan.js";
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
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  exportDuckDbTuning,
  openCommandStore,
  PG_OPTION,
  READ_ONLY_OPTION,
  type StoreFlags,
} from "../store-options.js";
import { forkCommandWorkers, runShardedCommand } from "./backtest-shards.js";
import { withPublisher } from "./publish-option.js";

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
  readonly adjust?: string;
  readonly json?: boolean;
  readonly publish?: string;
  readonly shards?: string;
  readonly bus?: string;
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
 * Each symbol replays on its stored calendar (one replay per calendar, reports merged) unless
 * `--calendar` names one for all, and from its first stored bar to its last; prices print at its
 * stored `priceDecimals`.
 *
 * @example
 * ```ts
 * const report = await runBacktest({ db: "mixed.duckdb", json: true });
 * report.symbols.ADABTC.lastBarTime; // its own last bar, on 24/7
 * ```
 */
export async function runBacktest(
  options: BacktestCommandOptions,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<BacktestReport> {
  // `--shards`: the workers start loading now, while this process opens the store and plans.
  const workers = forkCommandWorkers(options.shards, options.bus);
  try {
    return await backtestWith(options, write, workers);
  } finally {
    releaseShardWorkers(workers);
  }
}

async function backtestWith(
  options: BacktestCommandOptions,
  write: (text: string) => void,
  workers: readonly ChildProcess[] | undefined,
): Promise<BacktestReport> {
  checkDateOption("--from", options.from);
  checkDateOption("--to", options.to);
  const speed = parseSpeed(options.speed);
  const hours = (options.hours ?? "regular") as ReplayHours;
  const dropRate = numberOption("--drop-rate", options.dropRate);
  const seed = numberOption("--seed", options.seed);
  const indicators = listOption(options.indicators, "--indicators") ?? [...DEFAULT_INDICATORS];
  const calendar = calendarByName(options.calendar);
  const adjust = checkAdjustMode(options.adjust);
  const opened = await openCommandStore(options, "read-or-sample");
  // Shards open the file in their own processes, which inherit this environment.
  if (options.shards !== undefined) exportDuckDbTuning(options);
  const system = new SystemManager({
    calendar,
    indicators,
    // An extended-hours replay feeds pre- and post-market bars to the indicators too.
    extendedHours: hours === "extended",
    barStore: opened.store,
  });
  await system.start();
  try {
    // Listed and ranged through the corporate view: a permanent ticker (map files) is known
    // over the range its old tickers' bars cover.
    const raw = opened.store;
    await symbolsOrSample(opened, calendar);
    const store = new AdjustedBarStore({ barStore: raw, calendar });
    const known = await store.symbols();
    const symbols = symbolsOption(options.symbols) ?? known;
    const unknown = symbols.filter((s) => !known.includes(s));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `unknown symbol${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (the store holds ${known.length} symbols: ${known.slice(0, 8).join(", ")}${known.length > 8 ? ", …" : ""})`,
      );
    }
    const plans = await planByCalendar(store, symbols, options);
    // Read before a sharded run closes this process's handle on the file.
    const priceDecimals = Object.fromEntries(
      (await store.listSymbolInfo()).map((i) => [i.symbol, i.priceDecimals]),
    );
    const report =
      options.shards !== undefined
        ? await runShardedCommand(system, plans, {
            shards: options.shards,
            speed,
            hours,
            indicators,
            adjust,
            dropRate,
            seed,
            bus: options.bus,
            publish: options.publish,
            dbPath: opened.duckdb === undefined ? undefined : opened.location,
            closeStore: () => opened.close(),
            workers,
          })
        : await runCalendarPlans(
            system,
            raw,
            plans,
            {
              adjust,
              indicators,
              hours,
              speed,
              ...(dropRate === undefined ? {} : { dropRate }),
              ...(seed === undefined ? {} : { seed }),
            },
            (replay, k, n, sessionData) =>
              withProgressBar(
                replay,
                () => withPublisher(options.publish, sessionData, replay, () => replay.run()),
                k,
                n,
              ),
          );
    if (report.bars === 0) {
      const { from, to } = plans[0]!;
      throw new InvalidArgumentError(
        `empty range: no bars of ${symbols.length === 1 ? symbols[0] : `${symbols.length} symbols`} between ${from} and ${to}`,
      );
    }
    const footer = calendarsLine(plans);
    write(
      options.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${formatBacktestReport(report, { priceDecimals })}${footer === "" ? "" : `\n${footer}`}\n`,
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
  part = 0,
  parts = 1,
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
    bar.update(Math.round(((part + p.fraction) / parts) * 1000), {
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
      `exchange calendar for every symbol: ${Object.keys(CALENDAR_NAMES).join(", ")} (default: each symbol's stored calendar, else XNYS)`,
    )
    .option("--indicators <list>", "indicator specs", DEFAULT_INDICATORS.join(","))
    .option(...DB_OPTION)
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option(...PG_OPTION)
    .option(...READ_ONLY_OPTION)
    .option("--drop-rate <rate>", "fault injection: fraction of bars left out of the stream (0..1)")
    .option("--seed <n>", "seed of the dropped bars' generator")
    .option(
      "--adjust <mode>",
      `corporate actions: ${ADJUST_MODES.join(", ")} (split: split-adjusted prices; total: dividends too; raw: raw prices, indicators rescaled at splits)`,
      "split",
    )
    .option("--json", "print only the report as JSON on stdout")
    .option("--shards <n>", "split the symbols over n worker processes (same report)")
    .option("--bus <url>", "with --shards: send them to `shard-worker` processes over NATS")
    .option("--publish <url>", "publish every replayed bar to NATS JetStream (see `replica`)")
    .action(async (options: BacktestCommandOptions) => {
      await runBacktest(options);
    });
}
