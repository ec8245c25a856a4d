// The symbol list and the quality view. Rows are created once per symbol; an update only marks
// a symbol dirty, and a frame repaints just the dirty rows that are on screen (an
// IntersectionObserver tracks which are), so 500 symbols cost about as much as the 25 visible.
import { $, api, fmtNum, fmtTime, perFrame } from "./util.js";

export function createSymbolList({ onSelect }) {
  const rows = new Map(); // symbol -> { tr, cells, data }
  const dirty = new Set();
  const visible = new Set();
  let selected;
  // The symbol on the chart before a new replay cleared the list: shown again when it returns.
  let preferred;
  let filter = "";
  const tbody = $("symbols").tBodies[0];

  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const symbol = e.target.dataset.symbol;
        if (e.isIntersecting) visible.add(symbol);
        else visible.delete(symbol);
      }
      render();
    },
    { root: tbody.closest(".scroll") },
  );

  function paint(r) {
    const d = r.data;
    r.cells[1].textContent = fmtNum(d.close);
    const pct = d.changePct;
    r.cells[2].textContent = Number.isFinite(pct) ? `${pct >= 0 ? "+" : ""}${pct.toFixed(2)}` : "–";
    r.cells[2].className = pct > 0 ? "up" : pct < 0 ? "down" : "";
    r.cells[3].textContent = Number.isFinite(d.quality) ? `${d.quality.toFixed(1)}%` : "–";
    r.cells[3].className = d.quality < 100 ? "q-low" : "";
  }

  const render = perFrame(() => {
    for (const symbol of dirty) {
      if (!visible.has(symbol)) continue; // painted when it scrolls into view
      dirty.delete(symbol);
      const r = rows.get(symbol);
      if (r?.data) paint(r);
    }
  });

  function row(symbol) {
    let r = rows.get(symbol);
    if (r) return r;
    const tr = document.createElement("tr");
    tr.dataset.symbol = symbol;
    const cells = [0, 1, 2, 3].map(() => tr.appendChild(document.createElement("td")));
    cells[0].textContent = symbol;
    r = { tr, cells, data: undefined };
    rows.set(symbol, r);
    // Symbols mostly arrive in order: look for the insertion point from the end.
    let before = null;
    for (let other = tbody.lastElementChild; other; other = other.previousElementSibling) {
      if (other.dataset.symbol < symbol) break;
      before = other;
    }
    tbody.insertBefore(tr, before);
    tr.style.display = symbol.toLowerCase().includes(filter) ? "" : "none";
    observer.observe(tr);
    $("symbol-count").textContent = `(${rows.size})`;
    return r;
  }

  tbody.addEventListener("click", (e) => {
    const tr = e.target.closest("tr[data-symbol]");
    if (tr) select(tr.dataset.symbol);
  });
  $("symbol-filter").addEventListener("input", (e) => {
    filter = e.target.value.trim().toLowerCase();
    for (const [symbol, r] of rows) {
      r.tr.style.display = symbol.toLowerCase().includes(filter) ? "" : "none";
    }
  });

  function select(symbol) {
    if (selected) rows.get(selected)?.tr.classList.remove("selected");
    selected = symbol;
    rows.get(symbol)?.tr.classList.add("selected");
    onSelect(symbol);
  }

  return {
    get selected() {
      return selected;
    },
    /** A symbol's snapshot (from `/api/symbols` or an update). */
    set(snap) {
      row(snap.symbol).data = snap;
      dirty.add(snap.symbol);
      render();
    },
    /**
     * After a batch of snapshots, with no symbol chosen: the one chosen before the last clear if
     * it is listed again, else the first listed (a new replay no longer jumps to another symbol).
     */
    ensureSelected() {
      if (selected !== undefined || rows.size === 0) return;
      select(rows.has(preferred) ? preferred : tbody.firstElementChild.dataset.symbol);
    },
    clear() {
      preferred = selected ?? preferred;
      for (const r of rows.values()) {
        observer.unobserve(r.tr);
        r.tr.remove();
      }
      rows.clear();
      dirty.clear();
      visible.clear();
      selected = undefined;
      $("symbol-count").textContent = "";
    },
  };
}

/** Gap rows the quality view shows (and asks for: a 500-symbol replay has thousands). */
export const SHOWN_GAPS = 300;

// The quality view: the server merges upkeep's events into gap records; the page re-reads them
// after quality events, at most twice a second.
export function createQualityView() {
  let gaps = [];
  let counts = { detected: 0, filled: 0, unfillable: 0 };
  let timer = 0;
  let again = false;

  const render = perFrame(() => {
    // A record's status is where it stands now, so every gap was detected: "0 detected ·
    // 286 filled" read as a contradiction. The total first; a gap not yet resolved is "pending".
    const total = counts.detected + counts.filled + counts.unfillable;
    $("gap-counts").textContent =
      `${total} gap${total === 1 ? "" : "s"}: ${counts.filled} filled · ${counts.unfillable} unfillable · ${counts.detected} pending`;
    const frag = document.createDocumentFragment();
    for (const g of gaps.slice(0, SHOWN_GAPS)) {
      const tr = document.createElement("tr");
      const span = `${fmtTime(g.start).slice(11)}–${fmtTime(g.end).slice(11)}`;
      const status = g.status === "detected" ? "pending" : g.status;
      for (const text of [g.symbol, g.sessionDate, span, String(g.count), status]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      tr.lastChild.className = `status-${g.status}`;
      if (g.reason) tr.title = g.reason;
      frag.appendChild(tr);
    }
    $("gaps").tBodies[0].replaceChildren(frag);
  });

  function set(res) {
    gaps = res.gaps;
    counts = res.counts;
    render();
  }

  return {
    set,
    get gaps() {
      return gaps;
    },
    /** Something changed: re-read the gaps soon. */
    changed() {
      if (timer) {
        // A change during the read may have missed it: read once more afterwards (else the
        // replay's last events could leave the view showing gaps "pending" for good).
        again = true;
        return;
      }
      timer = setTimeout(async () => {
        again = false;
        const res = await api(`/api/gaps?limit=${SHOWN_GAPS}`).catch(() => undefined);
        timer = 0;
        if (res) set(res);
        if (again) this.changed();
      }, 500);
    },
    clear() {
      set({ gaps: [], counts: { detected: 0, filled: 0, unfillable: 0 } });
    },
  };
}
