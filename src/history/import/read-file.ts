/** Reads one planned file's rows into the sink (the second pass of an import). */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { ImportError } from "../../domain/errors.js";
import { type ColumnRole, type DelimitedSpec, readDelimited } from "./delimited.js";
import { detectText, symbolOfFileName } from "./import-names.js";
import type { ImportFormat, Settings } from "./import-options.js";
import { isCsvEntry, type PlannedFile } from "./import-plan.js";
import type { ImportSink } from "./import-sink.js";
import { isLeanName, LEAN_PRICE_SCALE, LEAN_TIME_ZONE, leanTimeOf, parseLeanName } from "./lean.js";
import { readParquet } from "./parquet.js";
import { checkDeclaredText, checkText, kindOfBytes, shapeOfText } from "./sniff.js";
import { TimestampParser } from "./timestamps.js";
import { ZipReader } from "./zip-stream.js";

/** Thrown inside a read when the import's signal fires; the import turns it into its refusal. */
export class ReadInterrupted extends Error {}

/** One text source: a file, or an entry of a zip. */
interface TextSource {
  /** As errors name it: the path, or `path:entry`. */
  readonly file: string;
  /** The entry's name inside a zip. */
  readonly entry: string | undefined;
  readonly format: ImportFormat;
  readonly chunks: AsyncIterable<string>;
}

async function* fileChunks(
  path: string,
  onBytes: (done: number, total: number) => void,
): AsyncGenerator<string> {
  const size = (await stat(path)).size;
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    onBytes(stream.bytesRead, size);
    yield chunk as string;
  }
}

/** Decodes a zip entry's bytes as UTF-8 across chunk splits. */
async function* decoded(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  yield decoder.decode(first, { stream: true });
  for (;;) {
    const next = await rest.next();
    if (next.done) break;
    yield decoder.decode(next.value, { stream: true });
  }
  const tail = decoder.decode();
  if (tail !== "") yield tail;
}

/** A zip's `.csv` entries as text sources, each checked (text, declared format) before it is read. */
async function* zipSources(
  planned: PlannedFile,
  settings: Settings,
  onBytes: (done: number, total: number) => void,
): AsyncGenerator<TextSource> {
  const { path } = planned;
  const reader = new ZipReader(path, isCsvEntry, onBytes);
  for await (const entry of reader.entries()) {
    const file = `${path}:${entry.name}`;
    const it = entry.chunks[Symbol.asyncIterator]();
    // The entry's first 4 KiB at least (a stored entry's first chunk may be a few bytes).
    const parts: Uint8Array[] = [];
    let length = 0;
    while (length < 4096) {
      const next = await it.next();
      if (next.done) break;
      parts.push(next.value);
      length += next.value.length;
    }
    const head = parts.length === 1 ? parts[0]! : new Uint8Array(Buffer.concat(parts));
    checkText(file, kindOfBytes(head));
    const text = Buffer.from(head.subarray(0, 64 << 10)).toString("utf8");
    const lean = isLeanName(path) || isLeanName(entry.name);
    checkDeclaredText(
      file,
      settings.format,
      shapeOfText(text),
      lean,
      settings.columns !== undefined,
    );
    const firstLine = text.slice(0, 4096).split(/\r?\n|\r/)[0] ?? "";
    const format = settings.format ?? (lean ? "lean" : detectText(entry.name, firstLine));
    yield { file, entry: entry.name, format, chunks: decoded(head, it) };
  }
}

/**
 * Reads one file's bars into the sink; resolves to its format and whether it had volume.
 * `beforeChunk` runs before each chunk of input (it throws {@link ReadInterrupted} to stop).
 */
export async function readPlannedFile(
  planned: PlannedFile,
  settings: Settings,
  sink: ImportSink,
  beforeChunk: () => void,
): Promise<{ format: ImportFormat; volume: boolean }> {
  const { options } = settings;
  const { path } = planned;
  const onBytes = (done: number, total: number) =>
    options.onProgress?.({ file: path, done, total });
  const base = {
    timestamps: new TimestampParser(options.tz),
    timeShift: settings.timeShift,
    maxLineBytes: settings.maxLineBytes,
    beforeChunk,
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
  };
  if (planned.container === "parquet") {
    const symbol = settings.symbol ?? planned.symbol ?? symbolOfFileName(path);
    const { volume } = await readParquet(
      {
        ...base,
        file: path,
        symbol,
        symbolGiven: settings.symbol !== undefined,
        ...(settings.columns === undefined ? {} : { columns: settings.columns }),
        ...(options.tz === undefined ? {} : { tz: options.tz }),
        priceScale: options.priceScale ?? 1,
        onRows: (done, total) => options.onProgress?.({ file: path, done, total }),
      },
      sink,
    );
    return { format: "parquet", volume };
  }
  const sources: AsyncIterable<TextSource> | Iterable<TextSource> =
    planned.container === "zip"
      ? zipSources(planned, settings, onBytes)
      : [
          {
            file: path,
            entry: undefined,
            format: planned.format,
            chunks: fileChunks(path, onBytes),
          },
        ];
  let volume = true;
  let format: ImportFormat | undefined;
  /** The symbol the first entry named (entries naming others are refused under --symbol). */
  let named: string | undefined;
  for await (const source of sources) {
    const { file, entry } = source;
    sink.setSource(file);
    format ??= source.format;
    let symbol: string;
    let spec: Pick<DelimitedSpec, "columns" | "header" | "timeOf" | "priceScale">;
    if (source.format === "lean") {
      const lean = parseLeanName(path, entry);
      if (lean.kind !== "trade") {
        throw new ImportError(
          file,
          0,
          undefined,
          `holds LEAN ${lean.kind} bars; only trade bars are supported`,
        );
      }
      if (lean.ticker === undefined && settings.symbol === undefined) {
        throw new ImportError(file, 0, undefined, "names no ticker; give --symbol");
      }
      symbol = lean.ticker ?? settings.symbol!;
      spec = {
        columns: settings.columns ?? ["time", "open", "high", "low", "close", "volume"],
        header: false,
        timeOf: leanTimeOf(lean.date, options.tz ?? LEAN_TIME_ZONE),
        priceScale: options.priceScale ?? LEAN_PRICE_SCALE,
      };
    } else {
      symbol = symbolOfFileName(entry ?? path);
      const columns =
        settings.columns ??
        (source.format === "binance"
          ? (["time", "open", "high", "low", "close", "volume"] as ColumnRole[])
          : undefined);
      spec = { ...(columns === undefined ? {} : { columns }), priceScale: options.priceScale ?? 1 };
    }
    if (settings.symbol !== undefined) {
      named ??= symbol;
      if (symbol !== named) {
        throw new ImportError(
          file,
          0,
          undefined,
          `names ${symbol}, another symbol than ${named} before it in the zip: --symbol ${settings.symbol} would store both as one. Leave --symbol out to import each under its own name`,
        );
      }
      symbol = settings.symbol;
    }
    const r = await readDelimited(
      source.chunks,
      { ...base, ...spec, file, symbol, symbolGiven: settings.symbol !== undefined },
      sink,
    );
    volume &&= r.volume;
  }
  if (format === undefined) throw new ImportError(path, 0, undefined, "holds no .csv entry");
  return { format, volume };
}
