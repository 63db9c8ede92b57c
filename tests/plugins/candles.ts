import { barSeriesFrom, type BarSeries } from '../../engine/plugin-api.ts';

/** [open, high, low, close] */
export type Ohlc = readonly [number, number, number, number];

/** A series from OHLC tuples, one hour apart from 2000-01-03. */
export function candles(rows: readonly Ohlc[]): BarSeries {
  const t0 = Date.UTC(2000, 0, 3);
  return barSeriesFrom('TEST', 'H1', rows.map(([open, high, low, close], k) => ({
    time: t0 + k * 3_600_000, open, high, low, close, volume: 0,
  })));
}

/** Six bars falling (or rising) by `step` each, ending near `end`: a clear prior trend. */
export function trend(direction: 'up' | 'down', end: number, step = 1): Ohlc[] {
  const rows: Ohlc[] = [];
  for (let k = 6; k >= 1; k--) {
    const c = direction === 'down' ? end + (k - 1) * step : end - (k - 1) * step;
    const o = direction === 'down' ? c + step : c - step;
    rows.push([o, Math.max(o, c) + 0.1, Math.min(o, c) - 0.1, c]);
  }
  return rows;
}
