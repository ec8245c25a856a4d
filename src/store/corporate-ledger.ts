/**
 * What the session store knows of corporate actions: each symbol's factors for the current
 * session and the actions (splits, dividends) that took effect at session starts so far.
 * The replay (system layer) tells it; the analysis engine reads it to rescale indicators.
 */
import { InvalidArgumentError } from "../domain/errors.js";

/** A split or dividend taking effect at the start of session `date`. */
export interface CorporateAction {
  readonly symbol: string;
  /** The ex-date: the first session at the new basis, `YYYY-MM-DD`. */
  readonly date: string;
  /**
   * New price per old price: 0.5 for a 2-for-1 split, 8 for a 1-for-8 reverse split, 1 when
   * only a dividend goes ex (LEAN's split factor).
   */
  readonly ratio: number;
  /** Cash per share going ex (0 for a split alone), in the raw prices before the ex-date. */
  readonly dividend: number;
  /**
   * What the stored price series jumps by at this session: `ratio` in a raw replay, 1 in an
   * adjusted one (whose prices are already continuous). The analysis engine multiplies
   * price-valued indicator state by it (and divides volume-valued state).
   */
  readonly rescale: number;
}

/** A symbol's factors for a session (LEAN's, as of the replay's last session). */
export interface CorporateFactor {
  readonly symbol: string;
  /** The session they hold for. */
  readonly date: string;
  /** The factor file's split factor for the session (1: no split ahead). */
  readonly splitFactor: number;
  /** The factor file's dividend factor for the session. */
  readonly priceFactor: number;
  /**
   * What the raw prices of the session's stored bars were multiplied by (1 in a raw replay);
   * raw price = stored price ÷ `priceScale`.
   */
  readonly priceScale: number;
}

/** The `corporateAction` event of `SessionData.subscribe`. */
export type CorporateActionEvent = { readonly type: "corporateAction" } & CorporateAction;

function checkPositive(what: string, value: number): void {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(`${what} must be a positive number, got ${String(value)}`);
  }
}

/** Per symbol: the current factor and the actions so far, oldest first. */
export class CorporateLedger {
  readonly #factors = new Map<string, CorporateFactor>();
  readonly #actions = new Map<string, CorporateAction[]>();

  setFactor(factor: CorporateFactor): void {
    checkPositive("splitFactor", factor.splitFactor);
    checkPositive("priceFactor", factor.priceFactor);
    checkPositive("priceScale", factor.priceScale);
    this.#factors.set(factor.symbol, { ...factor });
  }

  /** Records an action; throws for a non-positive ratio or rescale, or a date not after the last. */
  addAction(action: CorporateAction): CorporateAction {
    checkPositive("ratio", action.ratio);
    checkPositive("rescale", action.rescale);
    if (!(action.dividend >= 0)) {
      throw new InvalidArgumentError(`dividend must be >= 0, got ${String(action.dividend)}`);
    }
    const list = this.#actions.get(action.symbol) ?? [];
    const last = list[list.length - 1];
    if (last !== undefined && !(action.date > last.date)) {
      throw new InvalidArgumentError(
        `corporate action of ${action.symbol} on ${action.date} is not after its last one, on ${last.date}`,
      );
    }
    const copy = Object.freeze({ ...action });
    list.push(copy);
    this.#actions.set(action.symbol, list);
    return copy;
  }

  factor(symbol: string): CorporateFactor | undefined {
    return this.#factors.get(symbol);
  }

  actions(symbol: string): readonly CorporateAction[] {
    return this.#actions.get(symbol) ?? [];
  }

  /**
   * The product of the rescales of `symbol`'s actions dated in `(after, upTo]` (1 for none):
   * what price state built before `after`'s end must be multiplied by to be in `upTo`'s units.
   */
  rescaleBetween(symbol: string, after: string, upTo: string): number {
    let product = 1;
    for (const a of this.#actions.get(symbol) ?? []) {
      if (a.date > after && a.date <= upTo) product *= a.rescale;
    }
    return product;
  }

  clear(): void {
    this.#factors.clear();
    this.#actions.clear();
  }
}
