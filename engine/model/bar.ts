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

/**
 * What a series' prices are. `mid`: the middle of bid and ask, the simulator quotes its spread
 * around them (tick exports, `time,price` files, synthetic bars). `bid`: MT5 bars, as MT5's
 * charts and Strategy Tester use them: bid = the price, ask = bid + the bar's spread.
 */
export type BarPrices = 'mid' | 'bid';

/** One candle; `time` is the bar's open time in epoch milliseconds (UTC). */
export interface Bar {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** The bar's spread in points (bid bars with a spread column); absent elsewhere. */
  readonly spread?: number;
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
  /** What the prices are (see `BarPrices`); absent means `mid`. */
  readonly prices?: BarPrices;
  /**
   * Spread per bar in points (an MT5 bar export's `<SPREAD>`), only with `prices: 'bid'`; null
   * or absent: the symbol's spread for every bar.
   */
  readonly spread?: Float64Array | null;
  /**
   * The ticks (or `time,price` samples) the bars were built from, when they were: what the
   * simulator walks under the real-ticks model (`SimBrokerConfig.model`). Null or absent: bars only.
   */
  readonly ticks?: TickPath | null;
}

/**
 * The prices inside each bar, in time order: bar `i`'s are indexes `first[i]` to `first[i + 1] - 1`
 * of `primary` (and `other`: the price is the middle of the two when it is set, as the bars were
 * built). The arrays are the loaded ticks' own (nothing copied); `first` has one entry per bar
 * and one more, and a view of bars [from, to) is `first.subarray(from, to + 1)`.
 */
export interface TickPath {
  readonly primary: Float64Array;
  readonly other: Float64Array | null;
  readonly first: Int32Array;
}

/** How a new series quotes: its prices and whether it has a spread column. Default: mid, none. */
export interface BarQuoting {
  readonly prices: BarPrices;
  readonly spread: boolean;
}

export const MID_QUOTING: BarQuoting = { prices: 'mid', spread: false };

/** How `series` quotes, for a series built from it (resampled, sliced, tiled, windowed). */
export function quotingOf(series: BarSeries): BarQuoting {
  return series.prices === 'bid' ? { prices: 'bid', spread: series.spread != null } : MID_QUOTING;
}

/** Allocates an empty series with room for `capacity` bars. */
export function createBarSeries(symbol: string, timeframe: Timeframe, capacity: number, quoting: BarQuoting = MID_QUOTING): BarSeries {
  // Every series has the same fields in the same order (one hidden class for the hot loops).
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
    prices: quoting.prices,
    spread: quoting.spread ? new Float64Array(capacity) : null,
    ticks: null,
  };
}

/** Builds a series from bar objects (tests, small data); bid bars with `quoting`. */
export function barSeriesFrom(symbol: string, timeframe: Timeframe, bars: readonly Bar[], quoting: BarQuoting = MID_QUOTING): BarSeries {
  const series = createBarSeries(symbol, timeframe, bars.length, quoting);
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
  if (series.spread) series.spread[i] = bar.spread ?? 0;
}

/** Reads bar `i` as an object (for events and tests, not for hot loops); its spread stays in `series.spread`. */
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

/** A copy of bars [from, to) as a new series (its prices and spreads kept). */
export function sliceSeries(series: BarSeries, from: number, to: number): BarSeries {
  const out = createBarSeries(series.symbol, series.timeframe, Math.max(0, to - from), quotingOf(series));
  for (let i = from; i < to; i++) appendBar(out, barAt(series, i));
  return out;
}
