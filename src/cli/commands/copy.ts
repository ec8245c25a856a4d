import type { Command } from "commander";
import { InvalidArgumentError, SessiondataError } from "../../domain/errors.js";
import {
  type BarChunk,
  type BarStore,
  type Coverage,
  corporateActionsOf,
  DuckDbBarStore,
  openBulkWriter,
  openPostgresFromUrl,
} from "../../history/public.js";
import { progressBar } from "../progress.js";

/** The options of `sessiondata copy`, as commander parses them. */
export interface CopyCommandOptions {
  /** The DuckDB file to read. */
  readonly from?: string;
  /** The PostgreSQL store to read (a URL, `?schema=` optional). */
  readonly fromPg?: string;
  /** The DuckDB file to write (created when absent). */
  readonly to?: string;
  /** The PostgreSQL store to write (schema created on first use). */
  readonly toPg?: string;
  readonly json?: boolean;
}

/** What `sessiondata copy --json` prints. */
export interface CopyCommandResult {
  /** The source: a file path, or a URL with its password hidden. */
  readonly from: string;
  readonly to: string;
  /** Symbols with bars copied. */
  readonly symbols: number;
  /** Bars copied (every bar of the source). */
  readonly bars: number;
  /** Symbols whose info (calendar, time zone, precision) was copied. */
  readonly symbolInfo: number;
  /** Symbols whose factor rows (splits, dividends) were copied. */
  readonly factorFiles: number;
  /** Permanent tickers whose map rows (renames) were copied. */
  readonly mapFiles: number;
}

/** The copy's counts did not come out as they must: the destination is not to be trusted. */
export class CopyCountError extends SessiondataError {}

/** One end of the copy: a DuckDB file or a PostgreSQL URL. */
interface End {
  readonly kind: "duckdb" | "pg";
  readonly where: string;
}

function endOf(file: string | undefined, url: string | undefined, side: "from" | "to"): End {
  const given = [file, url].filter((x) => x !== undefined && x.trim() !== "");
  if (given.length !== 1) {
    throw new InvalidArgumentError(
      `sessiondata copy needs exactly one of --${side} FILE.duckdb and --${side}-pg URL${given.length > 1 ? `, not both` : ""}`,
    );
  }
  return file !== undefined && file.trim() !== ""
    ? { kind: "duckdb", where: file }
    : { kind: "pg", where: url! };
}

async function openEnd(
  end: End,
  readOnly: boolean,
): Promise<BarStore & { close(): Promise<void> }> {
  if (end.kind === "duckdb") return DuckDbBarStore.open(end.where, { readOnly });
  return openPostgresFromUrl(end.where, { readOnly });
}

function label(store: BarStore, end: End): string {
  if (end.kind === "duckdb") return end.where;
  const pg = store as unknown as { url: string; schema: string };
  return `${pg.url} (schema ${pg.schema})`;
}

/** The chunk's bars of each symbol as columns (scan order is kept within a symbol: by time). */
function splitBySymbol(chunk: BarChunk): Map<string, number[]> {
  const bySymbol = new Map<string, number[]>();
  for (let i = 0; i < chunk.length; i++) {
    const s = chunk.symbol[i]!;
    let rows = bySymbol.get(s);
    if (rows === undefined) bySymbol.set(s, (rows = []));
    rows.push(i);
  }
  return bySymbol;
}

function pick(values: Float64Array, rows: number[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = values[rows[j]!]!;
  return out;
}

/**
 * `sessiondata copy`: every bar (with its provenance), every symbol's info and every corporate
 * action (factor and map files) from one store to another, DuckDB file or PostgreSQL, in one transaction on the destination (an interrupted
 * copy leaves it as it was; running it again is exact, since writes are upserts). The counts are
 * checked at the end: a symbol new to the destination must hold exactly the source's bars.
 */
export async function runCopy(options: CopyCommandOptions): Promise<CopyCommandResult> {
  const fromEnd = endOf(options.from, options.fromPg, "from");
  const toEnd = endOf(options.to, options.toPg, "to");
  if (fromEnd.kind === toEnd.kind && fromEnd.where === toEnd.where) {
    throw new InvalidArgumentError(
      `sessiondata copy: --from and --to name the same store ${fromEnd.where}`,
    );
  }
  const source = await openEnd(fromEnd, true);
  try {
    const target = await openEnd(toEnd, false);
    try {
      return await copyAll(source, target, label(source, fromEnd), label(target, toEnd), options);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function copyAll(
  source: BarStore,
  target: BarStore,
  from: string,
  to: string,
  options: CopyCommandOptions,
): Promise<CopyCommandResult> {
  const symbols = await source.symbols();
  const expected = new Map<string, Coverage>();
  const before = new Map<string, Coverage | undefined>();
  let total = 0;
  for (const s of symbols) {
    const c = await source.coverage(s);
    if (c === undefined) continue;
    expected.set(s, c);
    total += c.count;
    before.set(s, await target.coverage(s));
  }
  process.stderr.write(
    `sessiondata: copying ${total.toLocaleString("en-US")} bars of ${expected.size} symbols from ${from} to ${to}…\n`,
  );
  const infos = await source.listSymbolInfo();
  const bar = progressBar("bars", 100_000);
  const writer = await openBulkWriter(target);
  let copied = 0;
  try {
    for await (const chunk of source.scan({
      from: Number.NEGATIVE_INFINITY,
      to: Number.POSITIVE_INFINITY,
    })) {
      for (const [symbol, rows] of splitBySymbol(chunk)) {
        const provenance = new Uint8Array(rows.length);
        for (let j = 0; j < rows.length; j++) provenance[j] = chunk.provenance[rows[j]!]!;
        writer.append(
          symbol,
          {
            time: pick(chunk.time, rows),
            open: pick(chunk.open, rows),
            high: pick(chunk.high, rows),
            low: pick(chunk.low, rows),
            close: pick(chunk.close, rows),
            volume: pick(chunk.volume, rows),
            provenance,
          },
          rows.length,
          true,
        );
      }
      copied += chunk.length;
      bar.update(copied, total, "copy");
    }
    bar.stop();
    if (copied !== total) {
      throw new CopyCountError(
        `${from} changed during the copy: it listed ${total.toLocaleString("en-US")} bars and its scan gave ${copied.toLocaleString("en-US")}; nothing was written, run the copy again`,
      );
    }
    if (total >= 100_000)
      process.stderr.write(
        `sessiondata: committing ${total.toLocaleString("en-US")} bars to ${to}…\n`,
      );
    await writer.commit();
  } catch (error) {
    bar.stop();
    await writer.abort();
    throw error;
  }
  for (const info of infos) await target.setSymbolInfo(info);
  const actions = await copyCorporateActions(source, target);
  for (const [symbol, want] of expected) {
    const had = before.get(symbol);
    const got = await target.coverage(symbol);
    const n = got?.count ?? 0;
    const exact = had === undefined;
    const ok = exact
      ? n === want.count
      : n >= Math.max(want.count, had.count) && n <= want.count + had.count;
    if (!ok) {
      throw new CopyCountError(
        `${to} holds ${n.toLocaleString("en-US")} bars of ${symbol} after the copy, where ${exact ? `exactly ${want.count.toLocaleString("en-US")}` : `${Math.max(want.count, had.count)} to ${want.count + had.count}`} were due (${from} has ${want.count.toLocaleString("en-US")})`,
      );
    }
  }
  const result: CopyCommandResult = {
    from,
    to,
    symbols: expected.size,
    bars: copied,
    symbolInfo: infos.length,
    ...actions,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `copied ${copied.toLocaleString("en-US")} bars of ${expected.size} symbols (and ${infos.length} symbols' info, ${actions.factorFiles} factor files, ${actions.mapFiles} map files) from ${from} to ${to}; counts checked\n`,
    );
  }
  return result;
}

/**
 * Every factor file and map file of the source into the target, in one all-or-nothing batch that
 * replaces the target's rows of each symbol and permanent ticker the source names (the target's
 * others stay). Both stores keep corporate actions (DuckDB, PostgreSQL): a source without any
 * copies none.
 */
async function copyCorporateActions(
  source: BarStore,
  target: BarStore,
): Promise<{ factorFiles: number; mapFiles: number }> {
  const from = corporateActionsOf(source);
  const to = corporateActionsOf(target);
  if (from === undefined || to === undefined) return { factorFiles: 0, mapFiles: 0 };
  const factorFiles = new Map<string, Awaited<ReturnType<typeof from.factorRows>>>();
  for (const symbol of await from.factorSymbols()) {
    factorFiles.set(symbol, await from.factorRows(symbol));
  }
  const mapFiles = new Map<string, Awaited<ReturnType<typeof from.mapRows>>>();
  for (const permtick of (await from.mapTickers()).keys()) {
    mapFiles.set(permtick, await from.mapRows(permtick));
  }
  if (factorFiles.size + mapFiles.size > 0)
    await to.writeCorporateActions({ factorFiles, mapFiles });
  return { factorFiles: factorFiles.size, mapFiles: mapFiles.size };
}

/** Registers `sessiondata copy`. */
export function registerCopy(program: Command): void {
  program
    .command("copy")
    .description(
      "copy every bar, symbol's info and corporate action between stores: a DuckDB file and PostgreSQL, either way",
    )
    .option("--from <file>", "DuckDB file to read")
    .option(
      "--from-pg <url>",
      "PostgreSQL store to read: postgres://USER@HOST:PORT/DB[?schema=NAME]",
    )
    .option("--to <file>", "DuckDB file to write (created when absent)")
    .option("--to-pg <url>", "PostgreSQL store to write (schema created on first use)")
    .option("--json", "print only the result as JSON on stdout")
    .action(async (options: CopyCommandOptions) => {
      await runCopy(options);
    });
}
