/**
 * The symbols upkeep watches, sorted: the `symbols` option when given; else every symbol the
 * store has held a bar for since upkeep was made (read from the store on each pass), until a
 * replay fixes the list with its stored ranges. The list is the same array while it is unchanged
 * (`StoredRanges.active` keeps its filtered list by that identity).
 */
export class WatchedSymbols {
  #fixed: readonly string[] | undefined;
  readonly #given: boolean;
  readonly #known = new Set<string>();
  #sorted: string[] = [];

  constructor(symbols: readonly string[] | undefined) {
    this.#fixed = symbols === undefined ? undefined : [...symbols].sort();
    this.#given = symbols !== undefined;
  }

  /** The watched symbols, sorted; `store` is read only while the list is not fixed. */
  list(store: { symbols(): string[] }): readonly string[] {
    if (this.#fixed !== undefined) return this.#fixed;
    let added = false;
    for (const symbol of store.symbols()) {
      if (!this.#known.has(symbol)) {
        this.#known.add(symbol);
        added = true;
      }
    }
    if (added) this.#sorted = [...this.#known].sort();
    return this.#sorted;
  }

  /**
   * Unless the `symbols` option was given, fixes the list to the symbols watched so far and
   * `symbols`: the store's list is no longer read.
   */
  fixTo(symbols: Iterable<string>, store: { symbols(): string[] }): void {
    if (this.#given) return;
    for (const symbol of this.list(store)) this.#known.add(symbol);
    for (const symbol of symbols) this.#known.add(symbol);
    this.#sorted = [...this.#known].sort();
    this.#fixed = this.#sorted;
  }
}
