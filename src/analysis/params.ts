import { InvalidArgumentError } from "../domain/errors.js";

/** Throws {@link InvalidArgumentError} unless `value` is a whole number >= 1 (a bar count). */
export function requirePeriod(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${what} must be a whole number >= 1, got ${String(value)}`);
  }
  return value;
}

/** Throws {@link InvalidArgumentError} unless `value` is a finite number > 0. */
export function requirePositive(what: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${what} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}
