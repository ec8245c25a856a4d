import type { Command } from "commander";
import { xnysCalendar } from "../../calendar/xnys.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { checkListenPolicy } from "../../server/auth.js";
import { startServer } from "../../server/public.js";
import { DEFAULT_INDICATORS, SystemManager } from "../../system/public.js";
import { CALENDAR_NAMES, calendarByName, listOption, resolveDbPath } from "../options.js";
import { symbolsOrSample } from "../sample.js";
import { commandCalendar } from "../stored-calendar.js";

/** The options of `sessiondata serve`, as commander parses them. */
export interface ServeCommandOptions {
  readonly port?: string;
  readonly host?: string;
  readonly db?: string;
  readonly token?: string;
  readonly indicators?: string;
  readonly calendar?: string;
}

/** A running `serve`: its URL and how to end it. */
export interface RunningServe {
  readonly url: string;
  /** Closes the server and the database. */
  close(): Promise<void>;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 8080;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError(
      `--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`,
    );
  }
  return port;
}

/**
 * Starts the API, WebSocket and dashboard over the DuckDB store (a fixed sample is generated into
 * an empty store first, as `backtest` does). Checks the host/token policy before opening anything.
 * The token may also come from `SESSIONDATA_TOKEN` (so it does not show in the process list).
 */
export async function runServe(options: ServeCommandOptions): Promise<RunningServe> {
  const port = parsePort(options.port);
  const host = options.host ?? "127.0.0.1";
  const envToken = process.env.SESSIONDATA_TOKEN;
  const token = options.token ?? (envToken === undefined || envToken === "" ? undefined : envToken);
  checkListenPolicy(host, token);
  const indicators = listOption(options.indicators, "--indicators") ?? [...DEFAULT_INDICATORS];
  const override = options.calendar === undefined ? undefined : calendarByName(options.calendar);
  const opener = new SystemManager({
    calendar: override ?? xnysCalendar,
    indicators,
    dbPath: resolveDbPath(options.db),
  });
  await opener.start();
  let system = opener;
  try {
    const store = opener.dataManager.barStore;
    await symbolsOrSample(store, opener.dbPath, opener.calendar);
    // The calendar the symbols were imported with, unless --calendar names one.
    const calendar = await commandCalendar(store, options.calendar);
    if (calendar !== opener.calendar) {
      system = new SystemManager({ calendar, indicators, barStore: store });
    }
    const server = await startServer({
      sessionData: system.sessionData,
      barStore: store,
      calendar: system.calendar,
      analysis: system.analysisEngine,
      port,
      host,
      ...(token === undefined ? {} : { token }),
    });
    const shown = token === undefined ? server.url : `${server.url}/#token=<your token>`;
    process.stderr.write(
      `sessiondata: serving ${opener.dbPath ?? "the bar store"}\n  dashboard ${shown}\n  API       ${server.url}/api/symbols\n  WebSocket ${server.url.replace(/^http/, "ws")}/ws\n`,
    );
    return {
      url: server.url,
      async close() {
        await server.close();
        if (system !== opener) await system.stop();
        await opener.stop();
      },
    };
  } catch (error) {
    if (system !== opener) await system.stop();
    await opener.stop();
    throw error;
  }
}

/** Registers `sessiondata serve`. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the live dashboard, the HTTP API and the WebSocket feed (Ctrl-C stops)")
    .option("--port <port>", "TCP port (0: any free port)", "8080")
    .option(
      "--host <address>",
      "address to listen on; anything but loopback requires --token",
      "127.0.0.1",
    )
    .option("--db <path>", "DuckDB file (default: $SESSIONDATA_DB or ./sessiondata.duckdb)")
    .option(
      "--token <token>",
      "bearer token for /api and /ws (or $SESSIONDATA_TOKEN); at least 16 characters",
    )
    .option("--indicators <list>", "indicator specs", DEFAULT_INDICATORS.join(","))
    .option(
      "--calendar <name>",
      `exchange calendar: ${Object.keys(CALENDAR_NAMES).join(", ")} (default: the symbols' stored calendar, else XNYS)`,
    )
    .action(async (options: ServeCommandOptions) => {
      const running = await runServe(options);
      // Serve until SIGINT/SIGTERM, then close cleanly so the DuckDB file is released.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await running.close();
    });
}
