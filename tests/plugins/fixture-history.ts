import { readFileSync } from 'node:fs';
import { importPriceTicks } from '../../engine/data/price-ticks.ts';
import { resampleTicks } from '../../engine/data/resample.ts';
import type { BarSeries, Timeframe } from '../../engine/plugin-api.ts';

const root = new URL('../../', import.meta.url).pathname;
const cache = new Map<Timeframe, BarSeries>();

/** The real USDCHF fixture history (Zurich-time mid prices, 1996-04 to 2001-03) as candles. */
export function usdchfHistory(timeframe: Timeframe = 'H1'): BarSeries {
  let series = cache.get(timeframe);
  if (!series) {
    const { ticks } = importPriceTicks(readFileSync(`${root}fixtures/usdchf_m30.csv`), { timezone: 'Europe/Zurich', fileName: 'usdchf_m30.csv' });
    series = resampleTicks(ticks, timeframe, { symbol: 'USDCHF' });
    cache.set(timeframe, series);
  }
  return series;
}
