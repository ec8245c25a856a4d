import type { TradingCalendar } from "../calendar/trading-calendar.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { generateSampleBars } from "../history/public.js";
import type { CommandStore } from "./store-options.js";

/** The sample `backtest` writes into an empty default store: fixed, so every run is alike. */
export const SAMPLE = { symbols: 20, from: "2024-01-01", to: "2024-01-31", seed: 1 } as const;

/**
 * The store's symbols; when it has none, first generates {@link SAMPLE} into it on `calendar`
 * and says so on stderr, if the store allows it (`backtest` on the default path: `npm start`
 * must work on a fresh checkout). Any other empty store is an error naming it.
 */
export async function symbolsOrSample(
  opened: Pick<CommandStore, "store" | "location" | "sampleAllowed">,
  calendar: TradingCalendar,
): Promise<string[]> {
  const { store, location } = opened;
  const known = await store.symbols();
  if (known.length > 0) return known;
  if (!opened.sampleAllowed) {
    throw new InvalidArgumentError(
      `${location} holds no bars; add some with \`sessiondata import\` or \`sessiondata generate\``,
    );
  }
  process.stderr.write(
    `sessiondata: ${location} is empty; generating a sample first: ${SAMPLE.symbols} symbols over January 2024 (${calendar.name}, seed ${SAMPLE.seed})…\n`,
  );
  await generateSampleBars(store, { ...SAMPLE, calendar });
  return store.symbols();
}
