import type { Command } from "commander";
import { alwaysOpenCalendar } from "../../calendar/utc-day-calendar.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import type { WallClock } from "../../domain/wall-clock.js";
import { MemoryBarStore } from "../../history/memory-bar-store.js";
import { AlpacaBarFeed } from "../../live/alpaca/alpaca-bar-feed.js";
import { BinanceKlineFeed } from "../../live/binance/binance-kline-feed.js";
import type { LiveFeed } from "../../live/live-feed.js";
import { startSimFeed } from "../../live/sim/sim-exchange.js";
import { startServer } from "../../server/public.js";
import { LiveSession } from "../../system/live-session.js";
import { liveStatusSource } from "../../system/live-status.js";
import { DEFAULT_INDICATORS, SystemManager } from "../../system/public.js";
import { calendarByName, listOption, numberOption } from "../options.js";
import { symbolsOrSample } from "../sample.js";
import {
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  exportDuckDbTuning,
} from "../store-options.js";
import { startPublisher } from "./publish-option.js";

/** The options of `sessiondata live`, as commander parses them. */
export interface LiveCommandOptions {
  readonly feed?: string;
  readonly symbols?: string;
  readonly wsUrl?: string;
  readonly restUrl?: string;
  readonly db?: string;
  readonly duckdbMemoryLimit?: string;
  readonly duckdbThreads?: string;
  readonly duration?: string;
  readonly speed?: string;
  readonly calendar?: string;
  readonly serve?: boolean;
  readonly port?: string;
  readonly json?: boolean;
  readonly publish?: string;
}

/** What `sessiondata live --json` prints (the pinned shape). */
export interface LiveSummary {
  readonly feed: string;
  readonly symbols: readonly string[];
  readonly bars: number;
  readonly late: number;
  readonly refilled: number;
  readonly corrected: number;
  readonly reconnects: number;
  readonly stored: number;
}

const FEEDS = ["sim", "binance", "alpaca"] as const;

/**
 * `sessiondata live`: a live session from a feed into session data (with analysis), persisted to
 * the store, upkeep repairing from the feed's backfill; `--serve` starts the dashboard on the
 * same session data. Stops after `--duration` seconds or on SIGINT/SIGTERM, then reports.
 */
export async function runLive(
  options: LiveCommandOptions,
  until?: (stop: () => void) => void,
): Promise<LiveSummary> {
  const feedName = options.feed ?? "sim";
  if (!(FEEDS as readonly string[]).includes(feedName)) {
    throw new InvalidArgumentError(
      `--feed must be one of ${FEEDS.join(", ")}, got ${JSON.stringify(feedName)}`,
    );
  }
  const duration = numberOption("--duration", options.duration);
  if (duration !== undefined && !(duration > 0)) {
    throw new InvalidArgumentError(`--duration must be > 0 seconds, got ${options.duration}`);
  }
  const speed = numberOption("--speed", options.speed) ?? 60;
  if (!(speed > 0)) throw new InvalidArgumentError(`--speed must be > 0, got ${options.speed}`);
  const given = listOption(options.symbols, "--symbols")?.map((s) => s.toUpperCase());
  if (feedName !== "sim" && given === undefined) {
    throw new InvalidArgumentError(
      `--feed ${feedName} needs --symbols (e.g. ${feedName === "binance" ? "BTCUSDT,ETHUSDT" : "AAPL,MSFT"})`,
    );
  }
  if (feedName === "alpaca" && !(process.env.APCA_API_KEY_ID && process.env.APCA_API_SECRET_KEY)) {
    throw new InvalidArgumentError(
      "--feed alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment",
    );
  }
  const calendar =
    feedName === "binance" && options.calendar === undefined
      ? alwaysOpenCalendar
      : calendarByName(options.calendar);
  // The SystemManager opens the file: the flags reach it through this process's environment.
  exportDuckDbTuning(options);
  const system = new SystemManager({
    calendar,
    indicators: [...DEFAULT_INDICATORS],
    ...(options.db === undefined ? {} : { dbPath: options.db }),
  });
  await system.start();
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const store = system.dataManager.barStore;
    let feed: LiveFeed;
    let clock: WallClock | undefined;
    let symbols: string[];
    // The sim replays the store's day into memory, so the user's file keeps its bars as imported.
    let persistTo = store;
    if (feedName === "sim") {
      const location = system.dbPath ?? "the bar store";
      const known = await symbolsOrSample({ store, location, sampleAllowed: true }, calendar);
      symbols = given ?? known;
      const unknown = symbols.filter((s) => !known.includes(s));
      if (unknown.length > 0) {
        throw new InvalidArgumentError(
          `--feed sim replays stored bars; the store has none for ${unknown.join(", ")}`,
        );
      }
      const sim = await startSimFeed({ barStore: store, symbols, calendar, speed });
      cleanups.push(() => sim.close());
      feed = sim.feed;
      clock = sim.clock;
      persistTo = new MemoryBarStore();
      process.stderr.write(
        `sessiondata: sim feed replaying ${sim.date} (${calendar.name}) at ${speed}x on ${sim.exchange.wsUrl}\n`,
      );
    } else {
      symbols = given ?? [];
      const urls = {
        ...(options.wsUrl === undefined ? {} : { wsUrl: options.wsUrl }),
        ...(options.restUrl === undefined ? {} : { restUrl: options.restUrl }),
      };
      // Alpaca's keys come from APCA_API_KEY_ID / APCA_API_SECRET_KEY inside the feed.
      feed = feedName === "alpaca" ? new AlpacaBarFeed(urls) : new BinanceKlineFeed(urls);
    }
    const lateAfterMs = feedName === "sim" ? Math.max(5_000, speed * 500) : 5_000;
    const session = new LiveSession({
      feed,
      sessionData: system.sessionData,
      barStore: persistTo,
      warmFrom: store,
      symbols,
      ...(clock === undefined ? {} : { clock }),
      lateAfterMs,
    });
    feed.on("status", (s) => {
      if (!options.json || s.state !== "live") {
        process.stderr.write(
          `sessiondata: ${feed.name} ${s.state}${s.reason === undefined ? "" : ` (${s.reason})`}\n`,
        );
      }
    });
    // Stopped after the session (cleanups run first to last), so its last bars go out too.
    if (options.publish !== undefined) {
      cleanups.unshift(await startPublisher(options.publish, system.sessionData));
    }
    await session.start();
    cleanups.unshift(() => session.stop());
    if (options.serve === true) {
      const port = numberOption("--port", options.port) ?? 8080;
      const server = await startServer({
        sessionData: system.sessionData,
        barStore: store,
        calendar,
        analysis: system.analysisEngine,
        upkeep: false,
        status: liveStatusSource(feed, session),
        port,
      });
      cleanups.unshift(() => server.close());
      process.stderr.write(`sessiondata: dashboard ${server.url}\n`);
    }
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      if (duration !== undefined) timer = setTimeout(stop, duration * 1000);
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      until?.(stop);
    });
    for (const c of cleanups.splice(0)) await c();
    const counts = session.counts();
    return {
      feed: feed.name,
      symbols,
      bars: counts.bars,
      late: counts.late,
      refilled: counts.refilled,
      corrected: counts.corrected,
      reconnects: counts.reconnects,
      stored: counts.stored,
    };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    await system.stop();
  }
}

/** Registers `sessiondata live`. */
export function registerLive(program: Command): void {
  program
    .command("live")
    .description(
      "run a live session from a feed (sim: the store's last day replayed as Binance klines, no account needed)",
    )
    .option("--feed <name>", `feed: ${FEEDS.join(", ")}`, "sim")
    .option("--symbols <list>", "comma-separated symbols (sim: the store's by default)")
    .option(
      "--ws-url <url>",
      "WebSocket base URL (binance: wss://stream.binance.com:9443, alpaca: wss://stream.data.alpaca.markets)",
    )
    .option(
      "--rest-url <url>",
      "REST base URL for backfill (binance: https://api.binance.com, alpaca: https://data.alpaca.markets)",
    )
    .option("--db <path>", "DuckDB file (default: $SESSIONDATA_DB or ./sessiondata.duckdb)")
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option("--duration <seconds>", "stop after this many real seconds (default: Ctrl-C)")
    .option("--speed <n>", "sim: session minutes per real minute", "60")
    .option("--calendar <name>", "calendar (default: XNYS for sim and alpaca, 24/7 for binance)")
    .option("--serve", "also serve the dashboard on the live session")
    .option("--port <port>", "dashboard port with --serve (0: any free port)", "8080")
    .option("--json", "print only the summary JSON on stdout")
    .option("--publish <url>", "publish every bar to NATS JetStream (see `replica`)")
    .action(async (options: LiveCommandOptions) => {
      const summary = await runLive(options);
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        process.stdout.write(
          `${summary.feed}: ${summary.symbols.length} symbols, ${summary.bars} bars (${summary.refilled} refilled, ${summary.corrected} corrected), ${summary.late} late, ${summary.reconnects} reconnects, ${summary.stored} stored\n`,
        );
      }
    });
}
