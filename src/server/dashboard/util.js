// Shared helpers of the dashboard: the API client (with the bearer token), time formatting in
// the exchange's zone, number formatting.

export const $ = (id) => document.getElementById(id);

// A token arrives in the fragment (#token=…), which browsers never send to the server.
const hashToken = new URLSearchParams(location.hash.slice(1)).get("token");
if (hashToken) sessionStorage.setItem("sessiondata-token", hashToken);
export const token = sessionStorage.getItem("sessiondata-token");

/** Fetches a JSON route; throws with the server's message on an error status. */
export async function api(path, init = {}) {
  const headers = { ...(init.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `${res.status} ${res.statusText}`);
  return body;
}

// The chart and the tables show exchange wall-clock time; lightweight-charts draws UTC, so
// instants are shifted by the zone's offset of their day (cached per day).
let timeZone = "UTC";
const offsetCache = new Map();

export function setTimeZone(zone) {
  timeZone = zone || "UTC";
  offsetCache.clear();
}

/** Epoch ms → seconds of the exchange's wall clock, as lightweight-charts wants times. */
export function wallSeconds(ms) {
  const day = Math.floor(ms / 86_400_000);
  let offset = offsetCache.get(day);
  if (offset === undefined) {
    const noon = day * 86_400_000 + 43_200_000;
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(noon));
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    offset = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - noon;
    offsetCache.set(day, offset);
  }
  return (ms + offset) / 1000;
}

/** `YYYY-MM-DD HH:MM` in the exchange's zone. */
export const fmtTime = (ms) =>
  new Date(wallSeconds(ms) * 1000).toISOString().slice(0, 16).replace("T", " ");

export const fmtNum = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/** Runs `fn` at most once per animation frame, however often it is asked for. */
export function perFrame(fn) {
  let frame = 0;
  return () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      fn();
    });
  };
}
