import type { TradingCalendar } from "../calendar/trading-calendar.js";
import type { BarStore } from "../history/bar-store.js";
import { generateSampleBars } from "../history/public.js";

/** The sample `backtest` and `serve` write into an empty store: fixed, so every run is alike. */
export const SAMPLE = { symbols: 20, from: "2024-01-01", to: "2024-01-31", seed: 1 } as const;

/**
 * The store's symbols; when it has none, first generates {@link SAMPLE} into it on `calendar`
 * and says so on stderr (the main job must work on an empty database).
 */
export async function symbolsOrSample(
  store: BarStore,
  dbPath: string | undefined,
  calendar: TradingCalendar,
): Promise<string[]> {
  const known = await store.symbols();
  if (known.length > 0) return known;
  process.stderr.write(
    `sessiondata: ${dbPath ?? "the bar store"} is empty; generating a sample first: ${SAMPLE.symbols} symbols over January 2024 (${calendar.name}, seed ${SAMPLE.seed})…\n`,
  );
  await generateSampleBars(store, { ...SAMPLE, calendar });
  return store.symbols();
}
