// The chart of one symbol and session: candles with the engine's overlays (price pane), volume
// (its own pane), RSI and MACD (oscillator panes), shaded gaps and markers for refilled and
// corrected bars, and a crosshair read-out. Every value comes from the server (the history
// routes, or the live session's routes while following): nothing is recomputed here.
import {
  candleOf,
  DOWN,
  gapPoints,
  indicatorLabel,
  markersOf,
  UP,
  volumeOf,
} from "./chart-data.js";
import { $, api, fmtNum, fmtTime, wallSeconds } from "./util.js";

export { indicatorLabel };

const LWC = window.LightweightCharts;
const GAP = "rgba(239, 83, 80, 0.18)";
/** Colours of the overlay lines, in the order the server names them. */
const LINE_COLOURS = ["#f6c343", "#c678dd", "#61afef", "#98c379"];

export function createChartView({ onStatus }) {
  const chart = LWC.createChart($("chart"), {
    autoSize: true,
    layout: {
      background: { color: "#161c23" },
      textColor: "#d5dde5",
      panes: { separatorColor: "#2a3440" },
    },
    grid: { vertLines: { color: "#1f2730" }, horzLines: { color: "#1f2730" } },
    timeScale: { timeVisible: true, secondsVisible: false, shiftVisibleRangeOnNewBar: true },
    rightPriceScale: { minimumWidth: 72 },
    crosshair: { mode: LWC.CrosshairMode.Normal },
  });
  const candles = chart.addSeries(LWC.CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderVisible: false,
    wickUpColor: UP,
    wickDownColor: DOWN,
  });
  // Gaps: a full-height histogram on a hidden scale of the price pane, one column per missing
  // minute (or per bucket holding one), drawn behind the candles.
  const gaps = chart.addSeries(LWC.HistogramSeries, {
    priceScaleId: "gaps",
    color: GAP,
    priceLineVisible: false,
    lastValueVisible: false,
  });
  chart.priceScale("gaps").applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
  const markers = LWC.createSeriesMarkers(candles, []);
  const volume = chart.addSeries(
    LWC.HistogramSeries,
    { priceFormat: { type: "volume" }, priceLineVisible: false },
    1,
  );
  const line = { priceLineVisible: false, lastValueVisible: false, lineWidth: 1 };
  const rsi = chart.addSeries(LWC.LineSeries, { ...line, color: "#61afef" }, 2);
  rsi.createPriceLine({ price: 70, color: "#3a4654", lineStyle: 2, axisLabelVisible: false });
  rsi.createPriceLine({ price: 30, color: "#3a4654", lineStyle: 2, axisLabelVisible: false });
  const macdLine = chart.addSeries(LWC.LineSeries, { ...line, color: "#61afef" }, 3);
  const macdSignal = chart.addSeries(LWC.LineSeries, { ...line, color: "#e5c07b" }, 3);
  const macdHist = chart.addSeries(LWC.HistogramSeries, { priceLineVisible: false }, 3);
  const panes = chart.panes();
  panes[1]?.setHeight(90);
  panes[2]?.setHeight(90);
  panes[3]?.setHeight(90);
  let overlays = []; // [{ key, series }]

  let view; // { symbol, date, tf, priceDecimals, live }
  let bars = [];
  const byTime = new Map(); // wall seconds → index into bars
  let values = {}; // key → value per bar
  let keys = [];
  let liveHistory; // time → index into liveValues, while following a stored day
  let liveValues = {};
  let generation = 0;
  let marked; // the day report whose marks are drawn (late, refilled, corrected)
  let inFlight = false;
  let again = false;

  function resetOverlays(newKeys) {
    for (const o of overlays) chart.removeSeries(o.series);
    overlays = [];
    const lineKeys = newKeys.filter((k) => /^(sma|ema|vwap|bollinger)/.test(k));
    lineKeys.forEach((key, i) => {
      const series = chart.addSeries(LWC.LineSeries, {
        ...line,
        color: LINE_COLOURS[i % LINE_COLOURS.length],
      });
      overlays.push({ key, series });
    });
    keys = newKeys;
    renderLegend();
  }

  function renderLegend() {
    const items = overlays.map(
      (o) =>
        `<span class="item" data-key="${o.key}"><i style="background:${o.series.options().color}"></i>${indicatorLabel(o.key)}</span>`,
    );
    for (const k of keys) {
      if (overlays.some((o) => o.key === k)) continue;
      items.push(`<span class="item osc" data-key="${k}">${indicatorLabel(k)}</span>`);
    }
    $("legend").innerHTML = items.join(" ");
  }

  const num = (v, field) =>
    v === null || v === undefined ? undefined : typeof v === "number" ? v : v[field];

  function pointsOf(key, field, from = 0) {
    const out = [];
    const vs = values[key] ?? [];
    for (let i = from; i < bars.length; i++) {
      const v = num(vs[i], field);
      if (v !== undefined && Number.isFinite(v))
        out.push({ time: wallSeconds(bars[i].time), value: v });
    }
    return out;
  }

  function paintIndicators() {
    for (const o of overlays)
      o.series.setData(pointsOf(o.key, o.key.startsWith("bollinger") ? "middle" : undefined));
    const rsiKey = keys.find((k) => k.startsWith("rsi"));
    rsi.setData(rsiKey ? pointsOf(rsiKey) : []);
    const macdKey = keys.find((k) => k.startsWith("macd"));
    macdLine.setData(macdKey ? pointsOf(macdKey, "macd") : []);
    macdSignal.setData(macdKey ? pointsOf(macdKey, "signal") : []);
    macdHist.setData(
      macdKey
        ? pointsOf(macdKey, "histogram").map((p) => ({
            ...p,
            color: p.value >= 0 ? `${UP}88` : `${DOWN}88`,
          }))
        : [],
    );
  }

  function indexBars() {
    byTime.clear();
    for (let i = 0; i < bars.length; i++) byTime.set(wallSeconds(bars[i].time), i);
  }

  /** Shows `next` ({ symbol, date, tf, live, priceDecimals }): reads everything anew. */
  async function show(next) {
    view = next;
    const g = ++generation;
    bars = [];
    values = {};
    const q = `date=${next.date}&tf=${next.tf}${next.adjust && next.adjust !== "raw" ? `&adjust=${next.adjust}` : ""}`;
    const s = encodeURIComponent(next.symbol);
    $("chart-title").textContent =
      `${next.symbol} · ${next.date} · ${next.tf}${next.adjust && next.adjust !== "raw" ? ` · ${next.adjust}` : ""}`;
    let barsBody;
    let ind;
    let day;
    liveHistory = undefined;
    marked = undefined;
    if (next.live) {
      const tf = next.tf === "1D" ? "1h" : next.tf;
      // While following a replay the stored day already has every bar: its indicator values
      // (the same engine specs) fill the lines for the bars on screen; a live-only symbol asks
      // the engine for the latest values as bars arrive.
      const history =
        next.stored && next.tf !== "1D"
          ? api(`/api/history/symbols/${s}/indicators?${q}`).catch(() => undefined)
          : Promise.resolve(undefined);
      // The stored day's marks (late, refilled, corrected); its gaps are not drawn while
      // following: minutes still to come are no gaps.
      const dayOf = next.stored
        ? api(`/api/history/symbols/${s}/day?date=${next.date}`).catch(() => undefined)
        : Promise.resolve(undefined);
      const [body, hist, marks] = await Promise.all([
        api(`/api/symbols/${s}/bars?timeframe=${tf}&n=10000`),
        history,
        dayOf,
      ]);
      barsBody = body;
      ind = hist;
      day = marks;
      if (ind === undefined && next.analysis) {
        const a = await api(`/api/symbols/${s}/analysis`).catch(() => undefined);
        ind = { indicators: Object.keys(a?.indicators ?? {}).map((key) => ({ key })), values: {} };
      }
      ind ??= { indicators: [], values: {} };
      if (hist !== undefined) {
        liveHistory = new Map();
        hist.time.forEach((t, i) => {
          liveHistory.set(t, i);
        });
        liveValues = hist.values;
      }
    } else {
      [barsBody, ind, day] = await Promise.all([
        api(`/api/history/symbols/${s}/bars?${q}`),
        api(`/api/history/symbols/${s}/indicators?${q}`),
        api(`/api/history/symbols/${s}/day?date=${next.date}`),
      ]);
    }
    if (g !== generation) return;
    marked = day;
    // Following: the day panel says so, and the stored day's gaps are not drawn.
    if (next.live) day = undefined;
    bars = barsBody.bars;
    indexBars();
    resetOverlays(ind.indicators.map((i) => i.key));
    values = ind.values ?? {};
    if (next.live) for (const k of keys) values[k] = bars.map((b) => liveValue(k, b.time));
    candles.setData(bars.map(candleOf));
    volume.setData(bars.map(volumeOf));
    gaps.setData(gapPoints(day, next.tf));
    paintMarkers();
    paintIndicators();
    chart.timeScale().fitContent();
    onStatus?.(day);
    $("readout").textContent = "";
  }

  /** Marks of `marked` on the bars the chart holds (a late minute without a bar is a gap). */
  function paintMarkers() {
    const tf = view?.tf === "1D" && view.live ? "1h" : view?.tf;
    markers.setMarkers(markersOf(marked, tf, (t) => byTime.has(t)));
  }

  /** Live: re-reads the day's marks (a late bar was reported, a gap filled); one read at a time. */
  let marking = false;
  async function refreshMarks() {
    if (!view?.live || !view.stored || marking) return;
    marking = true;
    const g = generation;
    try {
      const day = await api(
        `/api/history/symbols/${encodeURIComponent(view.symbol)}/day?date=${view.date}`,
      ).catch(() => undefined);
      if (g !== generation || day === undefined) return;
      marked = day;
      paintMarkers();
    } finally {
      marking = false;
    }
  }

  /** A stored indicator value at `time` while following (null when the store has none). */
  function liveValue(key, time) {
    const i = liveHistory?.get(time);
    return i === undefined ? null : (liveValues[key]?.[i] ?? null);
  }

  /** Live: the symbol changed; fetch the bars since the last one (one request at a time). */
  async function changed() {
    if (!view?.live) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const g = generation;
    try {
      const s = encodeURIComponent(view.symbol);
      const tf = view.tf === "1D" ? "1h" : view.tf;
      // Bars still waiting for their frame count as held: ask for what came after them.
      const last = pending.at(-1)?.bars.at(-1) ?? bars.at(-1);
      const since = last ? `since=${last.time}` : "n=10000";
      const [body, a] = await Promise.all([
        api(`/api/symbols/${s}/bars?timeframe=${tf}&${since}`),
        liveHistory === undefined && view.analysis
          ? api(`/api/symbols/${s}/analysis`).catch(() => undefined)
          : undefined,
      ]);
      if (g !== generation) return;
      pending.push({ g, bars: body.bars, analysis: a });
      if (pending.length === 1) requestAnimationFrame(applyPending);
    } catch (err) {
      $("readout").textContent = err.message;
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        changed();
      }
    }
  }

  // Live updates wait for the next animation frame and are applied together: one relayout of
  // the chart per frame however many updates arrived in it (frames were dropped when every
  // WebSocket update redrew at once).
  const pending = [];
  function applyPending() {
    const batch = pending.splice(0);
    const fresh = batch.filter((u) => u.g === generation);
    if (fresh.length === 0) return;
    // A user who scrolled back keeps their view: remember it and put it back after the update.
    const ts = chart.timeScale();
    const scrolledBack = ts.scrollPosition() < -1;
    const range = scrolledBack ? ts.getVisibleLogicalRange() : null;
    let added = false;
    for (const { bars: incoming, analysis: a } of fresh) {
      for (const b of incoming) {
        const at = byTime.get(wallSeconds(b.time));
        if (at !== undefined) {
          bars[at] = b;
          // The chart updates only its last bar in place; an earlier one is already final.
          if (at < bars.length - 1) continue;
        } else {
          bars.push(b);
          byTime.set(wallSeconds(b.time), bars.length - 1);
          for (const k of keys) (values[k] ??= []).push(liveValue(k, b.time));
          added = true;
        }
        if (liveHistory !== undefined) paintLast(byTime.get(wallSeconds(b.time)));
        candles.update(candleOf(b));
        volume.update(volumeOf(b));
      }
      if (a && bars.length > 0 && a.time !== undefined) {
        const i = bars.length - 1;
        for (const k of keys) if (a.indicators[k] !== undefined) values[k][i] = a.indicators[k];
        paintLast(i);
      }
    }
    // A late bar that has just come gets its marker.
    if (added && marked?.marked?.late?.length) paintMarkers();
    if (range) ts.setVisibleLogicalRange(range);
  }

  function paintLast(i) {
    const t = wallSeconds(bars[i].time);
    for (const o of overlays) {
      const v = num(values[o.key][i]);
      if (Number.isFinite(v)) o.series.update({ time: t, value: v });
    }
    const rk = keys.find((k) => k.startsWith("rsi"));
    const rv = rk ? num(values[rk][i]) : undefined;
    if (Number.isFinite(rv)) rsi.update({ time: t, value: rv });
    const mk = keys.find((k) => k.startsWith("macd"));
    const mv = mk ? values[mk][i] : undefined;
    if (mv) {
      macdLine.update({ time: t, value: mv.macd });
      macdSignal.update({ time: t, value: mv.signal });
      macdHist.update({
        time: t,
        value: mv.histogram,
        color: mv.histogram >= 0 ? `${UP}88` : `${DOWN}88`,
      });
    }
  }

  chart.subscribeCrosshairMove((param) => {
    if (param.time === undefined || !view) {
      $("readout").textContent = "";
      return;
    }
    const i = byTime.get(param.time);
    if (i === undefined) {
      // Whitespace (a gap minute): the exchange time alone; chart times are wall-clock seconds.
      $("readout").textContent = new Date(param.time * 1000)
        .toISOString()
        .slice(0, 16)
        .replace("T", " ");
      return;
    }
    const b = bars[i];
    const d = view.priceDecimals ?? 2;
    const parts = [
      `<b>${fmtTime(b.time)}</b>`,
      `O <span data-f="open">${fmtNum(b.open, d)}</span>`,
      `H <span data-f="high">${fmtNum(b.high, d)}</span>`,
      `L <span data-f="low">${fmtNum(b.low, d)}</span>`,
      `C <span data-f="close">${fmtNum(b.close, d)}</span>`,
      `V <span data-f="volume">${Math.round(b.volume).toLocaleString("en-US")}</span>`,
    ];
    for (const k of keys) {
      const v = values[k]?.[i];
      if (v === null || v === undefined) continue;
      const text =
        typeof v === "number"
          ? fmtNum(v, k.startsWith("rsi") ? 1 : d)
          : Object.entries(v)
              .map(([f, x]) => `${f} ${fmtNum(x, d)}`)
              .join(" ");
      parts.push(`${indicatorLabel(k)} <span data-f="${k}">${text}</span>`);
    }
    $("readout").innerHTML = parts.join(" · ");
  });

  return {
    show,
    changed,
    refreshMarks,
    get bars() {
      return bars;
    },
    get view() {
      return view;
    },
    get keys() {
      return keys;
    },
    get values() {
      return values;
    },
    get visibleBars() {
      const r = chart.timeScale().getVisibleLogicalRange();
      return r ? Math.round(r.to - r.from) : 0;
    },
    /** For tests: the chart's own coordinate of a bar index. */
    coordinateOf(i) {
      const x = chart.timeScale().timeToCoordinate(wallSeconds(bars[i].time));
      const y = candles.priceToCoordinate(bars[i].close);
      return { x, y };
    },
    get gapCount() {
      return gaps.data().length;
    },
    get markerCount() {
      return markers.markers().length;
    },
    /** For tests: the drawn markers ({ time, shape, text }). */
    get markers() {
      return markers.markers();
    },
    scrollBack(n) {
      chart.timeScale().scrollToPosition(-n, false);
    },
    get scrollPosition() {
      return chart.timeScale().scrollPosition();
    },
  };
}
