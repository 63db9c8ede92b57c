import { createBarSeries, TIMEFRAME_MS, type BarSeries, type Timeframe } from '../model/bar.ts';
import type { TickSeries } from './tick-series.ts';

/** Which side of the quote candles are built from. MT5 charts use the bid. */
export type CandlePrice = 'bid' | 'ask' | 'mid';

export interface ResampleTicksOptions {
  readonly symbol: string;
  /** Default 'bid', as MT5 builds its charts; for mid-price files bid = ask so it is moot. */
  readonly price?: CandlePrice;
}

/**
 * Ticks to candles: open = first, high = max, low = min, close = last, volume = tick count.
 * Buckets are aligned on UTC multiples of the timeframe from the epoch, so H4 opens at 00, 04,
 * 08 ... UTC and D1 at 00:00 UTC; a bucket with no tick produces no candle (no flat filler
 * bars over weekends). Ticks must be in non-decreasing time order.
 * Two passes over the typed arrays (count, then fill) and no per-tick allocation.
 *
 * @example
 * const h1 = resampleTicks(importPriceTicks(file, { timezone: 'Europe/Zurich' }).ticks, 'H1', { symbol: 'USDCHF' });
 */
export function resampleTicks(ticks: TickSeries, timeframe: Timeframe, options: ResampleTicksOptions): BarSeries {
  const step = TIMEFRAME_MS[timeframe];
  const n = ticks.length;
  const time = ticks.time;
  let buckets = 0;
  let current = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(time[i] / step) * step;
    if (b !== current) {
      if (b < current) throw new Error(`resampleTicks: tick ${i} at ${new Date(time[i]).toISOString()} is earlier than the one before it; sort the ticks first`);
      current = b;
      buckets++;
    }
  }
  const out = createBarSeries(options.symbol, timeframe, buckets);
  const side = options.price ?? 'bid';
  const primary = side === 'ask' ? ticks.ask : ticks.bid;
  const other = side === 'mid' ? ticks.ask : undefined;
  let k = -1;
  current = -Infinity;
  for (let i = 0; i < n; i++) {
    const p = other === undefined ? primary[i] : (primary[i] + other[i]) / 2;
    const b = Math.floor(time[i] / step) * step;
    if (b !== current) {
      current = b;
      k++;
      out.time[k] = b;
      out.open[k] = p;
      out.high[k] = p;
      out.low[k] = p;
      out.close[k] = p;
      out.volume[k] = 1;
    } else {
      if (p > out.high[k]) out.high[k] = p;
      if (p < out.low[k]) out.low[k] = p;
      out.close[k] = p;
      out.volume[k]++;
    }
  }
  out.length = buckets;
  return out;
}

/**
 * Bars to coarser bars on the same UTC-aligned buckets: open = first open, high = max high,
 * low = min low, close = last close, volume = sum. The target must be a whole multiple of the
 * source timeframe (M30 -> H1/H4/D1, H1 -> H4/D1, ...); the same timeframe returns a copy.
 *
 * @example
 * const d1 = resampleBars(h1Series, 'D1');
 */
export function resampleBars(series: BarSeries, timeframe: Timeframe): BarSeries {
  const from = TIMEFRAME_MS[series.timeframe];
  const step = TIMEFRAME_MS[timeframe];
  if (step < from || step % from !== 0) {
    throw new Error(`resampleBars: cannot build ${timeframe} bars from ${series.timeframe} bars (the target must be a whole multiple of the source)`);
  }
  const n = series.length;
  const time = series.time;
  let buckets = 0;
  let current = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(time[i] / step) * step;
    if (b !== current) {
      if (b < current) throw new Error(`resampleBars: bar ${i} at ${new Date(time[i]).toISOString()} is earlier than the one before it`);
      current = b;
      buckets++;
    }
  }
  const out = createBarSeries(series.symbol, timeframe, buckets);
  let k = -1;
  current = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(time[i] / step) * step;
    if (b !== current) {
      current = b;
      k++;
      out.time[k] = b;
      out.open[k] = series.open[i];
      out.high[k] = series.high[i];
      out.low[k] = series.low[i];
      out.close[k] = series.close[i];
      out.volume[k] = series.volume[i];
    } else {
      if (series.high[i] > out.high[k]) out.high[k] = series.high[i];
      if (series.low[i] < out.low[k]) out.low[k] = series.low[i];
      out.close[k] = series.close[i];
      out.volume[k] += series.volume[i];
    }
  }
  out.length = buckets;
  return out;
}
