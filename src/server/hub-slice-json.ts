/**
 * The hand-written JSON of a replay slice for one subscription set of the {@link Hub}: built once
 * per slice per set (not per client), without `JSON.stringify` on the per-slice path.
 */
import type { Bar } from "../domain/bar.js";
import type { SubscriptionGroup } from "./hub-group.js";

/** JSON-quoted symbols, so a slice's keys are escaped once per symbol, not once per slice. */
const QUOTED = new Map<string, string>();

/**
 * The slice message for `group`, or `null` when none of its symbols has a bar in `bars` (a
 * `"*"` group always gets one).
 */
export function encodeGroupSlice(
  seq: number,
  time: number,
  bars: ReadonlyMap<string, Bar>,
  group: SubscriptionGroup,
): Buffer | null {
  let any = group.all;
  if (!any) {
    for (const s of group.symbols) {
      if (bars.has(s)) {
        any = true;
        break;
      }
    }
  }
  if (!any) return null;
  return Buffer.from(sliceJson(seq, time, bars, group.all ? undefined : group.symbols));
}

/**
 * `{"type":"slice","seq":…,"time":…,"bars":{"SYM":[o,h,l,c,v],…}}`, written by hand: numbers
 * print as `JSON.stringify` prints them (non-finite ones cannot occur: bars are validated).
 */
function sliceJson(
  seq: number,
  time: number,
  bars: ReadonlyMap<string, Bar>,
  only: ReadonlySet<string> | undefined,
): string {
  let out = `{"type":"slice","seq":${seq},"time":${time},"bars":{`;
  let first = true;
  for (const [s, b] of bars) {
    if (only !== undefined && !only.has(s)) continue;
    let q = QUOTED.get(s);
    if (q === undefined) {
      q = JSON.stringify(s);
      if (QUOTED.size < 100_000) QUOTED.set(s, q);
    }
    out += `${first ? "" : ","}${q}:[${b.open},${b.high},${b.low},${b.close},${b.volume}]`;
    first = false;
  }
  return `${out}}}`;
}
