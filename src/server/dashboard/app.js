// The sessiondata dashboard: a symbol list, a chart of the chosen symbol, the quality view and
// replay controls. The server coalesces per-symbol updates (about 15 a second at most), and the
// page repaints at most once per animation frame, touching only what changed and is on screen,
// so 500 symbols replaying at full speed stay smooth.
import { createChartView } from "./chart.js";
import { createQualityView, createSymbolList, SHOWN_GAPS } from "./lists.js";
import { $, api, fmtTime, setTimeZone, token } from "./util.js";

const chart = createChartView();
const symbols = createSymbolList({ onSelect: (symbol) => chart.show(symbol) });
const quality = createQualityView();

$("timeframe").addEventListener("change", () => chart.reload());

// ---- replay ----
let replay = { state: "idle" };

function showReplay(state) {
  const before = replay.state;
  replay = state;
  const s = state.state;
  $("replay-state").textContent = s;
  $("replay-clock").textContent = Number.isFinite(state.time)
    ? `${fmtTime(state.time)} · ${state.slices ?? 0} slices · ${Math.round((state.fraction ?? 0) * 100)}%`
    : "";
  const option = [...$("speed").options].find((o) => o.value === String(state.speed));
  if ((s === "running" || s === "paused") && option) $("speed").value = option.value;
  $("btn-start").disabled = s === "running" || s === "paused" || s === "stopping";
  $("btn-pause").disabled = s !== "running";
  $("btn-resume").disabled = s !== "paused";
  $("btn-stop").disabled = s !== "running" && s !== "paused";
  // The last flush may precede the last bars: catch the chart up once the replay ends.
  if (before !== s && s !== "running" && s !== "paused") chart.changed();
}

async function act(body) {
  try {
    showReplay(await api("/api/replay", { method: "POST", body: JSON.stringify(body) }));
  } catch (err) {
    $("replay-clock").textContent = err.message;
  }
}

const speed = () => ($("speed").value === "max" ? "max" : Number($("speed").value));
$("btn-start").addEventListener("click", () => act({ action: "start", speed: speed() }));
$("btn-pause").addEventListener("click", () => act({ action: "pause" }));
$("btn-resume").addEventListener("click", () => act({ action: "resume" }));
$("btn-stop").addEventListener("click", () => act({ action: "stop" }));
$("speed").addEventListener("change", () => {
  if (replay.state === "running" || replay.state === "paused") {
    act({ action: "speed", speed: speed() });
  }
});

// ---- live updates ----
function onMessage(m) {
  switch (m.type) {
    case "update":
      if (m.bars) {
        for (const snap of Object.values(m.bars)) symbols.set(snap);
        symbols.ensureSelected();
        if (symbols.selected && m.bars[symbols.selected]) chart.changed();
      }
      if (m.replay) showReplay(m.replay);
      if (m.gaps) quality.changed();
      return;
    case "reset":
      // A new replay cleared the store.
      symbols.clear();
      quality.clear();
      chart.show(undefined);
      return;
    case "session":
      if (m.event === "start") chart.reload();
      return;
    case "behind":
      $("ws-dropped").textContent = `behind: skipped ${m.total}`;
      return;
  }
}

function connect() {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (token) url.searchParams.set("access_token", token);
  const ws = new WebSocket(url);
  ws.onopen = () => {
    $("conn").textContent = "live";
    $("conn").className = "badge on";
    // Analysis results come over HTTP for the one symbol on the chart: 500 symbols' results
    // ten times a second would be most of the traffic, for a single line of text. Gaps come as
    // a coalesced count (the page re-reads /api/gaps): the "quality" channel's every event,
    // mostly per-minute qualityChanged, was 90% of the bytes with 500 symbols, all ignored.
    ws.send(JSON.stringify({ type: "subscribe", symbols: ["*"], channels: ["bars", "gaps"] }));
  };
  ws.onclose = () => {
    $("conn").textContent = "offline";
    $("conn").className = "badge off";
    setTimeout(connect, 1000);
  };
  ws.onmessage = (e) => onMessage(JSON.parse(e.data));
}

async function start() {
  const [list, state, gaps] = await Promise.all([
    api("/api/symbols"),
    api("/api/replay"),
    api(`/api/gaps?limit=${SHOWN_GAPS}`),
  ]);
  setTimeZone(list.timeZone);
  for (const snap of list.symbols) symbols.set(snap);
  symbols.ensureSelected();
  showReplay(state);
  quality.set(gaps);
  connect();
}

start().catch((err) => {
  $("replay-clock").textContent = `cannot load: ${err.message}`;
});

// For tests and debugging: what the page holds.
window.__dashboard = {
  get bars() {
    return chart.bars;
  },
  get visibleBars() {
    return chart.visibleBars;
  },
  get gaps() {
    return quality.gaps;
  },
  get selected() {
    return symbols.selected;
  },
};
