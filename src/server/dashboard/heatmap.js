// The quality heatmap: symbols x sessions from GET /api/history/quality, drawn on one canvas
// (126,000 cells as DOM nodes would take seconds), each cell a link to that symbol and day.
import { $, api } from "./util.js";

const CELL = 6;
const ROW = 12;
const LABEL = 64;

/** Red (0 %) through amber to green (100 %); grey where the calendar has no session. */
function colour(q) {
  if (q === null) return "#222a33";
  if (q >= 100) return "#26a69a";
  if (q >= 99) return "#8bc34a";
  if (q >= 95) return "#e5c07b";
  if (q >= 80) return "#f08a4b";
  return "#ef5350";
}

export function createHeatmap({ onPick }) {
  const canvas = $("heatmap");
  let data;

  function draw() {
    if (!data) return;
    const w = LABEL + data.sessions.length * CELL;
    const h = data.symbols.length * ROW;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = w * ratio;
    canvas.height = h * ratio;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#161c23";
    ctx.fillRect(0, 0, w, h);
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (let r = 0; r < data.symbols.length; r++) {
      ctx.fillStyle = "#9aa7b4";
      ctx.fillText(data.symbols[r], 2, r * ROW + ROW / 2);
      const row = data.quality[r];
      for (let k = 0; k < data.sessions.length; k++) {
        ctx.fillStyle = colour(row[k]);
        ctx.fillRect(LABEL + k * CELL, r * ROW + 1, CELL - 1, ROW - 2);
      }
    }
    $("heatmap-info").textContent =
      `${data.symbols.length} symbols × ${data.sessions.length} sessions, ${data.sessions[0] ?? ""}..${data.sessions.at(-1) ?? ""}`;
  }

  function cellAt(event) {
    if (!data) return undefined;
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left - LABEL;
    const y = event.clientY - rect.top;
    const k = Math.floor(x / CELL);
    const r = Math.floor(y / ROW);
    if (x < 0 || k >= data.sessions.length || r < 0 || r >= data.symbols.length) return undefined;
    return { symbol: data.symbols[r], date: data.sessions[k], quality: data.quality[r][k] };
  }

  canvas.addEventListener("mousemove", (e) => {
    const c = cellAt(e);
    canvas.title = c
      ? `${c.symbol} ${c.date}: ${c.quality === null ? "no session" : `${c.quality}%`}`
      : "";
    canvas.style.cursor = c && c.quality !== null ? "pointer" : "default";
  });
  canvas.addEventListener("click", (e) => {
    const c = cellAt(e);
    if (c && c.quality !== null) onPick(c.symbol, c.date);
  });

  return {
    async load(sessions = 60) {
      const t0 = performance.now();
      data = await api(`/api/history/quality?sessions=${sessions}`);
      draw();
      return performance.now() - t0;
    },
    /** The link of a cell, as the page would navigate to it. */
    cell(symbol, date) {
      if (!data) return undefined;
      const r = data.symbols.indexOf(symbol);
      const k = data.sessions.indexOf(date);
      if (r < 0 || k < 0) return undefined;
      return { x: LABEL + k * CELL + CELL / 2, y: r * ROW + ROW / 2, quality: data.quality[r][k] };
    },
    get data() {
      return data;
    },
  };
}
