// The sessiondata dashboard. On load it shows the latest stored session of the first symbol (or
// the one in the URL: ?symbol=&date=&tf=), with pickers for symbol, trading day and timeframe;
// a day panel with quality and provenance; the store's quality heatmap; the live session's
// symbols and gaps; and, when the chosen day is the session being replayed or fed live, the
// chart follows it over the WebSocket.
import { createChartView } from "./chart.js";
import { createHeatmap } from "./heatmap.js";
import { createQualityView, createSymbolList, SHOWN_GAPS } from "./lists.js";
import { $, api, fmtTime, setTimeZone, token } from "./util.js";

const catalog = new Map(); // symbol → { calendar, timeZone, priceDecimals, first, last }
const sessionsOf = new Map(); // symbol → sorted trading dates
let live = { sessionDate: null, symbols: new Set() };
let state = { symbol: undefined, date: undefined, tf: "1m", adjust: "raw" };
let wsState = "connecting";
let feedStatus;
let hasAnalysis = false;

const chart = createChartView({ onStatus: showDay });
const symbols = createSymbolList({
  onSelect: (symbol) => {
    if (live.sessionDate) go({ symbol, date: live.sessionDate });
  },
});
const quality = createQualityView();
const heatmap = createHeatmap({ onPick: (symbol, date) => go({ symbol, date }) });

// ---- the day panel ----
function showDay(day) {
  const dl = $("day");
  if (!day) {
    dl.innerHTML = chart.view?.live ? "<dt>live</dt><dd>following the session</dd>" : "";
    $("day-gaps").replaceChildren();
    return;
  }
  const p = day.provenance;
  const rows = [
    ["quality", `${day.quality.toFixed(1)}%`],
    ["bars", `${day.present} of ${day.expected}`],
    ["calendar", `${day.calendar}${day.earlyClose ? " (early close)" : ""}`],
    ["replay", p.replay],
    ["live", p.live],
    ["refilled", p.refilled],
    ["corrected", p.corrected],
    ["late", day.marked?.late?.length ?? 0],
    ["gaps", day.gaps.length],
  ];
  dl.innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd data-k="${k}">${v}</dd>`).join("");
  $("day-gaps").replaceChildren(
    ...day.gaps.map((g) => {
      const li = document.createElement("li");
      li.textContent = `${fmtTime(g.start).slice(11)}–${fmtTime(g.end).slice(11)} (${g.count} min)`;
      return li;
    }),
  );
}

// ---- state, URL, pickers ----
function fromUrl() {
  const q = new URLSearchParams(location.search);
  return {
    symbol: q.get("symbol") ?? undefined,
    date: q.get("date") ?? undefined,
    tf: q.get("tf") ?? undefined,
    adjust: q.get("adjust") ?? "raw",
  };
}

async function tradingDays(symbol) {
  let days = sessionsOf.get(symbol);
  if (!days) {
    const body = await api(`/api/history/symbols/${encodeURIComponent(symbol)}/sessions`);
    days = body.sessions.map((s) => s.date);
    sessionsOf.set(symbol, days);
  }
  return days;
}

/** Navigates to a view: fills what is missing, writes the URL (push unless `replace`), shows it. */
let navigation = 0;
async function go(next, { replace = false, push = true } = {}) {
  // The newest navigation wins: one that started later makes this one stop after its await.
  const mine = ++navigation;
  const symbol = next.symbol ?? state.symbol ?? [...catalog.keys()][0] ?? [...live.symbols][0];
  if (!symbol) return;
  const info = catalog.get(symbol);
  let date = next.date ?? (symbol === state.symbol ? state.date : undefined);
  const days = info ? await tradingDays(symbol) : [];
  if (mine !== navigation) return;
  if (!date) date = days.at(-1) ?? live.sessionDate;
  const tf = next.tf ?? state.tf ?? "1m";
  // split and total only for a symbol whose corporate actions are stored (raw otherwise).
  const wanted = next.adjust ?? state.adjust ?? "raw";
  const adjust = info?.actions ? wanted : "raw";
  state = { symbol, date, tf, adjust };
  const url = `?symbol=${encodeURIComponent(symbol)}&date=${date}&tf=${tf}${adjust === "raw" ? "" : `&adjust=${adjust}`}`;
  if (push && url !== location.search)
    history[replace ? "replaceState" : "pushState"](state, "", url);
  $("symbol-pick").value = symbol;
  $("date-pick").value = date ?? "";
  $("date-pick").min = days[0] ?? "";
  $("date-pick").max = days.at(-1) ?? "";
  $("timeframe").value = tf;
  $("adjust").value = adjust;
  $("adjust").disabled = !info?.actions;
  $("symbol-calendar").textContent = info ? `${info.calendar} · ${info.timeZone}` : "";
  setTimeZone(info?.timeZone ?? live.timeZone);
  const following = live.sessionDate === date && live.symbols.has(symbol);
  $("follow").textContent = following ? "following live" : "";
  resubscribe();
  await chart.show({
    symbol,
    date,
    tf,
    adjust,
    live: following,
    stored: info !== undefined,
    analysis: hasAnalysis,
    priceDecimals: info?.priceDecimals ?? 2,
  });
}

$("symbol-pick").addEventListener("change", (e) => {
  const s = e.target.value.trim().toUpperCase();
  if (s !== state.symbol && (catalog.has(s) || live.symbols.has(s)))
    go({ symbol: s, date: undefined });
});
$("timeframe").addEventListener("change", (e) => go({ tf: e.target.value }));
$("adjust").addEventListener("change", (e) => go({ adjust: e.target.value }));
$("date-pick").addEventListener("change", async (e) => {
  let d = e.target.value;
  const days = await tradingDays(state.symbol);
  // A date that is no trading day snaps to the previous trading day.
  if (!days.includes(d)) d = [...days].reverse().find((x) => x <= d) ?? days[0];
  go({ date: d });
});
async function step(delta) {
  const days = await tradingDays(state.symbol);
  const i = days.indexOf(state.date);
  const d = days[Math.min(days.length - 1, Math.max(0, i + delta))];
  if (d && d !== state.date) go({ date: d });
}
$("date-prev").addEventListener("click", () => step(-1));
$("date-next").addEventListener("click", () => step(1));
window.addEventListener("popstate", () => go(fromUrl(), { push: false }));

// ---- replay ----
let replay = { state: "idle" };

function showReplay(r) {
  const before = replay.state;
  replay = r;
  const s = r.state;
  $("replay-state").textContent = s;
  $("replay-clock").textContent = Number.isFinite(r.time)
    ? `${fmtTime(r.time)} · ${r.slices ?? 0} slices · ${Math.round((r.fraction ?? 0) * 100)}%`
    : "";
  $("btn-start").disabled = s === "running" || s === "paused" || s === "stopping";
  $("btn-pause").disabled = s !== "running";
  $("btn-resume").disabled = s !== "paused";
  $("btn-stop").disabled = s !== "running" && s !== "paused";
  if (before !== s && s !== "running" && s !== "paused") chart.changed();
  showConn();
}

async function act(body) {
  try {
    showReplay(await api("/api/replay", { method: "POST", body: JSON.stringify(body) }));
  } catch (err) {
    $("replay-clock").textContent = err.message;
  }
}

const speed = () => ($("speed").value === "max" ? "max" : Number($("speed").value));
$("btn-start").addEventListener("click", () => {
  // Replays the chosen day: the chart then follows it minute by minute.
  const body = { action: "start", speed: speed() };
  if (state.date) Object.assign(body, { from: state.date, to: state.date });
  act(body);
});
$("btn-pause").addEventListener("click", () => act({ action: "pause" }));
$("btn-resume").addEventListener("click", () => act({ action: "resume" }));
$("btn-stop").addEventListener("click", () => act({ action: "stop" }));
$("speed").addEventListener("change", () => {
  if (replay.state === "running" || replay.state === "paused")
    act({ action: "speed", speed: speed() });
});

// ---- header status: live / reconnecting / late ----
function showConn() {
  let text = wsState;
  let cls = wsState === "live" ? "on" : "off";
  if (wsState === "live" && feedStatus?.state) {
    // The feed's own state (a live session): reconnecting / closed, or live with late bars.
    text = feedStatus.state;
    cls = feedStatus.state === "live" ? "on" : "off";
    if (feedStatus.state === "live" && feedStatus.lateBars > 0) {
      text = `live · ${feedStatus.lateBars} late`;
      cls = "warn";
    }
  }
  $("conn").textContent = text;
  $("conn").className = `badge ${cls}`;
  $("conn").title = feedStatus?.reason ?? "WebSocket connection";
}

// ---- live updates ----
let switching = false;
/** The replayed or live day is the one on screen: switch the chart to following it (once). */
function maybeFollow() {
  if (switching || chart.view?.live) return;
  if (live.sessionDate !== state.date || !live.symbols.has(state.symbol)) return;
  switching = true;
  go({}, { push: false }).finally(() => {
    switching = false;
  });
}
function onMessage(m) {
  switch (m.type) {
    case "update":
      if (m.bars) {
        for (const snap of Object.values(m.bars)) {
          symbols.set(snap);
          live.symbols.add(snap.symbol);
        }
        if (state.symbol && m.bars[state.symbol]) chart.changed();
      }
      if (m.replay) {
        showReplay(m.replay);
        if (m.replay.sessionDate) live.sessionDate = m.replay.sessionDate;
      }
      if (m.status) {
        // A new late bar: the chart re-reads the day's marks.
        if ((m.status.lateBars ?? 0) !== (feedStatus?.lateBars ?? 0)) chart.refreshMarks();
        feedStatus = m.status;
        showConn();
      }
      if (m.gaps) {
        quality.changed();
        chart.refreshMarks();
      }
      maybeFollow();
      return;
    case "reset":
      symbols.clear();
      quality.clear();
      live = { ...live, sessionDate: null, symbols: new Set() };
      return;
    case "session":
      if (m.event === "start") {
        live.sessionDate = m.date;
        maybeFollow();
      }
      return;
    case "behind":
      $("ws-dropped").textContent = `behind: skipped ${m.total}`;
      return;
    case "state":
      if (state.symbol && m.bars[state.symbol]) chart.changed();
      return;
  }
}

// The page subscribes to the symbol on the chart only: 1,000 symbols' snapshots 15 times a
// second were most of what the page parsed while following one. The live list and gap table are
// refreshed from the API every 2 s while a session runs instead.
let socket;
let subscribed;
function resubscribe() {
  if (socket?.readyState !== 1 || !state.symbol || subscribed === state.symbol) return;
  if (subscribed) socket.send(JSON.stringify({ type: "unsubscribe", symbols: [subscribed] }));
  subscribed = state.symbol;
  socket.send(
    JSON.stringify({ type: "subscribe", symbols: [subscribed], channels: ["bars", "gaps"] }),
  );
}

async function refreshLive() {
  // Gaps of every symbol: re-read always (a read that raced a change is corrected 2 s later).
  quality.changed();
  const running = replay.state === "running" || replay.state === "paused" || feedStatus;
  if (!running) return;
  const list = await api("/api/symbols").catch(() => undefined);
  if (!list) return;
  live.sessionDate = list.sessionDate ?? live.sessionDate;
  for (const snap of list.symbols) {
    symbols.set(snap);
    live.symbols.add(snap.symbol);
  }
  maybeFollow();
}
setInterval(refreshLive, 2000);

function connect() {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (token) url.searchParams.set("access_token", token);
  const ws = new WebSocket(url);
  ws.onopen = () => {
    wsState = "live";
    showConn();
    socket = ws;
    subscribed = undefined;
    resubscribe();
  };
  ws.onclose = () => {
    socket = undefined;
    wsState = "reconnecting";
    showConn();
    setTimeout(connect, 1000);
  };
  // A frame may carry several messages, one per line.
  ws.onmessage = (e) => {
    for (const line of e.data.split("\n")) onMessage(JSON.parse(line));
  };
}

async function start() {
  const t0 = performance.now();
  const [cat, list, r, gaps, status] = await Promise.all([
    api("/api/history/symbols").catch(() => ({ symbols: [] })),
    api("/api/symbols"),
    api("/api/replay"),
    api(`/api/gaps?limit=${SHOWN_GAPS}`),
    api("/api/status"),
  ]);
  hasAnalysis = status.analysis === true;
  if (status.live) feedStatus = status.live;
  for (const s of cat.symbols) catalog.set(s.symbol, s);
  $("symbol-options").replaceChildren(
    ...cat.symbols.map((s) => {
      const o = document.createElement("option");
      o.value = s.symbol;
      o.label = `${s.calendar} · ${s.last ?? ""}`;
      return o;
    }),
  );
  live = {
    sessionDate: list.sessionDate,
    timeZone: list.timeZone,
    symbols: new Set(list.symbols.map((s) => s.symbol)),
  };
  setTimeZone(list.timeZone);
  for (const snap of list.symbols) symbols.set(snap);
  showReplay(r);
  quality.set(gaps);
  connect();
  await go(fromUrl(), { replace: true });
  // Milliseconds since the navigation started: the user's wait for the first chart.
  window.__dashboard.firstChartMs = performance.now();
  window.__dashboard.startToChartMs = performance.now() - t0;
  window.__dashboard.heatmapMs = await heatmap.load();
}

start().catch((err) => {
  $("replay-clock").textContent = `cannot load: ${err.message}`;
});

// For tests and benchmarks: what the page holds.
window.__dashboard = {
  chart,
  heatmap,
  get bars() {
    return chart.bars;
  },
  get state() {
    return state;
  },
  get gaps() {
    return quality.gaps;
  },
  get selected() {
    return state.symbol;
  },
};
