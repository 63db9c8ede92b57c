import type { BarSeries } from '../../../engine/plugin-api.ts';
import { CANDLE, body, isBearish, isBullish, isLongBody, priorTrend, range } from './candle-geometry.ts';

// Every function takes `i` = the LAST candle of the pattern, so it can run on the bar that
// just closed without look-ahead. Forex trades around the clock, so the gaps that the
// stock-market definitions ask for (open beyond the previous close or low) rarely exist;
// where a definition needs a gap, the body relation stands in for it and says so.

/** Bullish engulfing: a bearish candle, then a bullish one whose body covers it and is larger. */
export function isBullishEngulfing(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  return isBearish(s, p) && isBullish(s, i)
    && s.open[i] <= s.close[p] && s.close[i] >= s.open[p]
    && body(s, i) > body(s, p);
}

/** Bearish engulfing: a bullish candle, then a bearish one whose body covers it and is larger. */
export function isBearishEngulfing(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  return isBullish(s, p) && isBearish(s, i)
    && s.open[i] >= s.close[p] && s.close[i] <= s.open[p]
    && body(s, i) > body(s, p);
}

/** Bullish harami: a bearish candle, then a smaller bullish body inside its body. */
export function isBullishHarami(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  return isBearish(s, p) && isBullish(s, i)
    && s.open[i] >= s.close[p] && s.close[i] <= s.open[p]
    && body(s, i) < body(s, p);
}

/** Bearish harami: a bullish candle, then a smaller bearish body inside its body. */
export function isBearishHarami(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  return isBullish(s, p) && isBearish(s, i)
    && s.open[i] <= s.close[p] && s.close[i] >= s.open[p]
    && body(s, i) < body(s, p);
}

/**
 * Piercing line: a long bearish candle, then a bullish one that opens below its close and
 * closes above the middle of its body but not above its open (that would be an engulfing).
 */
export function isPiercingLine(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  const mid = (s.open[p] + s.close[p]) / 2;
  return isBearish(s, p) && isLongBody(s, p) && isBullish(s, i)
    && s.open[i] < s.close[p] && s.close[i] > mid && s.close[i] < s.open[p];
}

/** Dark cloud cover: the piercing line upside down. */
export function isDarkCloudCover(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  const mid = (s.open[p] + s.close[p]) / 2;
  return isBullish(s, p) && isLongBody(s, p) && isBearish(s, i)
    && s.open[i] > s.close[p] && s.close[i] < mid && s.close[i] > s.open[p];
}

/**
 * Morning star: a long bearish candle, a small-bodied star (body at most `STAR_MAX_BODY_TO_FIRST`
 * of the first) whose body lies at or below the first close (the gap, relaxed for forex), then a
 * bullish candle closing above the middle of the first body.
 */
export function isMorningStar(s: BarSeries, i: number): boolean {
  if (i < 2) return false;
  const a = i - 2, b = i - 1;
  return isBearish(s, a) && isLongBody(s, a)
    && body(s, b) <= CANDLE.STAR_MAX_BODY_TO_FIRST * body(s, a)
    && Math.max(s.open[b], s.close[b]) <= s.close[a]
    && isBullish(s, i) && s.close[i] > (s.open[a] + s.close[a]) / 2;
}

/** Evening star: the morning star upside down. */
export function isEveningStar(s: BarSeries, i: number): boolean {
  if (i < 2) return false;
  const a = i - 2, b = i - 1;
  return isBullish(s, a) && isLongBody(s, a)
    && body(s, b) <= CANDLE.STAR_MAX_BODY_TO_FIRST * body(s, a)
    && Math.min(s.open[b], s.close[b]) >= s.close[a]
    && isBearish(s, i) && s.close[i] < (s.open[a] + s.close[a]) / 2;
}

/**
 * Three white soldiers: three bullish candles with solid bodies (at least
 * `SOLDIER_MIN_BODY_RATIO` of the range), each opening within the previous body and closing higher.
 */
export function isThreeWhiteSoldiers(s: BarSeries, i: number): boolean {
  if (i < 2) return false;
  for (let k = i - 2; k <= i; k++) {
    if (!isBullish(s, k) || body(s, k) < CANDLE.SOLDIER_MIN_BODY_RATIO * range(s, k)) return false;
    if (k > i - 2 && (s.open[k] < s.open[k - 1] || s.open[k] > s.close[k - 1] || s.close[k] <= s.close[k - 1])) return false;
  }
  return true;
}

/** Three black crows: three bearish solid candles, each opening within the previous body, closing lower. */
export function isThreeBlackCrows(s: BarSeries, i: number): boolean {
  if (i < 2) return false;
  for (let k = i - 2; k <= i; k++) {
    if (!isBearish(s, k) || body(s, k) < CANDLE.SOLDIER_MIN_BODY_RATIO * range(s, k)) return false;
    if (k > i - 2 && (s.open[k] > s.open[k - 1] || s.open[k] < s.close[k - 1] || s.close[k] >= s.close[k - 1])) return false;
  }
  return true;
}

/**
 * Tweezer top: after an uptrend, a bullish candle then a bearish one whose highs match within
 * `TWEEZER_TOLERANCE_RATIO` of the larger range.
 */
export function isTweezerTop(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  const tolerance = CANDLE.TWEEZER_TOLERANCE_RATIO * Math.max(range(s, p), range(s, i));
  return priorTrend(s, p) > 0 && isBullish(s, p) && isBearish(s, i)
    && Math.abs(s.high[i] - s.high[p]) <= tolerance;
}

/** Tweezer bottom: after a downtrend, a bearish candle then a bullish one with matching lows. */
export function isTweezerBottom(s: BarSeries, i: number): boolean {
  if (i < 1) return false;
  const p = i - 1;
  const tolerance = CANDLE.TWEEZER_TOLERANCE_RATIO * Math.max(range(s, p), range(s, i));
  return priorTrend(s, p) < 0 && isBearish(s, p) && isBullish(s, i)
    && Math.abs(s.low[i] - s.low[p]) <= tolerance;
}
