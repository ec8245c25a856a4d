import { existsSync } from "node:fs";
import type { Command } from "commander";
import { SessiondataError } from "../../domain/errors.js";
import { DuckDbBarStore } from "../../history/public.js";
import { resolveDbPath } from "../options.js";
import { formatTable } from "../report-format.js";

/** The options of `sessiondata info`, as commander parses them. */
export interface InfoCommandOptions {
  readonly db?: string;
  readonly json?: boolean;
}

/** One symbol of `sessiondata info --json`: times as ISO strings and epoch ms. */
export interface InfoSymbol {
  readonly symbol: string;
  readonly first: string;
  readonly last: string;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly bars: number;
  /** The calendar stored with the symbol (`null`: none stored; commands then use XNYS). */
  readonly calendar: string | null;
  /** The price decimals stored with the symbol (`null`: none stored; tables then print 2). */
  readonly priceDecimals: number | null;
}

/** What `sessiondata info --json` prints. */
export interface InfoCommandResult {
  readonly db: string;
  readonly symbols: InfoSymbol[];
  readonly bars: number;
}

const iso = (t: number): string => new Date(t).toISOString().replace(":00.000Z", "Z");

/** `sessiondata info`: what the store holds: each symbol's first and last bar and count. */
export async function runInfo(options: InfoCommandOptions): Promise<InfoCommandResult> {
  const db = resolveDbPath(options.db);
  if (db !== ":memory:" && !existsSync(db)) {
    throw new SessiondataError(
      `${db} does not exist (create it with sessiondata import or generate)`,
    );
  }
  const store = await DuckDbBarStore.open(db);
  try {
    const infos = new Map((await store.listSymbolInfo()).map((i) => [i.symbol, i]));
    const symbols = (await store.summary()).map((s) => ({
      symbol: s.symbol,
      first: iso(s.first),
      last: iso(s.last),
      firstTime: s.first,
      lastTime: s.last,
      bars: s.count,
      calendar: infos.get(s.symbol)?.calendar ?? null,
      priceDecimals: infos.get(s.symbol)?.priceDecimals ?? null,
    }));
    const result = { db, symbols, bars: symbols.reduce((n, s) => n + s.bars, 0) };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (symbols.length === 0) {
      process.stdout.write(`${db}: no bars\n`);
    } else {
      const rows = symbols.map((s) => [
        s.symbol,
        s.first,
        s.last,
        s.bars.toLocaleString("en-US"),
        s.calendar ?? "-",
        s.priceDecimals === null ? "-" : String(s.priceDecimals),
      ]);
      process.stdout.write(
        `${db}: ${symbols.length} symbols, ${result.bars.toLocaleString("en-US")} bars\n` +
          `${formatTable(["symbol", "first bar (UTC)", "last bar (UTC)", "bars", "calendar", "decimals"], rows)}\n`,
      );
    }
    return result;
  } finally {
    await store.close();
  }
}

/** Registers `sessiondata info`. */
export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("list what the store holds: symbols, first and last bar, bar counts")
    .option("--db <path>", "DuckDB file (default: $SESSIONDATA_DB or ./sessiondata.duckdb)")
    .option("--json", "print only the listing as JSON on stdout")
    .action(async (options: InfoCommandOptions) => {
      await runInfo(options);
    });
}
