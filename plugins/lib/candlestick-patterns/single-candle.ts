import type { BarSeries } from '../../../engine/plugin-api.ts';
import { CANDLE, body, lowerShadow, priorTrend, range, upperShadow } from './candle-geometry.ts';

/**
 * Doji: open and close (almost) equal, body at most `DOJI_BODY_RATIO` of the range. A bar with
 * no range at all (open = high = low = close, the "four-price doji") counts as a doji too.
 */
export function isDoji(s: BarSeries, i: number): boolean {
  const r = range(s, i);
  return r === 0 ? true : body(s, i) <= CANDLE.DOJI_BODY_RATIO * r;
}

/** Dragonfly doji: a doji whose open and close sit at the high, with a long lower shadow. */
export function isDragonflyDoji(s: BarSeries, i: number): boolean {
  const r = range(s, i);
  return r > 0 && isDoji(s, i)
    && upperShadow(s, i) <= CANDLE.DOJI_FLAT_SIDE_RATIO * r
    && lowerShadow(s, i) >= CANDLE.DOJI_LONG_SHADOW_RATIO * r;
}

/** Gravestone doji: a doji whose open and close sit at the low, with a long upper shadow. */
export function isGravestoneDoji(s: BarSeries, i: number): boolean {
  const r = range(s, i);
  return r > 0 && isDoji(s, i)
    && lowerShadow(s, i) <= CANDLE.DOJI_FLAT_SIDE_RATIO * r
    && upperShadow(s, i) >= CANDLE.DOJI_LONG_SHADOW_RATIO * r;
}

/** Standard doji: a doji that is neither a dragonfly nor a gravestone. */
export function isStandardDoji(s: BarSeries, i: number): boolean {
  return isDoji(s, i) && !isDragonflyDoji(s, i) && !isGravestoneDoji(s, i);
}

/**
 * Hammer shape (also the hanging man's): small body in the upper part of the range, lower
 * shadow at least `HAMMER_SHADOW_TO_BODY` bodies, almost no upper shadow. A doji is excluded so
 * the two families do not overlap.
 */
export function hasHammerShape(s: BarSeries, i: number): boolean {
  const r = range(s, i);
  if (r <= 0) return false;
  const b = body(s, i);
  return b > CANDLE.DOJI_BODY_RATIO * r
    && b <= CANDLE.HAMMER_MAX_BODY_RATIO * r
    && lowerShadow(s, i) >= CANDLE.HAMMER_SHADOW_TO_BODY * b
    && upperShadow(s, i) <= CANDLE.HAMMER_MAX_OPPOSITE_SHADOW_RATIO * r;
}

/** Inverted hammer shape (also the shooting star's): the hammer shape upside down. */
export function hasInvertedHammerShape(s: BarSeries, i: number): boolean {
  const r = range(s, i);
  if (r <= 0) return false;
  const b = body(s, i);
  return b > CANDLE.DOJI_BODY_RATIO * r
    && b <= CANDLE.HAMMER_MAX_BODY_RATIO * r
    && upperShadow(s, i) >= CANDLE.HAMMER_SHADOW_TO_BODY * b
    && lowerShadow(s, i) <= CANDLE.HAMMER_MAX_OPPOSITE_SHADOW_RATIO * r;
}

/** Hammer: hammer shape after a downtrend (bullish reversal). */
export function isHammer(s: BarSeries, i: number): boolean {
  return hasHammerShape(s, i) && priorTrend(s, i - 1) < 0;
}

/** Hanging man: hammer shape after an uptrend (bearish reversal). */
export function isHangingMan(s: BarSeries, i: number): boolean {
  return hasHammerShape(s, i) && priorTrend(s, i - 1) > 0;
}

/** Inverted hammer: inverted shape after a downtrend (bullish reversal). */
export function isInvertedHammer(s: BarSeries, i: number): boolean {
  return hasInvertedHammerShape(s, i) && priorTrend(s, i - 1) < 0;
}

/** Shooting star: inverted shape after an uptrend (bearish reversal). */
export function isShootingStar(s: BarSeries, i: number): boolean {
  return hasInvertedHammerShape(s, i) && priorTrend(s, i - 1) > 0;
}
