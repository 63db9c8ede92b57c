import { loadHistory } from '../../engine/data/load-history.ts';
import type { BarSeries, Timeframe } from '../../engine/plugin-api.ts';

const cache = new Map<Timeframe, BarSeries>();

/** The real USDCHF fixture history (Zurich-time mid prices, 1996-04 to 2001-03) as candles. */
export function usdchfHistory(timeframe: Timeframe = 'H1'): BarSeries {
  let series = cache.get(timeframe);
  if (!series) {
    series = loadHistory({ symbol: 'USDCHF', timeframe }).series;
    cache.set(timeframe, series);
  }
  return series;
}
