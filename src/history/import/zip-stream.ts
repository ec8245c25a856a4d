/**
 * Streams a zip file's entries in bounded memory: the file is read in slices, each entry is
 * inflated as its bytes arrive, and the consumer takes an entry's data chunk by chunk. A huge
 * entry (or a zip bomb) costs one slice's output at a time, never the whole entry.
 */
import { open } from "node:fs/promises";
import { Unzip, UnzipInflate } from "fflate";
import { ImportError } from "../../domain/errors.js";

/** Compressed bytes pushed to the inflater at once (deflate expands at most ~1,032-fold). */
const SLICE = 16 << 10;
const READ = 64 << 10;

/** One entry of a zip, as {@link ZipReader.entries} yields it. */
export interface ZipEntry {
  readonly name: string;
  /** The entry's bytes; read it to its end or leave it (the next entry skips the rest). */
  readonly chunks: AsyncIterable<Uint8Array>;
}

type Event =
  | { readonly kind: "start"; readonly name: string }
  | { readonly kind: "data"; readonly data: Uint8Array; readonly final: boolean };

/** Reads one zip file's entries in order (the archive's order). */
export class ZipReader {
  readonly #path: string;
  readonly #accept: (name: string) => boolean;
  readonly #onBytes: ((done: number, total: number) => void) | undefined;
  /** Every entry name met so far (folders included), accepted or not. */
  readonly names: string[] = [];

  /**
   * @param accept which entries to inflate; the others are passed over unread.
   * @param onBytes progress in compressed bytes read of the file.
   */
  constructor(
    path: string,
    accept: (name: string) => boolean,
    onBytes?: (done: number, total: number) => void,
  ) {
    this.#path = path;
    this.#accept = accept;
    this.#onBytes = onBytes;
  }

  #unreadable(reason: unknown): ImportError {
    const text = reason instanceof Error ? reason.message : String(reason);
    return new ImportError(this.#path, 0, undefined, `is not a readable zip file (${text})`);
  }

  /** The accepted entries, one after another; the file closes when the iteration ends. */
  async *entries(): AsyncGenerator<ZipEntry> {
    const path = this.#path;
    const handle = await open(path, "r");
    const size = (await handle.stat()).size;
    const events: Event[] = [];
    let failure: unknown;
    const unzip = new Unzip((file) => {
      this.names.push(file.name);
      if (file.name.endsWith("/") || !this.#accept(file.name)) return;
      events.push({ kind: "start", name: file.name });
      file.ondata = (error, data, final) => {
        if (error) failure ??= error;
        else events.push({ kind: "data", data, final });
      };
      try {
        file.start();
      } catch (error) {
        failure ??= error;
      }
    });
    unzip.register(UnzipInflate);
    let position = 0;
    let ended = false;
    /** Reads and inflates the next part of the file; false at its end. */
    const pull = async (): Promise<boolean> => {
      if (ended) return false;
      const buffer = new Uint8Array(READ);
      const { bytesRead } = await handle.read(buffer, 0, READ, position);
      position += bytesRead;
      const last = bytesRead === 0 || position >= size;
      try {
        for (let s = 0; s < bytesRead || (last && s === 0); s += SLICE) {
          const e = Math.min(bytesRead, s + SLICE);
          unzip.push(buffer.subarray(s, e), last && e >= bytesRead);
        }
      } catch (error) {
        throw this.#unreadable(error);
      }
      if (failure !== undefined) throw this.#unreadable(failure);
      this.#onBytes?.(position, size);
      ended = last;
      return true;
    };
    try {
      for (;;) {
        while (events.length === 0) if (!(await pull())) return;
        const start = events.shift()!;
        if (start.kind !== "start") continue;
        let done = false;
        const chunks = async function* (): AsyncGenerator<Uint8Array> {
          while (!done) {
            while (events.length === 0) {
              if (!(await pull())) {
                throw new ImportError(path, 0, undefined, `ends inside ${start.name}: truncated`);
              }
            }
            const next = events[0]!;
            if (next.kind === "start") return;
            events.shift();
            if (next.final) done = true;
            if (next.data.length > 0) yield next.data;
          }
        };
        yield { name: start.name, chunks: chunks() };
        // The consumer may stop early: pass over the rest of the entry.
        for await (const _ of chunks()) {
          // drained
        }
      }
    } finally {
      await handle.close();
    }
  }
}
