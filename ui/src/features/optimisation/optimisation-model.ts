import type { OptimisationTrialRow } from '../../../../protocol/index.ts';

/** A column of the ranked table: how to read it from a row and how to show it. */
export interface TrialColumn {
  readonly key: string;
  readonly label: string;
  readonly read: (row: OptimisationTrialRow) => number | string | boolean | null;
  readonly format: (row: OptimisationTrialRow) => string;
}

const num = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

/** The parameter columns (in the search's order), the objective, then the Strategy Tester's figures. */
export function trialColumns(paramNames: readonly string[], objectiveLabel: string, band?: { readonly min: number; readonly max: number } | null): TrialColumn[] {
  return [
    ...paramNames.map((name): TrialColumn => ({ key: `param:${name}`, label: name, read: (r) => r.params[name] ?? null, format: (r) => String(r.params[name] ?? '') })),
    // Named as the objective's score: with `net-profit` the plain label repeated the Net profit column's.
    { key: 'value', label: `Score: ${objectiveLabel}`, read: (r) => r.value, format: (r) => num(r.value, 4) },
    { key: 'net_profit', label: 'Net profit', read: (r) => r.net_profit, format: (r) => num(r.net_profit) },
    { key: 'profit_factor', label: 'PF', read: (r) => r.profit_factor, format: (r) => num(r.profit_factor) },
    { key: 'sharpe', label: 'Sharpe', read: (r) => r.sharpe, format: (r) => num(r.sharpe) },
    { key: 'max_drawdown_pct', label: 'Max DD %', read: (r) => r.max_drawdown_pct, format: (r) => num(r.max_drawdown_pct * 100) },
    // A trial without trades ranks last and says why (`no trades: 76 of 76 orders refused, 10019 ...`).
    { key: 'trades', label: 'Trades', read: (r) => r.trades, format: (r) => (r.note ? `${r.trades} (${r.note})` : String(r.trades)) },
    // Named by the configured band when known (`Weeks 2-4`), as the CLI's table is.
    { key: 'weeks', label: band ? `Weeks ${band.min}-${band.max}` : 'Weeks in band', read: (r) => (r.weeks_total ? r.weeks_within_target / r.weeks_total : null), format: (r) => `${r.weeks_within_target}/${r.weeks_total}` },
  ];
}

/** Parameter names in the order the rows first use them (the search's axes). */
export function paramNamesOf(rows: readonly OptimisationTrialRow[], axes?: readonly { readonly name: string }[]): string[] {
  if (axes?.length) return axes.map((a) => a.name);
  const names = new Set<string>();
  for (const r of rows.slice(0, 50)) for (const k of Object.keys(r.params)) names.add(k);
  return [...names];
}

export interface SortOrder {
  readonly key: string;
  readonly descending: boolean;
}

/**
 * Rows sorted by a column; missing values (null, n/a) always last, ties by trial id so the
 * order is stable while rows keep arriving. The default (the objective, best first) is the rank.
 */
export function sortRows(rows: readonly OptimisationTrialRow[], column: TrialColumn, descending: boolean): OptimisationTrialRow[] {
  const keyed = rows.map((row) => ({ row, v: column.read(row) }));
  keyed.sort((a, b) => {
    const an = a.v === null || (typeof a.v === 'number' && !Number.isFinite(a.v));
    const bn = b.v === null || (typeof b.v === 'number' && !Number.isFinite(b.v));
    if (an !== bn) return an ? 1 : -1;
    if (!an && a.v !== b.v) {
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v) < String(b.v) ? -1 : 1;
      return descending ? -c : c;
    }
    return a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;
  });
  return keyed.map((k) => k.row);
}

export interface HeatmapCell {
  readonly x: number | string | boolean;
  readonly y: number | string | boolean;
  /** The best objective value among trials with these two values (others vary); null: none ranked. */
  readonly value: number | null;
  readonly trials: number;
  /** The trial with that best value (a click opens its report). */
  readonly best: OptimisationTrialRow | null;
}

export interface Heatmap {
  readonly xs: readonly (number | string | boolean)[];
  readonly ys: readonly (number | string | boolean)[];
  readonly cells: readonly HeatmapCell[];
  readonly min: number;
  readonly max: number;
}

/**
 * The objective over two parameters: one cell per pair of values seen, holding the best value
 * over the other parameters (higher is better for the objective's own direction).
 */
export function heatmapOf(rows: readonly OptimisationTrialRow[], xName: string, yName: string, direction: 'max' | 'min'): Heatmap {
  const order = (values: Set<number | string | boolean>) => [...values].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  const xs = new Set<number | string | boolean>();
  const ys = new Set<number | string | boolean>();
  const cells = new Map<string, { x: number | string | boolean; y: number | string | boolean; value: number | null; trials: number; best: OptimisationTrialRow | null }>();
  const better = (a: number, b: number) => (direction === 'max' ? a > b : a < b);
  for (const r of rows) {
    const x = r.params[xName];
    const y = r.params[yName];
    if (x === undefined || y === undefined) continue;
    xs.add(x);
    ys.add(y);
    const key = `${String(x)}\u0000${String(y)}`;
    const cell = cells.get(key) ?? { x, y, value: null, trials: 0, best: null };
    cell.trials++;
    if (r.value !== null && Number.isFinite(r.value) && (cell.value === null || better(r.value, cell.value))) {
      cell.value = r.value;
      cell.best = r;
    }
    cells.set(key, cell);
  }
  const values = [...cells.values()].map((c) => c.value).filter((v): v is number => v !== null);
  return { xs: order(xs), ys: order(ys), cells: [...cells.values()], min: values.length ? Math.min(...values) : 0, max: values.length ? Math.max(...values) : 0 };
}

/** A cell's colour: red (worst) through amber to green (best), by the objective's direction. */
export function heatColor(value: number | null, min: number, max: number, direction: 'max' | 'min'): string {
  if (value === null) return 'transparent';
  let t = max > min ? (value - min) / (max - min) : 0.5;
  if (direction === 'min') t = 1 - t;
  const hue = Math.round(t * 120);
  return `hsl(${hue} 65% 42%)`;
}

/** `1 m 05 s` style durations for the ETA. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`;
}
