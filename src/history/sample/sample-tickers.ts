/**
 * Ticker names for generated sample data: large US stocks first (so a small sample looks
 * familiar), then made-up four- and five-letter names.
 */
export const SAMPLE_TICKERS: readonly string[] = (
  "AAPL MSFT NVDA AMZN GOOGL META TSLA BRK.B AVGO JPM LLY V UNH XOM MA JNJ PG HD COST ABBV " +
  "MRK CVX CRM BAC NFLX AMD PEP KO TMO WMT ADBE LIN MCD CSCO ACN ABT ORCL INTC DIS WFC CMCSA " +
  "DHR VZ PFE INTU TXN QCOM AMGN IBM NKE PM UNP CAT GE SPGI NOW HON LOW AMAT BA RTX GS ISRG " +
  "UBER BKNG T ELV SBUX PLD DE BLK MDT MS LMT GILD ADP SYK TJX MMC VRTX C ADI REGN CB LRCX " +
  "MDLZ CVS SCHW PGR ZTS BSX MU ETN SO CI MO FI PANW SNPS BDX"
).split(" ");

const REAL = new Set(SAMPLE_TICKERS);
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * The `count` sample ticker names: {@link SAMPLE_TICKERS} in order, then generated names that
 * never collide with them (`QA…`, four letters and up, base-26 from the index).
 */
export function sampleTickers(count: number): string[] {
  const out = SAMPLE_TICKERS.slice(0, count);
  for (let i = 0; out.length < count; i++) {
    let n = i;
    let name = "";
    for (let k = 0; k < 3 || n > 0; k++) {
      name = LETTERS[n % 26]! + name;
      n = Math.floor(n / 26);
    }
    // QCOM is real: skip any made-up name that is on the list.
    if (!REAL.has(`Q${name}`)) out.push(`Q${name}`);
  }
  return out;
}

/**
 * Rough share prices of the first sample tickers at the start of 2024 (USD), so a generated
 * sample looks like the market it names. Other symbols start at a random price between $10
 * and $500. Only the starting point: the walk from there is random.
 */
export const SAMPLE_START_PRICES: Readonly<Record<string, number>> = {
  AAPL: 185,
  MSFT: 370,
  NVDA: 48,
  AMZN: 150,
  GOOGL: 138,
  META: 345,
  TSLA: 248,
  "BRK.B": 358,
  AVGO: 110,
  JPM: 170,
  LLY: 585,
  V: 260,
  UNH: 525,
  XOM: 100,
  MA: 425,
  JNJ: 157,
  PG: 147,
  HD: 346,
  COST: 660,
  ABBV: 155,
  MRK: 109,
  CVX: 149,
  CRM: 263,
  BAC: 33,
  NFLX: 487,
  AMD: 147,
  PEP: 170,
  KO: 59,
  WMT: 158,
  INTC: 50,
};
