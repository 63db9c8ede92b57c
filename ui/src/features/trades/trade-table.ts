import type { ClosedTrade, DayProfit, OpenPosition, SymbolView, WorkbenchState } from '../../core/state.ts';

export type SortKey = 'exitTime' | 'symbol' | 'direction' | 'pnl' | 'duration' | 'reason';

export interface TradeQuery {
  readonly text: string;
  readonly outcome: 'all' | 'wins' | 'losses';
  readonly sort: SortKey;
  readonly descending: boolean;
}

export const DEFAULT_QUERY: TradeQuery = { text: '', outcome: 'all', sort: 'exitTime', descending: true };

/** Seconds a trade was open, when its entry was seen. */
export function durationOf(t: ClosedTrade): number | null {
  return t.entryTime === null ? null : t.exitTime - t.entryTime;
}

/** The closed trades a table shows: filtered by symbol/side/reason text and outcome, then sorted (nulls last). */
export function queryTrades(trades: readonly ClosedTrade[], q: TradeQuery): ClosedTrade[] {
  const text = q.text.trim().toLowerCase();
  const list = trades.filter((t) => {
    if (q.outcome === 'wins' && !(t.pnl > 0)) return false;
    if (q.outcome === 'losses' && t.pnl > 0) return false;
    return !text || `${t.symbol} ${t.direction} ${t.reason}`.toLowerCase().includes(text);
  });
  const value = (t: ClosedTrade): number | string | null => (q.sort === 'duration' ? durationOf(t) : t[q.sort]);
  const sign = q.descending ? -1 : 1;
  return list.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sign || (a.key - b.key) * sign;
  });
}

export interface SymbolProfit {
  readonly symbol: string;
  readonly trades: number;
  readonly wins: number;
  readonly pnl: number;
}

/** Profit per symbol over the closed trades the page holds, best first. */
export function profitBySymbol(trades: readonly ClosedTrade[]): SymbolProfit[] {
  const by = new Map<string, { trades: number; wins: number; pnl: number }>();
  for (const t of trades) {
    const row = by.get(t.symbol) ?? { trades: 0, wins: 0, pnl: 0 };
    row.trades++;
    row.wins += t.pnl > 0 ? 1 : 0;
    row.pnl += t.pnl;
    by.set(t.symbol, row);
  }
  return [...by].map(([symbol, r]) => ({ symbol, ...r })).sort((a, b) => b.pnl - a.pnl);
}

/** Days newest first. */
export function profitByDay(daily: Readonly<Record<number, DayProfit>>): (DayProfit & { day: number })[] {
  return Object.entries(daily).map(([day, d]) => ({ day: Number(day), ...d })).sort((a, b) => b.day - a.day);
}

export interface OpenRow {
  readonly symbol: string;
  readonly view: SymbolView;
  readonly position: OpenPosition;
}

export function openPositions(state: WorkbenchState): OpenRow[] {
  const rows: OpenRow[] = [];
  for (const symbol of state.symbolOrder) {
    const view = state.symbols[symbol];
    if (view?.position) rows.push({ symbol, view, position: view.position });
  }
  return rows;
}

/** `3d 4h`, `5h 12m`, `40m`: how long a trade was (or has been) open. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m`;
}

/** `2024-01-15 10:30` from unix seconds. */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
}
