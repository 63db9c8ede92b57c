import { createBarSeries, quotingOf, TIMEFRAME_MS, type BarSeries } from '../model/bar.ts';

const WEEK_MS = 7 * 86_400_000;

/**
 * How far each copy is moved in time: the series' span rounded up to whole weeks, so copies
 * keep their weekdays (weekend gaps stay on weekends) and never overlap.
 */
export function tilePeriodMs(series: BarSeries): number {
  if (series.length === 0) throw new Error('tileSeries: cannot tile an empty series');
  const span = series.time[series.length - 1] - series.time[0] + TIMEFRAME_MS[series.timeframe];
  return Math.ceil(span / WEEK_MS) * WEEK_MS;
}

/**
 * Repeats a series until it has at least `targetBars` bars (whole copies; the last may be cut to
 * exactly `targetBars`). Copy k is moved forward by k tile periods (see `tilePeriodMs`) and its
 * prices shifted additively so that it opens at the previous copy's last close, so the tiled
 * series has no artificial jump at the seams (bid bars stay bid bars, each keeping its spread). Additive, not multiplicative, so a trending
 * source drifts linearly rather than compounding over dozens of copies.
 *
 * @example
 * const million = tileSeries(h1, 1_000_000); // USDCHF H1 (31,248 bars) → 32 copies, cut to 1,000,000
 */
export function tileSeries(series: BarSeries, targetBars: number): BarSeries {
  const out = createBarSeries(series.symbol, series.timeframe, Math.max(targetBars, 0), quotingOf(series));
  for (const chunk of tileChunks(series, targetBars, Math.max(1, series.length))) {
    const at = out.length;
    out.time.set(chunk.time.subarray(0, chunk.length), at);
    out.open.set(chunk.open.subarray(0, chunk.length), at);
    out.high.set(chunk.high.subarray(0, chunk.length), at);
    out.low.set(chunk.low.subarray(0, chunk.length), at);
    out.close.set(chunk.close.subarray(0, chunk.length), at);
    out.volume.set(chunk.volume.subarray(0, chunk.length), at);
    if (out.spread && chunk.spread) out.spread.set(chunk.spread.subarray(0, chunk.length), at);
    out.length += chunk.length;
  }
  return out;
}

export interface TileChunksOptions {
  /**
   * Reuse one buffer for every chunk (flat memory for long benchmarks); a yielded chunk is then
   * valid only until the next one is requested. Default false: each chunk is a fresh series.
   */
  readonly reuseBuffer?: boolean;
}

/**
 * The tiled series as a stream of chunks of at most `chunkBars` bars, `targetBars` in all, so a
 * benchmark can feed a million bars while holding only one chunk.
 *
 * @example
 * for (const chunk of tileChunks(h1, 1_000_000, 65_536, { reuseBuffer: true })) runner.feed(chunk);
 */
export function* tileChunks(series: BarSeries, targetBars: number, chunkBars = 65_536, options: TileChunksOptions = {}): Generator<BarSeries, void, undefined> {
  const period = tilePeriodMs(series);
  const n = series.length;
  const size = Math.max(1, Math.min(chunkBars, targetBars));
  const quoting = quotingOf(series);
  const spread = series.spread;
  let chunk = createBarSeries(series.symbol, series.timeframe, size, quoting);
  let produced = 0;
  let copy = 0;
  let i = 0;
  let priceShift = 0;
  while (produced < targetBars) {
    if (chunk.length === size) {
      yield chunk;
      chunk = options.reuseBuffer ? chunk : createBarSeries(series.symbol, series.timeframe, size, quoting);
      chunk.length = 0;
    }
    const k = chunk.length++;
    const timeShift = copy * period;
    chunk.time[k] = series.time[i] + timeShift;
    chunk.open[k] = series.open[i] + priceShift;
    chunk.high[k] = series.high[i] + priceShift;
    chunk.low[k] = series.low[i] + priceShift;
    chunk.close[k] = series.close[i] + priceShift;
    chunk.volume[k] = series.volume[i];
    // Spreads are in points: a copy keeps them as they are.
    if (spread) chunk.spread![k] = spread[i];
    produced++;
    if (++i === n) {
      // Next copy opens where this one closed.
      priceShift += series.close[n - 1] - series.open[0];
      copy++;
      i = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}
