// The chart of the chosen symbol: candlesticks, volume and SMA/EMA overlays over its bars of the
// chosen timeframe. Live updates only say "this symbol changed"; the chart then asks for the bars
// since its last one (one request in flight at most), so it stays exact at any timeframe however
// many bars arrived between two server flushes.
import { $, api, fmtNum, wallSeconds } from "./util.js";

const LWC = window.LightweightCharts;
// The overlays' periods follow the analysis engine's first SMA and EMA (`sma50`, `ema20`), so
// the lines and the analysis line below the chart name the same indicators; these until it answers.
let smaN = 20;
let emaN = 50;
// A young session (few bars) is fitted to the width; past this many bars the chart shows the
// latest ones at a readable width (fitting once and then appending kept the early, very wide
// bars: at the close only the last quarter hour was on screen).
const FRAME_BARS = 150;
const UP = "#26a69a";
const DOWN = "#ef5350";

const candleOf = (b) => ({
  time: wallSeconds(b.time),
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
});
const volumeOf = (b) => ({
  time: wallSeconds(b.time),
  value: b.volume,
  color: b.close >= b.open ? `${UP}55` : `${DOWN}55`,
});

export function createChartView() {
  const chart = LWC.createChart($("chart"), {
    autoSize: true,
    layout: { background: { color: "#161c23" }, textColor: "#d5dde5" },
    grid: { vertLines: { color: "#1f2730" }, horzLines: { color: "#1f2730" } },
    timeScale: { timeVisible: true, secondsVisible: false },
  });
  const candles = chart.addSeries(LWC.CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderVisible: false,
    wickUpColor: UP,
    wickDownColor: DOWN,
  });
  const volume = chart.addSeries(LWC.HistogramSeries, {
    priceScaleId: "vol",
    priceFormat: { type: "volume" },
  });
  chart.priceScale("vol").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  const line = { priceLineVisible: false, lastValueVisible: false, lineWidth: 1 };
  const smaLine = chart.addSeries(LWC.LineSeries, { ...line, color: "#f6c343" });
  const emaLine = chart.addSeries(LWC.LineSeries, { ...line, color: "#c678dd" });

  let symbol;
  let bars = []; // oldest first
  let generation = 0; // bumps on every reload so late responses are ignored
  let inFlight = false;
  let again = false;

  const timeframe = () => $("timeframe").value;
  const path = (query) =>
    `/api/symbols/${encodeURIComponent(symbol)}/bars?timeframe=${timeframe()}&${query}`;

  /** SMA and EMA points from bar index `from` on (the sums run over every bar). */
  function overlays(from) {
    const sma = [];
    const ema = [];
    const k = 2 / (emaN + 1);
    let sum = 0;
    let e;
    for (let i = 0; i < bars.length; i++) {
      const c = bars[i].close;
      sum += c;
      if (i >= smaN) sum -= bars[i - smaN].close;
      e = i === 0 ? c : c * k + e * (1 - k);
      if (i < from) continue;
      const t = wallSeconds(bars[i].time);
      if (i >= smaN - 1) sma.push({ time: t, value: sum / smaN });
      if (i >= emaN - 1) ema.push({ time: t, value: e });
    }
    return { sma, ema };
  }

  function frame() {
    if (bars.length < FRAME_BARS) chart.timeScale().fitContent();
    else
      chart
        .timeScale()
        .setVisibleLogicalRange({ from: bars.length - FRAME_BARS, to: bars.length + 2 });
  }

  /** Takes the overlay periods from the engine's indicator names; redraws when they change. */
  function followEngine(indicators) {
    const names = Object.keys(indicators || {});
    const period = (kind) => {
      for (const n of names) {
        const m = new RegExp(`^${kind}(\\d+)$`).exec(n);
        if (m && Number(m[1]) >= 1) return Number(m[1]);
      }
      return undefined;
    };
    const sma = period("sma") ?? smaN;
    const ema = period("ema") ?? emaN;
    if (sma === smaN && ema === emaN) return;
    smaN = sma;
    emaN = ema;
    $("legend-sma").textContent = `SMA ${smaN}`;
    $("legend-ema").textContent = `EMA ${emaN}`;
    const { sma: s, ema: e } = overlays(0);
    smaLine.setData(s);
    emaLine.setData(e);
  }

  function drawAll() {
    candles.setData(bars.map(candleOf));
    volume.setData(bars.map(volumeOf));
    const { sma, ema } = overlays(0);
    smaLine.setData(sma);
    emaLine.setData(ema);
  }

  async function reload() {
    const gen = ++generation;
    bars = [];
    drawAll();
    $("chart-title").textContent = symbol ?? "Chart";
    if (!symbol) return;
    const res = await api(path("n=2000")).catch(() => undefined);
    if (gen !== generation || !res) return;
    bars = res.bars;
    drawAll();
    frame();
    loadAnalysis();
  }

  async function catchUp() {
    const gen = generation;
    if (!symbol) return;
    if (bars.length === 0) return reload();
    const since = bars[bars.length - 1].time;
    const res = await api(path(`since=${since}`)).catch(() => undefined);
    if (!res || gen !== generation) return;
    // The last bar we hold must come back first (it may have grown); otherwise a new session.
    if (res.bars.length === 0 || res.bars[0].time !== since) return reload();
    const first = bars.length - 1;
    bars.splice(first, 1, ...res.bars);
    // Keep a young session fitted, and frame it once as it grows past FRAME_BARS; after that
    // the chart follows new bars by itself and leaves the user's zoom alone.
    if (first + 1 < FRAME_BARS) frame();
    if (res.bars.length > 200) drawAll();
    else {
      for (let i = first; i < bars.length; i++) {
        candles.update(candleOf(bars[i]));
        volume.update(volumeOf(bars[i]));
      }
      const { sma, ema } = overlays(first);
      for (const p of sma) smaLine.update(p);
      for (const p of ema) emaLine.update(p);
    }
    loadAnalysis();
  }

  async function loadAnalysis() {
    if (!symbol) return;
    const asked = symbol;
    const a = await api(`/api/symbols/${encodeURIComponent(asked)}/analysis`).catch(
      () => undefined,
    );
    if (!a || asked !== symbol) return;
    followEngine(a.indicators);
    const el = $("analysis");
    el.textContent = "";
    const add = (label, value) => {
      const b = document.createElement("b");
      b.textContent = value;
      el.append(`${label} `, b, "  ");
    };
    add("trend", a.trend ?? "–");
    add("price", fmtNum(a.price));
    for (const [name, v] of Object.entries(a.indicators || {})) {
      if (typeof v === "number") add(name, fmtNum(v));
      else if (v && typeof v === "object")
        add(
          name,
          Object.entries(v)
            .map(([k, x]) => `${k} ${fmtNum(x)}`)
            .join(" / "),
        );
      else add(name, "–");
    }
  }

  return {
    get symbol() {
      return symbol;
    },
    get bars() {
      return bars;
    },
    /** Bars across the chart's width (its visible logical range). */
    get visibleBars() {
      const r = chart.timeScale().getVisibleLogicalRange();
      return r ? r.to - r.from : 0;
    },
    /** Shows another symbol (or the same one afresh, e.g. after a timeframe change). */
    show(next) {
      symbol = next;
      $("analysis").textContent = "";
      reload();
    },
    /** The symbol got new bars: fetch what is new, collapsing calls while one is in flight. */
    changed() {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      catchUp().finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          this.changed();
        }
      });
    },
    reload,
  };
}
