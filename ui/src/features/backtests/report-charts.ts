import type { BacktestReport as WireReport } from '../../../../protocol/index.ts';
import { drawdownSeries, SERIES_COLORS, type LineInput } from '../charts/svg-plot.ts';

export const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface BucketChart {
  readonly name: string;
  readonly title: string;
  readonly labels: readonly string[];
  readonly values: readonly number[];
  readonly color: string;
}

/** The report's series as the charts take them: the same data and charts as the HTML report (`--report`). */
export function reportCharts(r: WireReport) {
  const symbols = Object.entries(r.per_symbol);
  const buckets: BucketChart[] = [];
  for (const [key, labels, what] of [['hour', HOURS, 'hour (UTC)'], ['weekday', WEEKDAYS, 'weekday'], ['month', MONTHS, 'month']] as const) {
    const b = key === 'hour' ? r.by_hour : key === 'weekday' ? r.by_weekday : r.by_month;
    buckets.push({ name: `entries-${key}`, title: `Entries by ${what}`, labels, values: b.entries, color: SERIES_COLORS[0] });
    buckets.push({ name: `profit-${key}`, title: `Profit by entry ${what}`, labels, values: b.profit, color: SERIES_COLORS[2] });
  }
  return {
    balanceEquity: [
      { name: 'Balance', color: SERIES_COLORS[0], points: r.curve.map(([t, b]) => [t, b] as const) },
      { name: 'Equity', color: SERIES_COLORS[1], points: r.curve.map(([t, , e]) => [t, e] as const) },
    ] satisfies LineInput[],
    drawdown: [{ name: 'Drawdown', color: SERIES_COLORS[4], points: drawdownSeries(r.curve) }] satisfies LineInput[],
    buckets,
    mfe: r.mfe_mae.map(([mfe, , p]) => [mfe, p] as const),
    mae: r.mfe_mae.map(([, mae, p]) => [mae, p] as const),
    perSymbol: symbols.map(([s, v], i) => ({ name: s, color: SERIES_COLORS[i % SERIES_COLORS.length], points: v.curve })) satisfies LineInput[],
    symbolProfit: { labels: symbols.map(([s]) => s), values: symbols.map(([, v]) => v.net_profit) },
  };
}
