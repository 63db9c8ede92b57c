import { createBarSeries, quotingOf, TIMEFRAME_MS, type BarSeries, type TickPath, type Timeframe } from '../model/bar.ts';
import type { TickSeries } from './tick-series.ts';
import { zonedTimeFor, type ZonedTime } from './zoned-time.ts';

/** Which side of the quote candles are built from. MT5 charts use the bid. */
export type CandlePrice = 'bid' | 'ask' | 'mid';

export interface ResampleTicksOptions {
  readonly symbol: string;
  /** Default 'bid', as MT5 builds its charts; for mid-price files bid = ask so it is moot. */
  readonly price?: CandlePrice;
  /**
   * IANA zone of the clock the ticks were written in (the file's `--timezone`, for MT5 the trade
   * server's); the buckets are aligned on it, as MT5 builds its bars on its server's clock. Default UTC.
   */
  readonly timezone?: string;
}

/**
 * Ticks to candles: open = first, high = max, low = min, close = last, volume = tick count.
 * Buckets are aligned on multiples of the timeframe on the ticks' clock (`options.timezone`,
 * default UTC): in UTC H4 opens at 00, 04, 08 ... UTC and D1 at 00:00 UTC; an Athens tick export
 * gives D1 bars from 00:00 Athens (22:00Z in winter), the bars MT5 builds on that server, as
 * `resampleBars` does for a bar export. Each bar is labelled with its bucket's start in UTC (never
 * before the tick before it); the hour a DST change adds to a bucket in autumn is a bar of its own,
 * so no bar holds a tick at or after time + timeframe. A bucket with no tick produces no candle
 * (no flat filler bars over weekends). Ticks must be in non-decreasing time order. The candles are
 * marked as mid prices (`prices: 'mid'`, no spread column) whichever side they are built from:
 * the simulator quotes the symbol's spread around them (`loadHistory` builds them from the mid).
 * Two passes over the typed arrays (each tick's bucket, then the candles) and no per-tick allocation.
 *
 * @example
 * const h1 = resampleTicks(importPriceTicks(file, { timezone: 'Europe/Zurich' }).ticks, 'H1', { symbol: 'USDCHF', timezone: 'Europe/Zurich' });
 */
export function resampleTicks(ticks: TickSeries, timeframe: Timeframe, options: ResampleTicksOptions): BarSeries {
  const zone = zonedTimeFor(options.timezone);
  const step = TIMEFRAME_MS[timeframe];
  const buckets = zone === undefined ? utcBuckets(ticks, step) : zonedBuckets(ticks, step, zone);
  const n = ticks.length;
  const out = createBarSeries(options.symbol, timeframe, buckets.starts.length);
  const side = options.price ?? 'bid';
  const primary = side === 'ask' ? ticks.ask : ticks.bid;
  const other = side === 'mid' ? ticks.ask : undefined;
  const { bucketOf, starts } = buckets;
  let current = -1;
  for (let i = 0; i < n; i++) {
    const p = other === undefined ? primary[i] : (primary[i] + other[i]) / 2;
    const k = bucketOf[i];
    if (k !== current) {
      current = k;
      out.time[k] = starts[k];
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
  out.length = starts.length;
  // Each bar's ticks, for the simulator's real-ticks model.
  const first = new Int32Array(starts.length + 1);
  for (let i = n - 1; i >= 0; i--) first[bucketOf[i]] = i;
  first[starts.length] = n;
  (out as { ticks: TickPath | null }).ticks = { primary, other: other ?? null, first };
  return out;
}

/** Each tick's candle (index into `starts`) and each candle's time (UTC ms). */
interface TickBuckets {
  readonly bucketOf: Int32Array;
  readonly starts: number[];
}

/** Buckets on UTC multiples of `step` from the epoch; a tick whose bucket is earlier than the one before is refused. */
function utcBuckets(ticks: TickSeries, step: number): TickBuckets {
  const n = ticks.length;
  const time = ticks.time;
  const bucketOf = new Int32Array(n);
  const starts: number[] = [];
  let current = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(time[i] / step) * step;
    if (b !== current) {
      if (b < current) throw unsorted(i, time[i]);
      current = b;
      starts.push(b);
    }
    bucketOf[i] = starts.length - 1;
  }
  return { bucketOf, starts };
}

/**
 * Buckets on a zone's clock: each tick's wall time floored to `step`, that instant in UTC (never
 * before the previous tick); the hour the autumn change adds to a bucket is a bucket of its own,
 * one `step` on. A tick earlier than the one before is refused.
 */
function zonedBuckets(ticks: TickSeries, step: number, zone: ZonedTime): TickBuckets {
  const n = ticks.length;
  const time = ticks.time;
  const bucketOf = new Int32Array(n);
  const starts: number[] = [];
  let key = Number.NaN;
  let start = Number.NEGATIVE_INFINITY;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (t < previous) throw unsorted(i, t);
    const k = Math.floor(zone.toWall(t) / step) * step;
    if (k !== key) {
      key = k;
      start = Math.min(t, Math.max(zone.toUtc(k).utc, previous));
      starts.push(start);
    } else if (t >= start + step) {
      while (t >= start + step) start += step;
      starts.push(start);
    }
    bucketOf[i] = starts.length - 1;
    previous = t;
  }
  return { bucketOf, starts };
}

function unsorted(i: number, t: number): Error {
  return new Error(`resampleTicks: tick ${i} at ${new Date(t).toISOString()} is earlier than the one before it; sort the ticks first`);
}

export interface ResampleBarsOptions {
  /**
   * IANA zone of the clock the source bars were cut on (the file's `--timezone`, for MT5 the
   * trade server's); the coarser buckets are aligned on it. Default UTC.
   */
  readonly timezone?: string;
}

/**
 * Bars to coarser bars: open = first open, high = max high, low = min low, close = last close,
 * volume = sum; bid bars stay bid bars, and a spread column gives each bar its bucket's smallest
 * spread (MT5's bars record the minimal spread of their ticks, so an H1 bar built by MT5 from the
 * same ticks holds the smallest of its M1 bars' spreads). The target must be a whole multiple of the source timeframe (M30 -> H1/H4/D1,
 * H1 -> H4/D1, ...); the same timeframe returns a copy, each bar keeping its own time.
 *
 * Buckets are aligned on the clock of `options.timezone`, as MT5 builds H4 and D1 on its
 * server's clock: an H1 export in Europe/Athens gives D1 bars from 00:00 Athens, labelled with
 * that instant in UTC (22:00Z in winter), the same bars as the server's own D1 export. A bar's
 * time is never after its first source bar's open, nor before the previous source bar's close;
 * a source bar that would close after `time + timeframe` (the autumn hour a DST change adds to a
 * bucket) starts a bucket of its own at its open, so no bar closes later than its time says.
 *
 * @example
 * const d1 = resampleBars(h1Series, 'D1', { timezone: 'Europe/Athens' });
 */
export function resampleBars(series: BarSeries, timeframe: Timeframe, options: ResampleBarsOptions = {}): BarSeries {
  const from = TIMEFRAME_MS[series.timeframe];
  const step = TIMEFRAME_MS[timeframe];
  if (step < from || step % from !== 0) {
    throw new Error(`resampleBars: cannot build ${timeframe} bars from ${series.timeframe} bars (the target must be a whole multiple of the source)`);
  }
  const n = series.length;
  const time = series.time;
  // The same timeframe needs no clock: every bar is a bucket of its own, at its own time.
  const zone = step === from ? undefined : zonedTimeFor(options.timezone);
  // Pass 1: each source bar's bucket (index into `starts`).
  const bucketOf = new Int32Array(n);
  const starts: number[] = [];
  let key = NaN;
  let start = -Infinity;
  let previousClose = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (t < previousClose) throw new Error(`resampleBars: bar ${i} at ${new Date(t).toISOString()} opens before the one before it closes`);
    const wall = zone === undefined ? t : zone.toWall(t);
    const k = Math.floor(wall / step) * step;
    if (k !== key || t + from > start + step) {
      const aligned = zone === undefined ? k : zone.toUtc(k).utc;
      start = Math.min(t, Math.max(aligned, previousClose));
      if (t + from > start + step) start = t;
      key = k;
      starts.push(start);
    }
    bucketOf[i] = starts.length - 1;
    previousClose = t + from;
  }
  const buckets = starts.length;
  const out = createBarSeries(series.symbol, timeframe, buckets, quotingOf(series));
  let current = -1;
  for (let i = 0; i < n; i++) {
    const k = bucketOf[i];
    if (k !== current) {
      current = k;
      out.time[k] = starts[k];
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
  const spread = series.spread, outSpread = out.spread;
  if (spread && outSpread) {
    outSpread.fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < n; i++) if (spread[i] < outSpread[bucketOf[i]]) outSpread[bucketOf[i]] = spread[i];
  }
  out.length = buckets;
  return out;
}
