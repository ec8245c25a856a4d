/**
 * Splits streamed text into lines in bounded memory: a line longer than the limit is refused
 * (or passed over) as soon as that much of it has arrived, never gathered whole, so a file that
 * is one 200 MB line costs one chunk of memory and the time to read 1 MiB.
 */

/** How {@link forEachLine} reads. */
export interface LineOptions {
  /** The longest line accepted, in characters (bytes, for the ASCII of bar files). */
  readonly maxLineBytes: number;
  /**
   * Called with the 1-based number of a line over the limit: throws to stop the read, or
   * returns to pass the line over (the rest of it is skipped unread, up to its newline).
   */
  readonly tooLong: (line: number) => void;
  /** Called before each chunk (an abort check). */
  readonly beforeChunk?: () => void;
}

/**
 * Calls `each(text, start, end, line)` for every line of `chunks` (any split), `end` exclusive
 * and before the newline (a CR before it is removed). Lines ending in a lone CR (classic Mac,
 * Excel's "CSV (Macintosh)") are told from the first chunk.
 */
export async function forEachLine(
  chunks: AsyncIterable<string> | Iterable<string>,
  options: LineOptions,
  each: (text: string, s: number, e: number, line: number) => void,
): Promise<void> {
  const max = options.maxLineBytes;
  /** The start of the current line, in pieces (joined once its end arrives: linear, not quadratic). */
  let parts: string[] = [];
  let partsLength = 0;
  let line = 0;
  /** Set while the rest of a refused long line is passed over. */
  let skipping = false;
  let crOnly: boolean | undefined;
  const emit = (text: string, s: number, e: number): void => {
    line++;
    if (e - s > max) {
      options.tooLong(line);
      return;
    }
    if (e > s && text.charCodeAt(e - 1) === 13) e--;
    each(text, s, e, line);
  };
  /** A CR that ended the chunk before: held back so a CRLF is never split between chunks. */
  let held = "";
  const chunkOf = (raw: string): string => {
    if (crOnly === undefined) {
      const lf = raw.indexOf("\n");
      const cr = raw.indexOf("\r");
      // Lone-CR lines when the first line end is a CR that no LF follows.
      if (lf >= 0 || cr >= 0) crOnly = cr >= 0 && (lf < 0 || cr < lf) && raw[cr + 1] !== "\n";
    }
    return crOnly ? raw.replaceAll("\r", "\n") : raw;
  };
  for await (const input of chunks) {
    options.beforeChunk?.();
    let raw = held + input;
    held = "";
    if (raw.endsWith("\r")) {
      held = "\r";
      raw = raw.slice(0, -1);
    }
    const chunk = chunkOf(raw);
    let s = 0;
    let text = chunk;
    if (skipping) {
      const nl = chunk.indexOf("\n");
      if (nl < 0) continue;
      skipping = false;
      s = nl + 1;
    } else if (partsLength > 0) {
      const nl = chunk.indexOf("\n");
      const head = nl < 0 ? chunk.length : nl;
      if (partsLength + head > max) {
        line++;
        options.tooLong(line);
        parts = [];
        partsLength = 0;
        if (nl < 0) {
          skipping = true;
          continue;
        }
        s = nl + 1;
      } else if (nl < 0) {
        parts.push(chunk);
        partsLength += chunk.length;
        continue;
      } else {
        parts.push(chunk);
        text = parts.join("");
        parts = [];
        partsLength = 0;
      }
    }
    for (;;) {
      const nl = text.indexOf("\n", s);
      if (nl < 0) break;
      emit(text, s, nl);
      s = nl + 1;
    }
    const rest = text.length - s;
    if (rest > max) {
      line++;
      options.tooLong(line);
      skipping = true;
    } else if (rest > 0) {
      parts.push(s === 0 ? text : text.slice(s));
      partsLength = rest;
    }
  }
  if (held !== "" && !skipping) {
    // The text ends in a CR: a line end in either mode.
    const last = parts.join("");
    emit(last, 0, last.length);
    return;
  }
  if (partsLength > 0 && !skipping) {
    const last = parts.join("");
    emit(last, 0, last.length);
  }
}
