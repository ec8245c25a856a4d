import type { Command } from "commander";
import { InvalidArgumentError } from "../../domain/errors.js";
import { ADJUST_MODES, checkAdjustMode } from "../../history/public.js";
import { checkListenPolicy } from "../../server/auth.js";
import { startServer } from "../../server/public.js";
import { DEFAULT_INDICATORS, SystemManager } from "../../system/public.js";
import { CALENDAR_NAMES, calendarByName, listOption } from "../options.js";
import {
  DB_OPTION,
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  openCommandStore,
  PG_OPTION,
  READ_ONLY_OPTION,
  type StoreFlags,
} from "../store-options.js";
import { commandCalendar } from "../stored-calendar.js";

/** The options of `sessiondata serve`, as commander parses them. */
export interface ServeCommandOptions extends StoreFlags {
  readonly port?: string;
  readonly host?: string;
  readonly token?: string;
  readonly indicators?: string;
  readonly calendar?: string;
  /** Corporate actions of the dashboard's replays: raw, split (default) or total. */
  readonly adjust?: string;
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
 * Starts the API, WebSocket and dashboard over the DuckDB store (which must exist: `serve` never
 * generates a sample; `--read-only` shares the file with other readers). Checks the host/token policy before opening anything.
 * The token may also come from `SESSIONDATA_TOKEN` (so it does not show in the process list).
 */
export async function runServe(options: ServeCommandOptions): Promise<RunningServe> {
  const port = parsePort(options.port);
  const host = options.host ?? "127.0.0.1";
  const envToken = process.env.SESSIONDATA_TOKEN;
  const token = options.token ?? (envToken === undefined || envToken === "" ? undefined : envToken);
  checkListenPolicy(host, token);
  // Named: the engine computes them and the chart draws them. Not named: the engine's defaults,
  // and the chart keeps its own (which add MACD's pane).
  const asked = listOption(options.indicators, "--indicators");
  const indicators = asked ?? [...DEFAULT_INDICATORS];
  // A bad --calendar is refused before the database is opened.
  if (options.calendar !== undefined) calendarByName(options.calendar);
  const adjust = checkAdjustMode(options.adjust);
  const opened = await openCommandStore(options, "read");
  const store = opened.store;
  let system: SystemManager | undefined;
  try {
    // The calendar the symbols were imported with, unless --calendar names one.
    const calendar = await commandCalendar(store, options.calendar);
    const started = new SystemManager({ calendar, indicators, barStore: store });
    system = started;
    await started.start();
    const server = await startServer({
      sessionData: started.sessionData,
      barStore: store,
      calendar: started.calendar,
      adjust,
      analysis: started.analysisEngine,
      ...(asked === undefined ? {} : { indicators: asked }),
      port,
      host,
      ...(token === undefined ? {} : { token }),
    });
    const shown = token === undefined ? server.url : `${server.url}/#token=<your token>`;
    process.stderr.write(
      `sessiondata: serving ${opened.location}${opened.readOnly ? " (read-only)" : ""}\n  dashboard ${shown}\n  API       ${server.url}/api/symbols\n  WebSocket ${server.url.replace(/^http/, "ws")}/ws\n`,
    );
    return {
      url: server.url,
      async close() {
        await server.close();
        await started.stop();
        await opened.close();
      },
    };
  } catch (error) {
    await system?.stop();
    await opened.close();
    if ((error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE") {
      throw new InvalidArgumentError(`port ${port} is in use; pass --port`, { cause: error });
    }
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
    .option(...DB_OPTION)
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option(...PG_OPTION)
    .option(...READ_ONLY_OPTION)
    .option(
      "--token <token>",
      "bearer token for /api and /ws (or $SESSIONDATA_TOKEN); at least 16 characters",
    )
    .option(
      "--indicators <list>",
      `indicator specs of the engine and the chart (default ${DEFAULT_INDICATORS.join(",")}; the chart adds macd)`,
    )
    .option(
      "--adjust <mode>",
      `corporate actions of replays: ${ADJUST_MODES.join(", ")} (default split)`,
    )
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
