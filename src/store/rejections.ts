import { InvalidBarError, SessionMismatchError } from "../domain/errors.js";

/** A bar the store refused: nothing of it was stored. */
export interface Rejection {
  readonly symbol: string;
  /** The bar's `time` as given (possibly not a number). */
  readonly time: unknown;
  readonly error: Error;
}

const RECENT = 100;

/** Why a bar was refused, as a short stable key for counting. */
export function rejectionReason(error: Error): string {
  if (error instanceof SessionMismatchError) {
    return `${error.name}:${error.barSession === undefined ? "no session" : "earlier session"}`;
  }
  if (error instanceof InvalidBarError) return `${error.name}:${error.field}`;
  return error.name;
}

/** Counts refusals by reason and keeps the last {@link RECENT} of them (a ring). */
export class Rejections {
  count = 0;
  #recent: Rejection[] = [];
  #next = 0;
  #reasons = new Map<string, number>();

  record(symbol: string, time: unknown, error: Error): void {
    this.count++;
    const reason = rejectionReason(error);
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
    const entry = { symbol, time, error };
    if (this.#recent.length < RECENT) this.#recent.push(entry);
    else this.#recent[this.#next] = entry;
    this.#next = (this.#next + 1) % RECENT;
  }

  /** Oldest first. */
  recent(): Rejection[] {
    const r = this.#recent;
    return r.length < RECENT ? [...r] : [...r.slice(this.#next), ...r.slice(0, this.#next)];
  }

  reasons(): Record<string, number> {
    return Object.fromEntries(this.#reasons);
  }
}
