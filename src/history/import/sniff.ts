/**
 * What a file holds, from its first bytes and rows, checked against the format the user
 * declared before anything is written: `--format csv` on a LEAN zip, `--format parquet` on a
 * text file and UTF-16 text are refused with what the file is and what to pass instead.
 */
import { open } from "node:fs/promises";
import { ImportError } from "../../domain/errors.js";
import { parseNumber } from "./timestamps.js";

/** What a file's first bytes say it is. */
export type ContentKind = "parquet" | "zip" | "gzip" | "utf16" | "binary" | "text";

/** The formats an import reads (as `ImportOptions.format` names them). */
export type DeclaredFormat = "csv" | "lean" | "binance" | "parquet";

/** Reads up to `n` bytes from the start of a file. */
export async function readHead(path: string, n = 64 << 10): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = new Uint8Array(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The kind of content `head` (a file's first bytes) starts. */
export function kindOfBytes(head: Uint8Array): ContentKind {
  const at = (i: number) => head[i] ?? -1;
  if (at(0) === 0x50 && at(1) === 0x41 && at(2) === 0x52 && at(3) === 0x31) return "parquet";
  if (at(0) === 0x50 && at(1) === 0x4b && (at(2) === 3 || at(2) === 5) && at(3) === at(2) + 1) {
    return "zip";
  }
  if (at(0) === 0x1f && at(1) === 0x8b) return "gzip";
  if ((at(0) === 0xff && at(1) === 0xfe) || (at(0) === 0xfe && at(1) === 0xff)) return "utf16";
  // UTF-16 without a byte-order mark: ASCII text with a NUL beside every character.
  const n = Math.min(head.length, 512);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (head[i] === 0) {
      if (i % 2 === 0) even++;
      else odd++;
    }
  }
  if (n >= 4 && (odd >= (n / 2) * 0.6 || even >= (n / 2) * 0.6) && Math.min(even, odd) <= n / 50) {
    return "utf16";
  }
  return even + odd > 0 ? "binary" : "text";
}

/** Why a file that is not text cannot be read as text, for a refusal. */
export function describeKind(kind: ContentKind): string {
  switch (kind) {
    case "parquet":
      return "a Parquet file";
    case "zip":
      return "a zip file";
    case "gzip":
      return "gzip-compressed (decompress it first, e.g. gunzip)";
    case "utf16":
      return "UTF-16 text";
    case "binary":
      return "binary, not text (it holds NUL bytes)";
    case "text":
      return "text";
  }
}

/** Refuses content no text reader can take: UTF-16, gzip, other binary data. */
export function checkText(file: string, kind: ContentKind): void {
  if (kind === "utf16") {
    throw new ImportError(
      file,
      0,
      undefined,
      "the file is UTF-16; convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8, or save as CSV UTF-8)",
    );
  }
  if (kind === "gzip" || kind === "binary") {
    throw new ImportError(file, 0, undefined, `is ${describeKind(kind)}`);
  }
}

/** What the first rows of a text look like. */
export interface TextShape {
  /** `lean`: ms since midnight then numbers; `binance`: an epoch-ms open time then numbers. */
  readonly kind: "lean" | "binance" | "csv";
  /** The first row that is not a header, as written (cut to 80 characters). */
  readonly firstRow: string | undefined;
}

const DELIMITERS = [",", ";", "\t", "|"];

/** The shape of `text`'s first data row (a header line before it is passed over). */
export function shapeOfText(text: string): TextShape {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n|\r/, 6);
  for (const line of lines) {
    if (line.trim() === "") continue;
    const delim = DELIMITERS.reduce((a, d) =>
      line.split(d).length > line.split(a).length ? d : a,
    );
    const fields = line.split(delim).map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
    const numbers = fields.map((f) => parseNumber(f, 0, f.length));
    if (numbers.every(Number.isNaN)) continue; // a header
    const firstRow = line.length > 80 ? `${line.slice(0, 80)}…` : line;
    const allNumbers = fields.length >= 5 && numbers.slice(0, 5).every((v) => !Number.isNaN(v));
    const first = numbers[0]!;
    const integer = /^\d+$/.test(fields[0]!);
    if (allNumbers && integer && first < 86_400_000) return { kind: "lean", firstRow };
    if (allNumbers && fields.length >= 6 && integer && first >= 1e11) {
      return { kind: "binance", firstRow };
    }
    return { kind: "csv", firstRow };
  }
  return { kind: "csv", firstRow: undefined };
}

/**
 * Refuses a declared text format the content contradicts. `leanName` says whether the file
 * (or zip entry) is named like LEAN data; `columns` whether the user mapped the columns (then
 * the rows' shape is theirs to state and only the name is checked).
 */
export function checkDeclaredText(
  file: string,
  declared: DeclaredFormat | undefined,
  shape: TextShape,
  leanName: boolean,
  columns: boolean,
): void {
  if (declared === undefined || declared === "parquet") return;
  const row =
    shape.firstRow === undefined ? "" : ` (its first row: ${JSON.stringify(shape.firstRow)})`;
  const instead = "; leave --format out to detect it";
  if (declared !== "lean" && (leanName || (!columns && shape.kind === "lean"))) {
    throw new ImportError(
      file,
      0,
      undefined,
      `holds LEAN minute bars (times in milliseconds since midnight, prices × 10,000)${row}, not ${declared}: pass --format lean${instead}`,
    );
  }
  if (columns || shape.firstRow === undefined) return;
  if (declared === "lean" && shape.kind !== "lean") {
    throw new ImportError(
      file,
      0,
      undefined,
      `is not LEAN minute data${row}: LEAN rows start with milliseconds since midnight${instead}`,
    );
  }
  if (declared === "binance" && shape.kind !== "binance") {
    throw new ImportError(
      file,
      0,
      undefined,
      `is not Binance klines${row}: a kline row is numbers, the first an open time in epoch milliseconds${instead}`,
    );
  }
}

/** Refuses a declared format that says Parquet for other content, or text for Parquet. */
export function checkDeclaredContainer(
  file: string,
  declared: DeclaredFormat | undefined,
  kind: ContentKind,
): void {
  if (declared === "parquet" && kind !== "parquet") {
    throw new ImportError(
      file,
      0,
      undefined,
      `is not a Parquet file (it is ${describeKind(kind)})`,
    );
  }
  if (declared !== undefined && declared !== "parquet" && kind === "parquet") {
    throw new ImportError(
      file,
      0,
      undefined,
      `is a Parquet file, not ${declared}: pass --format parquet or leave --format out`,
    );
  }
}
