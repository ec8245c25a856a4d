// The sessiondata dashboard: a symbol list, a chart of the chosen symbol, the quality view and
// replay controls. The server coalesces per-symbol updates (about 15 a second), and this page
// draws at most once per animation frame, touching only what changed, so 500 symbols replaying
// at full speed stay smooth.

(() => {
  const LWC = window.LightweightCharts;
  const $ = (id) => document.getElementById(id);

  // A token arrives in the fragment (#token=…), which browsers never send to the server.
  const hashToken = new URLSearchParams(location.hash.slice(1)).get("token");
  if (hashToken) sessionStorage.setItem("sessiondata-token", hashToken);
  const token = sessionStorage.getItem("sessiondata-token");

  async function api(path, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (init.body) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { ...init, headers });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message || `${res.status} ${res.statusText}`);
    return body;
  }

  // ---- time: the chart shows exchange wall-clock time (lightweight-charts draws UTC) ----
  let timeZone = "UTC";
  const offsetCache = new Map();
  function wallSeconds(ms) {
    const day = Math.floor(ms / 86_400_000);
    let offset = offsetCache.get(day);
    if (offset === undefined) {
      const parts = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }).formatToParts(new Date(day * 86_400_000 + 43_200_000));
      const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
      const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
      offset = wall - (day * 86_400_000 + 43_200_000);
      offsetCache.set(day, offset);
    }
    return (ms + offset) / 1000;
  }
  const fmtTime = (ms) =>
    new Date(wallSeconds(ms) * 1000).toISOString().slice(0, 16).replace("T", " ");
  const fmtNum = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "–");

  // ---- symbol list ----
  const rows = new Map(); // symbol -> { tr, cells, data }
  const dirty = new Set();
  let selected;
  let filter = "";

  function row(symbol) {
    let r = rows.get(symbol);
    if (r) return r;
    const tr = document.createElement("tr");
    tr.dataset.symbol = symbol;
    const cells = [0, 1, 2, 3].map(() => tr.appendChild(document.createElement("td")));
    cells[0].textContent = symbol;
    r = { tr, cells, data: undefined };
    rows.set(symbol, r);
    // Keep rows sorted: insert before the first row whose symbol sorts after this one.
    const tbody = $("symbols").tBodies[0];
    let before = null;
    for (const other of tbody.rows)
      if (other.dataset.symbol > symbol) {
        before = other;
        break;
      }
    tbody.insertBefore(tr, before);
    tr.style.display = symbol.toLowerCase().includes(filter) ? "" : "none";
    $("symbol-count").textContent = `(${rows.size})`;
    return r;
  }

  function setSnapshot(snap) {
    row(snap.symbol).data = snap;
    dirty.add(snap.symbol);
    if (selected === undefined) select(snap.symbol);
    if (snap.symbol === selected) scheduleChartRefresh();
    scheduleRender();
  }

  function renderRows() {
    for (const symbol of dirty) {
      const r = rows.get(symbol);
      const d = r?.data;
      if (!d) continue;
      r.cells[1].textContent = fmtNum(d.close);
      r.cells[2].textContent = Number.isFinite(d.changePct)
        ? `${d.changePct >= 0 ? "+" : ""}${d.changePct.toFixed(2)}`
        : "–";
      r.cells[2].className = d.changePct > 0 ? "up" : d.changePct < 0 ? "down" : "";
      r.cells[3].textContent = Number.isFinite(d.quality) ? `${d.quality.toFixed(1)}%` : "–";
      r.cells[3].className = d.quality < 100 ? "q-low" : "";
    }
    dirty.clear();
  }

  $("symbols").addEventListener("click", (e) => {
    const tr = e.target.closest("tr[data-symbol]");
    if (tr) select(tr.dataset.symbol);
  });
  $("symbol-filter").addEventListener("input", (e) => {
    filter = e.target.value.trim().toLowerCase();
    for (const [symbol, r] of rows)
      r.tr.style.display = symbol.toLowerCase().includes(filter) ? "" : "none";
  });

  // ---- chart ----
  const chart = LWC.createChart($("chart"), {
    autoSize: true,
    layout: { background: { color: "#161c23" }, textColor: "#d5dde5" },
    grid: { vertLines: { color: "#1f2730" }, horzLines: { color: "#1f2730" } },
    timeScale: { timeVisible: true, secondsVisible: false },
  });
  const candles = chart.addSeries(LWC.CandlestickSeries, {
    upColor: "#26a69a",
    downColor: "#ef5350",
    borderVisible: false,
    wickUpColor: "#26a69a",
    wickDownColor: "#ef5350",
  });
  const volume = chart.addSeries(LWC.HistogramSeries, {
    priceScaleId: "vol",
    priceFormat: { type: "volume" },
  });
  chart.priceScale("vol").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  const smaLine = chart.addSeries(LWC.LineSeries, {
    color: "#f6c343",
    lineWidth: 1,
    priceLineVisible: false,
    lastValueVisible: false,
  });
  const emaLine = chart.addSeries(LWC.LineSeries, {
    color: "#c678dd",
    lineWidth: 1,
    priceLineVisible: false,
    lastValueVisible: false,
  });
  const SMA_N = 20;
  const EMA_N = 50;

  let bars = []; // the chart's bars, oldest first
  let chartGen = 0; // bumps on symbol/timeframe change so late responses are ignored
  let inFlight = false;
  let wantRefresh = false;

  function overlays(from) {
    const sma = [];
    const ema = [];
    const k = 2 / (EMA_N + 1);
    let sum = 0;
    let e;
    for (let i = 0; i < bars.length; i++) {
      const c = bars[i].close;
      sum += c;
      if (i >= SMA_N) sum -= bars[i - SMA_N].close;
      e = i === 0 ? c : c * k + e * (1 - k);
      if (i < from) continue;
      const t = wallSeconds(bars[i].time);
      if (i >= SMA_N - 1) sma.push({ time: t, value: sum / SMA_N });
      if (i >= EMA_N - 1) ema.push({ time: t, value: e });
    }
    return { sma, ema };
  }

  const candleOf = (b) => ({
    time: wallSeconds(b.time),
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
  });
  const volOf = (b) => ({
    time: wallSeconds(b.time),
    value: b.volume,
    color: b.close >= b.open ? "#26a69a55" : "#ef535055",
  });

  function drawAll() {
    candles.setData(bars.map(candleOf));
    volume.setData(bars.map(volOf));
    const { sma, ema } = overlays(0);
    smaLine.setData(sma);
    emaLine.setData(ema);
  }

  async function loadChart() {
    const gen = ++chartGen;
    if (!selected) return;
    $("chart-title").textContent = selected;
    const tf = $("timeframe").value;
    try {
      const res = await api(
        `/api/symbols/${encodeURIComponent(selected)}/bars?timeframe=${tf}&n=2000`,
      );
      if (gen !== chartGen) return;
      bars = res.bars;
      drawAll();
      chart.timeScale().scrollToRealTime();
    } catch (_err) {
      if (gen === chartGen) {
        bars = [];
        drawAll();
      }
    }
    loadAnalysis();
  }

  // One request at a time; updates arriving meanwhile collapse into one more request.
  function scheduleChartRefresh() {
    if (inFlight) {
      wantRefresh = true;
      return;
    }
    inFlight = true;
    refreshChart().finally(() => {
      inFlight = false;
      if (wantRefresh) {
        wantRefresh = false;
        scheduleChartRefresh();
      }
    });
  }

  async function refreshChart() {
    const gen = chartGen;
    if (!selected) return;
    if (bars.length === 0) return loadChart();
    const tf = $("timeframe").value;
    const since = bars[bars.length - 1].time;
    const res = await api(
      `/api/symbols/${encodeURIComponent(selected)}/bars?timeframe=${tf}&since=${since}`,
    ).catch(() => undefined);
    if (!res || gen !== chartGen) return;
    if (res.bars.length === 0 || res.bars[0].time !== since) return loadChart(); // a new session
    const first = bars.length - 1;
    bars.splice(first, 1, ...res.bars);
    if (res.bars.length > 200) return drawAll();
    for (let i = first; i < bars.length; i++) {
      candles.update(candleOf(bars[i]));
      volume.update(volOf(bars[i]));
    }
    const { sma, ema } = overlays(first);
    for (const p of sma) smaLine.update(p);
    for (const p of ema) emaLine.update(p);
  }

  async function loadAnalysis() {
    if (!selected) return;
    const res = await api(`/api/symbols/${encodeURIComponent(selected)}/analysis`).catch(
      () => undefined,
    );
    if (res) showAnalysis(res);
  }

  function showAnalysis(a) {
    if (!a || a.symbol !== selected) return;
    const el = $("analysis");
    el.textContent = "";
    const add = (label, value) => {
      el.append(`${label} `);
      const b = document.createElement("b");
      b.textContent = value;
      el.append(b, "  ");
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

  function select(symbol) {
    if (selected) rows.get(selected)?.tr.classList.remove("selected");
    selected = symbol;
    rows.get(symbol)?.tr.classList.add("selected");
    bars = [];
    loadChart();
  }
  $("timeframe").addEventListener("change", () => {
    bars = [];
    loadChart();
  });

  // ---- quality view: the server merges upkeep's events into gap records; the page re-reads
  // them after quality events, at most twice a second ----
  let gaps = [];
  let gapCounts = { detected: 0, filled: 0, unfillable: 0 };
  let gapsDirty = false;
  let gapsTimer = 0;

  function scheduleGapsFetch() {
    if (gapsTimer) return;
    gapsTimer = setTimeout(async () => {
      const res = await api("/api/gaps").catch(() => undefined);
      gapsTimer = 0;
      if (res) setGaps(res);
    }, 500);
  }

  function setGaps(res) {
    gaps = res.gaps;
    gapCounts = res.counts;
    gapsDirty = true;
    scheduleRender();
  }

  function renderGaps() {
    gapsDirty = false;
    const list = gaps;
    const counts = gapCounts;
    $("gap-counts").textContent =
      `${counts.detected} detected · ${counts.filled} filled · ${counts.unfillable} unfillable`;
    const tbody = $("gaps").tBodies[0];
    const frag = document.createDocumentFragment();
    for (const g of list.slice(0, 300)) {
      const tr = document.createElement("tr");
      const span = `${fmtTime(g.start).slice(11)}–${fmtTime(g.end).slice(11)}`;
      for (const text of [g.symbol, g.sessionDate, span, String(g.count), g.status]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      tr.lastChild.className = `status-${g.status}`;
      if (g.reason) tr.title = g.reason;
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
  }

  // ---- replay ----
  let replay = { state: "idle" };
  function showReplay(state) {
    const before = replay.state;
    replay = state;
    $("replay-state").textContent = state.state;
    $("replay-clock").textContent = Number.isFinite(state.time)
      ? `${fmtTime(state.time)} · ${state.slices ?? 0} slices`
      : "";
    const s = state.state;
    $("btn-start").disabled = s === "running" || s === "paused";
    $("btn-pause").disabled = s !== "running";
    $("btn-resume").disabled = s !== "paused";
    $("btn-stop").disabled = s !== "running" && s !== "paused";
    if (before !== "running" && s === "running" && before !== "paused") {
      bars = [];
      loadChart();
    }
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
    if (replay.state === "running" || replay.state === "paused")
      act({ action: "speed", speed: speed() });
  });

  // ---- drawing: once per frame at most ----
  let frame = 0;
  function scheduleRender() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      renderRows();
      if (gapsDirty) renderGaps();
    });
  }

  // ---- live updates ----
  let dropped = 0;
  function connect() {
    const url = new URL("/ws", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (token) url.searchParams.set("access_token", token);
    const ws = new WebSocket(url);
    ws.onopen = () => {
      $("conn").textContent = "live";
      $("conn").className = "badge on";
      ws.send(
        JSON.stringify({
          type: "subscribe",
          symbols: ["*"],
          channels: ["bars", "analysis", "quality"],
        }),
      );
    };
    ws.onclose = () => {
      $("conn").textContent = "offline";
      $("conn").className = "badge off";
      setTimeout(connect, 1000);
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "update") {
        if (m.bars) for (const snap of Object.values(m.bars)) setSnapshot(snap);
        if (m.analysis && selected && m.analysis[selected]) showAnalysis(m.analysis[selected]);
        if (m.replay) showReplay(m.replay);
      } else if (m.type === "quality") {
        if (m.event.type !== "qualityChanged") scheduleGapsFetch();
      } else if (m.type === "reset") {
        for (const r of rows.values()) r.tr.remove();
        rows.clear();
        $("symbol-count").textContent = "";
        selected = undefined;
        bars = [];
        drawAll();
        setGaps({ gaps: [], counts: { detected: 0, filled: 0, unfillable: 0 } });
      } else if (m.type === "session") {
        bars = [];
        loadChart();
      } else if (m.type === "dropped") {
        dropped = m.total;
        $("ws-dropped").textContent = `dropped ${dropped}`;
      }
    };
  }

  async function start() {
    const [list, state, gapList] = await Promise.all([
      api("/api/symbols"),
      api("/api/replay"),
      api("/api/gaps"),
    ]);
    timeZone = list.timeZone || "UTC";
    for (const snap of list.symbols) setSnapshot(snap);
    showReplay(state);
    setGaps(gapList);
    connect();
  }
  start().catch((err) => {
    $("replay-clock").textContent = `cannot load: ${err.message}`;
  });
  window.__dashboard = {
    get bars() {
      return bars;
    },
    get gaps() {
      return gaps;
    },
    get selected() {
      return selected;
    },
  };
})();
