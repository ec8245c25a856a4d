/** Symbol names on the replica's hot path, shared by the bar and the batch decoder. */

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decoded short ASCII symbols by a hash of their bytes: a replica sees the same few thousand names all day. */
const symbolCache = new Map<number, string>();
const SYMBOL_CACHE_MAX = 65_536;

/**
 * The symbol of `length` UTF-8 bytes at `data[start]`. Short ASCII symbols are looked up (or
 * decoded by hand) rather than run through TextDecoder, which costs more than the rest of the
 * message; the cache makes the replica's hot path allocation-free for names it has seen.
 */
export function readSymbol(data: Uint8Array, start: number, length: number): string {
  if (length <= 16) {
    let ascii = true;
    let h = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const b = data[start + i]!;
      if (b > 0x7f) ascii = false;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (ascii) {
      h = (h ^ length) >>> 0;
      const cached = symbolCache.get(h);
      if (cached !== undefined && cached.length === length) {
        let same = true;
        for (let i = 0; i < length; i++) {
          if (cached.charCodeAt(i) !== data[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return cached;
      }
      let s = "";
      for (let i = 0; i < length; i++) s += String.fromCharCode(data[start + i]!);
      if (cached !== undefined || symbolCache.size < SYMBOL_CACHE_MAX) symbolCache.set(h, s);
      return s;
    }
  }
  return decoder.decode(data.subarray(start, start + length));
}
