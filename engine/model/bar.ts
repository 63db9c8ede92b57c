/** Bar timeframes the engine understands, with their length in milliseconds. */
export const TIMEFRAME_MS = {
  M1: 60_000,
  M5: 300_000,
  M15: 900_000,
  M30: 1_800_000,
  H1: 3_600_000,
  H4: 14_400_000,
  D1: 86_400_000,
} as const;
export type Timeframe = keyof typeof TIMEFRAME_MS;

export function isTimeframe(value: string): value is Timeframe {
  return Object.hasOwn(TIMEFRAME_MS, value);
}

/** One candle; `time` is the bar's open time in epoch milliseconds (UTC). */
export interface Bar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * A column-oriented candle series. Hot loops index the typed arrays directly instead of
 * allocating one object per bar. Only the first `length` entries are valid.
 */
export interface BarSeries {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  length: number;
}

/** Allocates an empty series with room for `capacity` bars. */
export function createBarSeries(symbol: string, timeframe: Timeframe, capacity: number): BarSeries {
  return {
    symbol,
    timeframe,
    time: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
    length: 0,
  };
}

/** Builds a series from bar objects (tests, small data). */
export function barSeriesFrom(symbol: string, timeframe: Timeframe, bars: readonly Bar[]): BarSeries {
  const series = createBarSeries(symbol, timeframe, bars.length);
  for (const bar of bars) appendBar(series, bar);
  return series;
}

/** Appends one bar; the caller guarantees capacity. */
export function appendBar(series: BarSeries, bar: Bar): void {
  const i = series.length++;
  series.time[i] = bar.time;
  series.open[i] = bar.open;
  series.high[i] = bar.high;
  series.low[i] = bar.low;
  series.close[i] = bar.close;
  series.volume[i] = bar.volume;
}

/** Reads bar `i` as an object (for events and tests, not for hot loops). */
export function barAt(series: BarSeries, i: number): Bar {
  return {
    time: series.time[i],
    open: series.open[i],
    high: series.high[i],
    low: series.low[i],
    close: series.close[i],
    volume: series.volume[i],
  };
}

/** A copy of bars [from, to) as a new series. */
export function sliceSeries(series: BarSeries, from: number, to: number): BarSeries {
  const out = createBarSeries(series.symbol, series.timeframe, Math.max(0, to - from));
  for (let i = from; i < to; i++) appendBar(out, barAt(series, i));
  return out;
}
