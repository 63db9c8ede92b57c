import type { BarSeries } from '../../../engine/plugin-api.ts';
import { CANDLE } from './candle-geometry.ts';

// Bits in `PATTERNS` order (detect-patterns.ts); a test pins the two to each other.
const BULL_ENGULF = 1 << 0, BEAR_ENGULF = 1 << 1, HAMMER = 1 << 2, INV_HAMMER = 1 << 3, SHOOTING = 1 << 4,
  HANGING = 1 << 5, DOJI = 1 << 6, DRAGONFLY = 1 << 7, GRAVESTONE = 1 << 8, MORNING = 1 << 9, EVENING = 1 << 10,
  BULL_HARAMI = 1 << 11, BEAR_HARAMI = 1 << 12, PIERCING = 1 << 13, DARK_CLOUD = 1 << 14, SOLDIERS = 1 << 15,
  CROWS = 1 << 16, TWEEZER_TOP = 1 << 17, TWEEZER_BOTTOM = 1 << 18;

const {
  DOJI_BODY_RATIO, DOJI_FLAT_SIDE_RATIO, DOJI_LONG_SHADOW_RATIO, HAMMER_SHADOW_TO_BODY, HAMMER_MAX_BODY_RATIO,
  HAMMER_MAX_OPPOSITE_SHADOW_RATIO, LONG_BODY_RATIO, STAR_MAX_BODY_TO_FIRST, SOLDIER_MIN_BODY_RATIO,
  TWEEZER_TOLERANCE_RATIO, TREND_LOOKBACK,
} = CANDLE;

/**
 * Every pattern of `PATTERNS` for bar `i` in one pass: the three candles' numbers are read once
 * into locals and each definition is evaluated on them. This is the same logic as the one
 * function per pattern in single-candle.ts and multi-candle.ts (those are the readable
 * definitions; a test checks the two agree bar for bar on the whole fixture history), about
 * twenty times faster because it does not re-read the arrays nineteen times.
 */
export function fusedPatternMask(s: BarSeries, i: number): number {
  const open = s.open, high = s.high, low = s.low, close = s.close;
  const o0 = open[i], h0 = high[i], l0 = low[i], c0 = close[i];
  const b0 = Math.abs(c0 - o0), r0 = h0 - l0;
  const up0 = Math.max(o0, c0), dn0 = Math.min(o0, c0);
  let mask = 0;

  // Single candle.
  if (r0 === 0) {
    mask |= DOJI;
  } else if (b0 <= DOJI_BODY_RATIO * r0) {
    const us = h0 - up0, ls = dn0 - l0;
    if (us <= DOJI_FLAT_SIDE_RATIO * r0 && ls >= DOJI_LONG_SHADOW_RATIO * r0) mask |= DRAGONFLY;
    else if (ls <= DOJI_FLAT_SIDE_RATIO * r0 && us >= DOJI_LONG_SHADOW_RATIO * r0) mask |= GRAVESTONE;
    else mask |= DOJI;
  } else if (b0 <= HAMMER_MAX_BODY_RATIO * r0) {
    const us = h0 - up0, ls = dn0 - l0;
    const hammer = ls >= HAMMER_SHADOW_TO_BODY * b0 && us <= HAMMER_MAX_OPPOSITE_SHADOW_RATIO * r0;
    const inverted = us >= HAMMER_SHADOW_TO_BODY * b0 && ls <= HAMMER_MAX_OPPOSITE_SHADOW_RATIO * r0;
    if ((hammer || inverted) && i - 1 - TREND_LOOKBACK >= 0) {
      const trend = close[i - 1] - close[i - 1 - TREND_LOOKBACK];
      if (hammer) mask |= trend < 0 ? HAMMER : trend > 0 ? HANGING : 0;
      if (inverted) mask |= trend < 0 ? INV_HAMMER : trend > 0 ? SHOOTING : 0;
    }
  }
  if (i < 1) return mask;

  // Two candles: p = previous.
  const p = i - 1;
  const o1 = open[p], h1 = high[p], l1 = low[p], c1 = close[p];
  const b1 = Math.abs(c1 - o1), r1 = h1 - l1;
  const bull0 = c0 > o0, bear0 = c0 < o0, bull1 = c1 > o1, bear1 = c1 < o1;
  const long1 = r1 > 0 && b1 >= LONG_BODY_RATIO * r1;
  const mid1 = (o1 + c1) / 2;
  if (bear1 && bull0) {
    if (o0 <= c1 && c0 >= o1 && b0 > b1) mask |= BULL_ENGULF;
    if (o0 >= c1 && c0 <= o1 && b0 < b1) mask |= BULL_HARAMI;
    if (long1 && o0 < c1 && c0 > mid1 && c0 < o1) mask |= PIERCING;
  } else if (bull1 && bear0) {
    if (o0 >= c1 && c0 <= o1 && b0 > b1) mask |= BEAR_ENGULF;
    if (o0 <= c1 && c0 >= o1 && b0 < b1) mask |= BEAR_HARAMI;
    if (long1 && o0 > c1 && c0 < mid1 && c0 > o1) mask |= DARK_CLOUD;
  }
  if (p - TREND_LOOKBACK >= 0 && ((bull1 && bear0) || (bear1 && bull0))) {
    const trend = c1 - close[p - TREND_LOOKBACK];
    const tolerance = TWEEZER_TOLERANCE_RATIO * Math.max(r1, r0);
    if (trend > 0 && bull1 && Math.abs(h0 - h1) <= tolerance) mask |= TWEEZER_TOP;
    if (trend < 0 && bear1 && Math.abs(l0 - l1) <= tolerance) mask |= TWEEZER_BOTTOM;
  }
  if (i < 2) return mask;

  // Three candles: a = first, p = middle.
  const a = i - 2;
  const o2 = open[a], h2 = high[a], l2 = low[a], c2 = close[a];
  const b2 = Math.abs(c2 - o2), r2 = h2 - l2;
  const long2 = r2 > 0 && b2 >= LONG_BODY_RATIO * r2;
  if (long2 && b1 <= STAR_MAX_BODY_TO_FIRST * b2) {
    const mid2 = (o2 + c2) / 2;
    if (c2 < o2 && Math.max(o1, c1) <= c2 && bull0 && c0 > mid2) mask |= MORNING;
    if (c2 > o2 && Math.min(o1, c1) >= c2 && bear0 && c0 < mid2) mask |= EVENING;
  }
  if (bull0 && bull1 && c2 > o2
    && b0 >= SOLDIER_MIN_BODY_RATIO * r0 && b1 >= SOLDIER_MIN_BODY_RATIO * r1 && b2 >= SOLDIER_MIN_BODY_RATIO * r2
    && o1 >= o2 && o1 <= c2 && c1 > c2 && o0 >= o1 && o0 <= c1 && c0 > c1) mask |= SOLDIERS;
  if (bear0 && bear1 && c2 < o2
    && b0 >= SOLDIER_MIN_BODY_RATIO * r0 && b1 >= SOLDIER_MIN_BODY_RATIO * r1 && b2 >= SOLDIER_MIN_BODY_RATIO * r2
    && o1 <= o2 && o1 >= c2 && c1 < c2 && o0 <= o1 && o0 >= c1 && c0 < c1) mask |= CROWS;
  return mask;
}
