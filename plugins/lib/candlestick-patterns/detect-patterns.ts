import type { BarSeries } from '../../../engine/plugin-api.ts';
import { fusedPatternMask } from './fused-detector.ts';
import * as multi from './multi-candle.ts';
import * as single from './single-candle.ts';

type PatternTest = (s: BarSeries, i: number) => boolean;

/** One pattern: its display name (as TRADE_ENTRY `patterns_detected` shows it), bias and test. */
export interface PatternDefinition {
  readonly name: string;
  readonly bias: 'bullish' | 'bearish' | 'neutral';
  readonly test: PatternTest;
}

/** Every pattern, in a fixed order: bit `k` of a pattern mask is `PATTERNS[k]`. */
export const PATTERNS: readonly PatternDefinition[] = [
  { name: 'Bullish Engulfing', bias: 'bullish', test: multi.isBullishEngulfing },
  { name: 'Bearish Engulfing', bias: 'bearish', test: multi.isBearishEngulfing },
  { name: 'Hammer', bias: 'bullish', test: single.isHammer },
  { name: 'Inverted Hammer', bias: 'bullish', test: single.isInvertedHammer },
  { name: 'Shooting Star', bias: 'bearish', test: single.isShootingStar },
  { name: 'Hanging Man', bias: 'bearish', test: single.isHangingMan },
  { name: 'Doji', bias: 'neutral', test: single.isStandardDoji },
  { name: 'Dragonfly Doji', bias: 'bullish', test: single.isDragonflyDoji },
  { name: 'Gravestone Doji', bias: 'bearish', test: single.isGravestoneDoji },
  { name: 'Morning Star', bias: 'bullish', test: multi.isMorningStar },
  { name: 'Evening Star', bias: 'bearish', test: multi.isEveningStar },
  { name: 'Bullish Harami', bias: 'bullish', test: multi.isBullishHarami },
  { name: 'Bearish Harami', bias: 'bearish', test: multi.isBearishHarami },
  { name: 'Piercing Line', bias: 'bullish', test: multi.isPiercingLine },
  { name: 'Dark Cloud Cover', bias: 'bearish', test: multi.isDarkCloudCover },
  { name: 'Three White Soldiers', bias: 'bullish', test: multi.isThreeWhiteSoldiers },
  { name: 'Three Black Crows', bias: 'bearish', test: multi.isThreeBlackCrows },
  { name: 'Tweezer Top', bias: 'bearish', test: multi.isTweezerTop },
  { name: 'Tweezer Bottom', bias: 'bullish', test: multi.isTweezerBottom },
];

const maskOf = (bias: PatternDefinition['bias']): number =>
  PATTERNS.reduce((m, p, k) => (p.bias === bias ? m | (1 << k) : m), 0);

/** Mask of the patterns that signal a bullish reversal or continuation. */
export const BULLISH_MASK = maskOf('bullish');
/** Mask of the patterns that signal a bearish reversal or continuation. */
export const BEARISH_MASK = maskOf('bearish');
/** Mask of the reversal patterns only (soldiers and crows are continuations). */
export const REVERSAL_MASK = PATTERNS.reduce(
  (m, p, k) => (p.bias !== 'neutral' && !p.name.startsWith('Three ') ? m | (1 << k) : m), 0);

/** Bit of the pattern with this display name; throws on an unknown name (a typo in config). */
export function patternBit(name: string): number {
  const k = PATTERNS.findIndex((p) => p.name === name);
  if (k < 0) throw new Error(`unknown candlestick pattern "${name}"; known: ${PATTERNS.map((p) => p.name).join(', ')}`);
  return 1 << k;
}

/**
 * The patterns completed by bar `i` as a bit mask; allocation-free, for per-bar hot loops.
 *
 * @example
 * ```ts
 * const mask = detectPatternMask(ctx.bars, ctx.index);
 * if (mask & BULLISH_MASK) { ... }
 * ```
 */
export function detectPatternMask(series: BarSeries, i: number): number {
  return fusedPatternMask(series, i);
}

/** The same mask computed one definition at a time (the reference the fused pass is tested against). */
export function referencePatternMask(series: BarSeries, i: number): number {
  let mask = 0;
  for (let k = 0; k < PATTERNS.length; k++) if (PATTERNS[k].test(series, i)) mask |= 1 << k;
  return mask;
}

/** Display names of the patterns in a mask, in `PATTERNS` order. */
export function patternNames(mask: number): string[] {
  const names: string[] = [];
  for (let k = 0; k < PATTERNS.length; k++) if (mask & (1 << k)) names.push(PATTERNS[k].name);
  return names;
}

/**
 * Display names of the patterns completed by bar `i` (e.g. `["Bullish Engulfing"]`), for
 * TRADE_ENTRY `patterns_detected`. Reads bars `0..i` only.
 *
 * @example
 * ```ts
 * const patterns = detectPatterns(ctx.bars, ctx.index);
 * ```
 */
export function detectPatterns(series: BarSeries, i: number): string[] {
  return patternNames(detectPatternMask(series, i));
}
