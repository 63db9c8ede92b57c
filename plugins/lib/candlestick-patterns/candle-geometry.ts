import type { BarSeries } from '../../../engine/plugin-api.ts';

/**
 * Shape thresholds shared by every pattern, as fractions of the candle's range (high - low) or
 * of its body (|close - open|). They follow the usual textbook proportions (Nison, Bulkowski);
 * each is named so a reader can see exactly what a pattern means here.
 */
export const CANDLE = {
  /** A doji's body is at most this fraction of its range. */
  DOJI_BODY_RATIO: 0.1,
  /** Dragonfly/gravestone: the shadow on the "flat" side is at most this fraction of the range. */
  DOJI_FLAT_SIDE_RATIO: 0.1,
  /** Dragonfly/gravestone: the long shadow is at least this fraction of the range. */
  DOJI_LONG_SHADOW_RATIO: 0.6,
  /** Hammer family: the long shadow is at least this many bodies. */
  HAMMER_SHADOW_TO_BODY: 2,
  /** Hammer family: the body is at most this fraction of the range. */
  HAMMER_MAX_BODY_RATIO: 0.35,
  /** Hammer family: the opposite shadow is at most this fraction of the range. */
  HAMMER_MAX_OPPOSITE_SHADOW_RATIO: 0.1,
  /** A "long" candle (first bar of stars, piercing line, dark cloud): body at least this of range. */
  LONG_BODY_RATIO: 0.5,
  /** A star's body is at most this fraction of the first candle's body. */
  STAR_MAX_BODY_TO_FIRST: 0.3,
  /** Soldiers and crows: each body is at least this fraction of its range. */
  SOLDIER_MIN_BODY_RATIO: 0.5,
  /** Tweezers: the two extremes differ by at most this fraction of the larger range. */
  TWEEZER_TOLERANCE_RATIO: 0.05,
  /** Bars over which the prior trend is measured (close-to-close slope). */
  TREND_LOOKBACK: 5,
} as const;

export function body(s: BarSeries, i: number): number {
  return Math.abs(s.close[i] - s.open[i]);
}

export function range(s: BarSeries, i: number): number {
  return s.high[i] - s.low[i];
}

export function upperShadow(s: BarSeries, i: number): number {
  return s.high[i] - Math.max(s.open[i], s.close[i]);
}

export function lowerShadow(s: BarSeries, i: number): number {
  return Math.min(s.open[i], s.close[i]) - s.low[i];
}

export function isBullish(s: BarSeries, i: number): boolean {
  return s.close[i] > s.open[i];
}

export function isBearish(s: BarSeries, i: number): boolean {
  return s.close[i] < s.open[i];
}

/** Body at least `LONG_BODY_RATIO` of a non-empty range. */
export function isLongBody(s: BarSeries, i: number): boolean {
  const r = range(s, i);
  return r > 0 && body(s, i) >= CANDLE.LONG_BODY_RATIO * r;
}

/**
 * The trend leading into bar `end` (inclusive): the sign of the close-to-close change over
 * `lookback` bars. A pattern whose shape alone is ambiguous (hammer vs hanging man) calls this
 * on the bar before its first candle. Returns 0 when there is not enough history.
 */
export function priorTrend(s: BarSeries, end: number, lookback: number = CANDLE.TREND_LOOKBACK): -1 | 0 | 1 {
  if (end - lookback < 0) return 0;
  const change = s.close[end] - s.close[end - lookback];
  return change > 0 ? 1 : change < 0 ? -1 : 0;
}
