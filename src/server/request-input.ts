/**
 * Request input shared by the HTTP routes (`routes.ts`, `history-routes.ts`): zod parsing that
 * turns a refusal into a 400 naming the parameter, and the query string as one value per name.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "./api-error.js";
import { describeIssues } from "./schemas.js";

/** `value` parsed by `schema`, or a 400 describing every problem (`where`: `query`, `body`…). */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, describeIssues(result.error, where));
  return result.data;
}

/** The query string as one value per name; a name given twice is a 400 (which one was meant?). */
export function queryOf(c: Context): Record<string, string> {
  const repeated = Object.entries(c.req.queries()).filter(([, values]) => values.length > 1);
  if (repeated.length > 0) {
    throw new ApiError(
      400,
      repeated.map(([name, values]) => `${name}: given ${values.length} times`).join("; "),
    );
  }
  return c.req.query();
}

/** Refuses any query parameter on a route that takes none. */
export function noParameters(query: Record<string, string>): void {
  const names = Object.keys(query);
  if (names.length > 0) {
    throw new ApiError(400, names.map((n) => `${n}: unknown parameter`).join("; "));
  }
}
