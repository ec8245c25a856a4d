import type { Command } from "commander";
import type { BarStore } from "../../history/bar-store.js";
import type { SymbolSummary } from "../../history/public.js";
import { formatTable } from "../report-format.js";
import {
  DB_OPTION,
  DUCKDB_MEMORY_LIMIT_OPTION,
  DUCKDB_THREADS_OPTION,
  openCommandStore,
  PG_OPTION,
  READ_ONLY_OPTION,
  type StoreFlags,
} from "../store-options.js";

/** The options of `sessiondata info`, as commander parses them. */
export interface InfoCommandOptions extends StoreFlags {
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
  const opened = await openCommandStore(options, "read");
  const db = opened.location;
  try {
    const infos = new Map((await opened.store.listSymbolInfo()).map((i) => [i.symbol, i]));
    const listing = await (opened.duckdb?.summary() ?? summaryOf(opened.store));
    const symbols = listing.map((s) => ({
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
    await opened.close();
  }
}

/** The listing from the port alone, for a store without DuckDB's one-query summary. */
async function summaryOf(
  store: BarStore,
): Promise<Pick<SymbolSummary, "symbol" | "first" | "last" | "count">[]> {
  const out: Pick<SymbolSummary, "symbol" | "first" | "last" | "count">[] = [];
  for (const symbol of (await store.symbols()).sort()) {
    const c = await store.coverage(symbol);
    if (c !== undefined) out.push({ symbol, ...c });
  }
  return out;
}

/** Registers `sessiondata info`. */
export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("list what the store holds: symbols, first and last bar, bar counts")
    .option(...DB_OPTION)
    .option(...DUCKDB_MEMORY_LIMIT_OPTION)
    .option(...DUCKDB_THREADS_OPTION)
    .option(...PG_OPTION)
    .option(...READ_ONLY_OPTION)
    .option("--json", "print only the listing as JSON on stdout")
    .action(async (options: InfoCommandOptions) => {
      await runInfo(options);
    });
}
