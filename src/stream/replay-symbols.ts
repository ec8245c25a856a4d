import { InvalidArgumentError } from "../domain/errors.js";
import type { BarStore, Coverage } from "../history/bar-store.js";

/**
 * The symbols a replay plays, sorted: `requested` (deduplicated) when given, else every symbol
 * of the store. A requested symbol the store has no bars for is refused up front, never
 * replayed as silence.
 */
export async function resolveReplaySymbols(
  store: Pick<BarStore, "symbols">,
  requested: readonly string[] | undefined,
): Promise<string[]> {
  const known = await store.symbols();
  if (requested === undefined) {
    if (known.length === 0) throw new InvalidArgumentError("the bar store holds no bars");
    return known;
  }
  const set = new Set(known);
  const unknown = requested.filter((s) => !set.has(s));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown symbol${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: the bar store has no bars for ${unknown.length > 1 ? "them" : "it"}`,
    );
  }
  return [...requested].sort();
}

/**
 * Each symbol's stored range (the open times of its first and last bars), for upkeep: a symbol
 * enters at its first stored bar and leaves after its last, and upkeep expects no minute of it
 * outside that range (the one definition `sessiondata quality` uses).
 */
export function storedRanges(
  coverage: ReadonlyMap<string, Coverage>,
): Map<string, { first: number; last: number }> {
  const ranges = new Map<string, { first: number; last: number }>();
  for (const [symbol, c] of coverage) ranges.set(symbol, { first: c.first, last: c.last });
  return ranges;
}
