/**
 * The history routes under `/api/history`: what the bar store holds, for any symbol and day
 * (the session-data routes under `/api/symbols` answer for the current session only). Every
 * query is parsed by the zod schemas of `history-schemas.ts`; a range over a limit is a 400
 * stating the limit, before anything is read.
 */
import type { Hono } from "hono";
import type { IndicatorValue } from "../analysis/public.js";
import { describeIndicatorSpec } from "../analysis/public.js";
import type { Session, TradingCalendar } from "../calendar/trading-calendar.js";
import type { BarStore, SymbolInfo } from "../history/bar-store.js";
import type { AdjustMode } from "../history/corporate/adjust-mode.js";
import { AdjustedBarStore } from "../history/corporate/adjusted-bar-store.js";
import { corporateActionsOf } from "../history/corporate/corporate-action-store.js";
import { ApiError } from "./api-error.js";
import {
  type CatalogEntry,
  calendarOfInfo,
  catalog,
  defaultSymbolInfo,
  sessionDateOrUtc,
} from "./history-catalog.js";
import {
  aggregate,
  barsUpperBound,
  dayReport,
  qualityCells,
  readSessionsBars,
} from "./history-read.js";
import {
  checkOrder,
  checkSessionCount,
  dayQuerySchema,
  type HistoryRange,
  historyBarsQuerySchema,
  historyIndicatorsQuerySchema,
  MAX_HEATMAP_CELLS,
  MAX_HISTORY_BARS,
  MAX_SESSIONS,
  qualityQuerySchema,
  sessionsQuerySchema,
} from "./history-schemas.js";
import { noParameters, parse, queryOf } from "./request-input.js";
import { symbolParamSchema } from "./schemas.js";

/** What the history routes read. */
export interface HistoryContext {
  /** Without one every history route answers 409. */
  readonly barStore: BarStore | undefined;
  /** The calendar of a symbol without a `symbols` row (and of `--calendar`). */
  readonly calendar: TradingCalendar;
  /** Indicators when a request names none (the engine's, or its defaults). */
  readonly indicators: readonly string[];
  /** The live session's late minutes (`marked.late` of `/day`); none without a live session. */
  readonly late?: {
    lateMinutes?(symbol: string, from: number, to: number): readonly number[];
  };
}

/**
 * Adds the `/api/history` routes to `app`.
 *
 * @example
 * ```ts
 * historyRoutes({ barStore, calendar: xnysCalendar, indicators: ["sma:20"] }, app);
 * await app.request("/api/history/symbols/AAPL/bars?date=2024-01-03&tf=5m");
 * ```
 */
export function historyRoutes(ctx: HistoryContext, app: Hono): Hono {
  const store = (): BarStore => {
    if (ctx.barStore === undefined) {
      throw new ApiError(409, "the server runs without a bar store: no history to read");
    }
    return ctx.barStore;
  };

  /** Calendar and precision of a stored symbol; 404 for one the store lacks. */
  const symbolOf = async (
    params: Record<string, string>,
  ): Promise<{ info: SymbolInfo; calendar: TradingCalendar }> => {
    const { symbol } = parse(symbolParamSchema, params, "symbol");
    const s = store();
    const coverage = await s.coverage(symbol);
    if (coverage === undefined) {
      throw new ApiError(
        404,
        `unknown symbol ${JSON.stringify(symbol)}: the bar store has no bars for it`,
      );
    }
    const info = (await s.symbolInfo(symbol)) ?? defaultSymbolInfo(symbol, ctx.calendar);
    return { info, calendar: calendarOf(info) };
  };

  const calendarOf = (info: SymbolInfo): TradingCalendar => calendarOfInfo(info, ctx.calendar);

  /**
   * Where a chart's bars are read: the raw store, or its adjusted view relative to the symbol's
   * last stored session (whose bars keep their raw prices: the chart ends at the price the user
   * saw, as a replay's does). A store without corporate-action tables reads raw in every mode.
   */
  const readerOf = async (
    symbol: string,
    calendar: TradingCalendar,
    adjust: AdjustMode,
  ): Promise<BarStore> => {
    const s = store();
    if (adjust === "raw" || corporateActionsOf(s) === undefined) return s;
    const cov = (await s.coverage(symbol))!;
    return new AdjustedBarStore({
      barStore: s,
      calendar,
      adjust,
      asOf: sessionDateOrUtc(calendar, cov.last),
    });
  };

  /** The sessions of a `date` or `from..to` (default: the symbol's last stored session). */
  const sessionsOf = async (
    symbol: string,
    calendar: TradingCalendar,
    q: HistoryRange,
  ): Promise<Session[]> => {
    let from = q.date ?? q.from;
    let to = q.date ?? q.to;
    if (from === undefined || to === undefined) {
      const cov = (await store().coverage(symbol))!;
      const last = sessionDateOrUtc(calendar, cov.last);
      from ??= last;
      to ??= last;
    }
    checkOrder(from, to);
    const dates = calendar.sessionsBetween(from, to);
    checkSessionCount(from, to, dates.length);
    return dates.map((d) => calendar.session(d)!);
  };

  const boundBars = (sessions: readonly Session[], tf: string, n: number): void => {
    if (n > MAX_HISTORY_BARS) {
      const range = sessions.length === 0 ? "" : `${sessions[0]!.date}..${sessions.at(-1)!.date}`;
      throw new ApiError(
        400,
        `from, to: ${range} gives up to ${n} bars at ${tf}; the limit is ${MAX_HISTORY_BARS} (use a coarser tf or a shorter range)`,
      );
    }
  };

  app.get("/api/history/symbols", async (c) => {
    noParameters(queryOf(c));
    // Without a bar store the catalog is empty (not a 409): the dashboard asks on every load.
    if (ctx.barStore === undefined) return c.json({ symbols: [] });
    return c.json({ symbols: await catalog(store(), ctx.calendar) });
  });

  app.get("/api/history/symbols/:symbol/sessions", async (c) => {
    const q = parse(sessionsQuerySchema, queryOf(c), "query");
    const { info, calendar } = await symbolOf(c.req.param());
    const cov = (await store().coverage(info.symbol))!;
    const from = q.from ?? sessionDateOrUtc(calendar, cov.first);
    const to = q.to ?? sessionDateOrUtc(calendar, cov.last);
    checkOrder(from, to);
    const dates = calendar.sessionsBetween(from, to);
    checkSessionCount(from, to, dates.length);
    return c.json({
      symbol: info.symbol,
      calendar: calendar.name,
      timeZone: calendar.timeZone,
      sessions: dates.map((d) => {
        const s = calendar.session(d)!;
        return { date: d, open: s.open, close: s.close, earlyClose: s.earlyClose };
      }),
    });
  });

  app.get("/api/history/symbols/:symbol/bars", async (c) => {
    const q = parse(historyBarsQuerySchema, queryOf(c), "query");
    const { info, calendar } = await symbolOf(c.req.param());
    const sessions = await sessionsOf(info.symbol, calendar, q);
    boundBars(sessions, q.tf, barsUpperBound(sessions, q.tf));
    const reader = await readerOf(info.symbol, calendar, q.adjust);
    const { bars: minutes, provenance } = await readSessionsBars(reader, info.symbol, sessions);
    const bars = aggregate(minutes, sessions, q.tf);
    const body: Record<string, unknown> = {
      symbol: info.symbol,
      timeframe: q.tf,
      adjust: q.adjust,
      calendar: calendar.name,
      timeZone: calendar.timeZone,
      priceDecimals: info.priceDecimals,
      from: sessions[0]?.date ?? null,
      to: sessions.at(-1)?.date ?? null,
      bars,
    };
    if (q.tf === "1m") body.provenance = provenance;
    return c.json(body);
  });

  app.get("/api/history/symbols/:symbol/indicators", async (c) => {
    const q = parse(historyIndicatorsQuerySchema, queryOf(c), "query");
    const { info, calendar } = await symbolOf(c.req.param());
    const specs = q.indicators ?? ctx.indicators;
    const parsed = specs.map((spec) => {
      try {
        return describeIndicatorSpec(spec);
      } catch (error) {
        throw new ApiError(
          400,
          `indicators: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
    const sessions = await sessionsOf(info.symbol, calendar, q);
    boundBars(sessions, q.tf, barsUpperBound(sessions, q.tf));
    // Warm-up: earlier sessions, so the first bar of the range already has settled values (the
    // engine's own default is 3 x the longest warm-up period).
    const instances = parsed.map((p) => p.create());
    const longest = Math.max(1, ...instances.map((i) => i.warmupPeriod ?? 50));
    const wantBars = longest * 3;
    const first = sessions[0];
    const warm: Session[] = [];
    if (first !== undefined) {
      let date = first.date;
      let have = 0;
      while (have < wantBars && warm.length < MAX_SESSIONS) {
        date = calendar.previousSession(date);
        const s = calendar.session(date)!;
        warm.unshift(s);
        have += q.tf === "1D" ? 1 : barsUpperBound([s], q.tf);
      }
    }
    const all = [...warm, ...sessions];
    const reader = await readerOf(info.symbol, calendar, q.adjust);
    const { bars: minutes } = await readSessionsBars(reader, info.symbol, all);
    const bars = aggregate(minutes, all, q.tf);
    const rangeStart = first?.open ?? Number.POSITIVE_INFINITY;
    const time: number[] = [];
    const values: Record<string, (IndicatorValue | null)[]> = {};
    for (const p of parsed) values[p.key] = [];
    let date: string | undefined;
    for (const bar of bars) {
      const d = calendar.sessionDateOf(bar.time);
      if (d !== date && d !== undefined) {
        date = d;
        for (const ind of instances) ind.startSession?.(d);
      }
      for (const ind of instances) ind.update(bar);
      if (bar.time < rangeStart) continue;
      time.push(bar.time);
      for (const [k, ind] of instances.entries()) {
        values[parsed[k]!.key]!.push(ind.isReady && ind.value !== undefined ? ind.value : null);
      }
    }
    return c.json({
      symbol: info.symbol,
      timeframe: q.tf,
      adjust: q.adjust,
      indicators: parsed.map((p) => ({ spec: p.spec, key: p.key })),
      time,
      values,
    });
  });

  app.get("/api/history/symbols/:symbol/day", async (c) => {
    const q = parse(dayQuerySchema, queryOf(c), "query");
    const { info, calendar } = await symbolOf(c.req.param());
    const [s] = await sessionsOf(info.symbol, calendar, q);
    if (s === undefined) {
      throw new ApiError(404, `date: ${q.date} is not a ${calendar.name} session`);
    }
    const late = ctx.late?.lateMinutes?.(info.symbol, s.open, s.close) ?? [];
    return c.json(await dayReport(store(), info.symbol, calendar, s, late));
  });

  app.get("/api/history/quality", async (c) => {
    const q = parse(qualityQuerySchema, queryOf(c), "query");
    const entries = await catalog(store(), ctx.calendar);
    let chosen = entries;
    if (q.symbols !== undefined) {
      const have = new Map(entries.map((e) => [e.symbol, e]));
      const unknown = q.symbols.filter((s) => !have.has(s));
      if (unknown.length > 0) {
        throw new ApiError(404, `symbols: ${unknown.join(", ")}: the bar store has no bars for it`);
      }
      chosen = q.symbols.map((s) => have.get(s)!);
    }
    const lastOf = chosen
      .map((e) => e.last)
      .filter((d): d is string => d !== null)
      .sort()
      .at(-1);
    const to = q.to ?? lastOf;
    if (to === undefined)
      return c.json({ from: null, to: null, sessions: [], symbols: [], quality: [] });
    const calendars = new Map(chosen.map((e) => [e.symbol, calendarOf(e)]));
    // The columns: every date that is a session of some chosen symbol's calendar.
    let from = q.from;
    if (from === undefined) {
      // Default: the last `sessions` sessions of the first symbol's calendar, up to `to`.
      const cal = calendars.get(chosen[0]?.symbol ?? "") ?? ctx.calendar;
      let d = cal.isTradingDay(to) ? to : cal.previousSession(to);
      for (let i = 1; i < q.sessions; i++) d = cal.previousSession(d);
      from = d;
    }
    checkOrder(from, to);
    const dateSet = new Set<string>();
    for (const cal of new Set(calendars.values())) {
      for (const d of cal.sessionsBetween(from, to)) dateSet.add(d);
    }
    const dates = [...dateSet].sort();
    checkSessionCount(from, to, dates.length);
    const cells = chosen.length * dates.length;
    if (cells > MAX_HEATMAP_CELLS) {
      throw new ApiError(
        400,
        `from, to: ${chosen.length} symbols x ${dates.length} sessions = ${cells} cells; the limit is ${MAX_HEATMAP_CELLS}`,
      );
    }
    const quality = await cachedQuality(store(), chosen, calendars, dates);
    return c.json({
      from,
      to,
      sessions: dates,
      symbols: chosen.map((e) => e.symbol),
      quality,
    });
  });

  /**
   * Quality cells by symbol and date, kept while the symbol's coverage (first, last, count) is
   * unchanged: quality counts present minutes, which only a write that adds or removes bars
   * changes, and any such write changes the coverage. A correction replaces a bar in place.
   */
  const qualityMemo = new Map<string, { key: string; cells: Map<string, number | null> }>();
  const cachedQuality = async (
    s: BarStore,
    chosen: readonly CatalogEntry[],
    calendars: ReadonlyMap<string, TradingCalendar>,
    dates: readonly string[],
  ): Promise<(number | null)[][]> => {
    const memos = chosen.map((e) => {
      const key = `${e.first}|${e.last}|${e.bars}`;
      let memo = qualityMemo.get(e.symbol);
      if (memo === undefined || memo.key !== key) {
        memo = { key, cells: new Map() };
        qualityMemo.set(e.symbol, memo);
      }
      return memo;
    });
    // Symbols missing the same dates are counted together: one countBars per calendar when cold.
    const groups = new Map<string, { dates: string[]; symbols: number[] }>();
    for (const [i, memo] of memos.entries()) {
      const missing = dates.filter((d) => !memo.cells.has(d));
      if (missing.length === 0) continue;
      const key = missing.join(",");
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { dates: missing, symbols: [i] });
      else g.symbols.push(i);
    }
    for (const g of groups.values()) {
      const names = g.symbols.map((i) => chosen[i]!.symbol);
      const rows = await qualityCells(s, names, calendars, g.dates);
      for (const [j, i] of g.symbols.entries()) {
        for (const [k, d] of g.dates.entries()) memos[i]!.cells.set(d, rows[j]![k]!);
      }
    }
    return memos.map((memo) => dates.map((d) => memo.cells.get(d)!));
  };

  return app;
}
