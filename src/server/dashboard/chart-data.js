// What the chart draws, from the server's JSON: candle and volume points, gap columns and the
// markers of refilled and corrected bars, mapped onto the timeframe's buckets. Pure functions.
import { wallSeconds } from "./util.js";

/** Candle colours, up and down. */
export const UP = "#26a69a";
export const DOWN = "#ef5350";

/** Minutes per bucket of each intraday timeframe. */
const MINUTES = { "1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60 };

/** `sma50` → `SMA 50`, `macd12_26_9` → `MACD 12/26/9`, `rsi14` → `RSI 14`. */
export function indicatorLabel(key) {
  const m = /^([a-z]+)([\d_.]*)$/.exec(key);
  if (!m) return key;
  return `${m[1].toUpperCase()}${m[2] ? ` ${m[2].replaceAll("_", "/")}` : ""}`;
}

export const candleOf = (b) => ({
  time: wallSeconds(b.time),
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
});
export const volumeOf = (b) => ({
  time: wallSeconds(b.time),
  value: b.volume,
  color: b.close >= b.open ? `${UP}88` : `${DOWN}88`,
});

/**
 * Minutes of `day.gaps` as chart times, mapped onto the timeframe's buckets; at 1D the day's one
 * bar is shaded when the day has any gap (quality under 100 %).
 */
export function gapPoints(day, tf) {
  if (!day?.gaps) return [];
  if (tf === "1D") return day.gaps.length > 0 ? [{ time: wallSeconds(day.open), value: 1 }] : [];
  const width = MINUTES[tf];
  if (!width) return [];
  const seen = new Set();
  const out = [];
  for (const g of day.gaps) {
    for (let t = g.start; t < g.end; t += 60_000) {
      const bucket = day.open + Math.floor((t - day.open) / (width * 60_000)) * width * 60_000;
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      out.push({ time: wallSeconds(bucket), value: 1 });
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Purple: a bar the live session reported late. */
export const LATE = "#c678dd";

/**
 * Markers of refilled (blue arrow), corrected (amber square) and late (purple circle) bars,
 * on their timeframe bucket; `has(time)` tells which chart times hold a bar (a late minute
 * whose bar never came is a gap, shaded, not marked). At 1D one marker per kind on the day.
 */
export function markersOf(day, tf, has = () => true) {
  if (!day?.marked) return [];
  const width = tf === "1D" ? Number.POSITIVE_INFINITY : MINUTES[tf] * 60_000;
  const at = (t) =>
    wallSeconds(tf === "1D" ? day.open : day.open + Math.floor((t - day.open) / width) * width);
  const lateTimes = (day.marked.late ?? []).map(at).filter(has);
  // Intraday one marker per bucket; at 1D every late minute counts.
  const late = tf === "1D" ? lateTimes : [...new Set(lateTimes)];
  const out = [
    ...late.map((time) => ({
      time,
      position: "aboveBar",
      shape: "circle",
      color: LATE,
      text: "late",
    })),
    ...day.marked.refilled.map((t) => ({
      time: at(t),
      position: "belowBar",
      shape: "arrowUp",
      color: "#61afef",
      text: "refilled",
    })),
    ...day.marked.corrected.map((t) => ({
      time: at(t),
      position: "aboveBar",
      shape: "square",
      color: "#e5c07b",
      text: "corrected",
    })),
  ];
  if (tf === "1D") {
    // One marker of each kind on the day's bar: a count, not one per minute.
    const kinds = new Map();
    for (const m of out) {
      const k = kinds.get(m.text);
      if (k) k.n++;
      else kinds.set(m.text, { ...m, n: 1 });
    }
    return [...kinds.values()].map(({ n, ...m }) => ({ ...m, text: `${n} ${m.text}` }));
  }
  return out.sort((a, b) => a.time - b.time);
}
