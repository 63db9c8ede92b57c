export { CANDLE, body, range, upperShadow, lowerShadow, isBullish, isBearish, isLongBody, priorTrend } from './candle-geometry.ts';
export {
  isDoji, isStandardDoji, isDragonflyDoji, isGravestoneDoji, hasHammerShape, hasInvertedHammerShape,
  isHammer, isHangingMan, isInvertedHammer, isShootingStar,
} from './single-candle.ts';
export {
  isBullishEngulfing, isBearishEngulfing, isBullishHarami, isBearishHarami, isPiercingLine,
  isDarkCloudCover, isMorningStar, isEveningStar, isThreeWhiteSoldiers, isThreeBlackCrows,
  isTweezerTop, isTweezerBottom,
} from './multi-candle.ts';
export type { PatternDefinition } from './detect-patterns.ts';
export {
  PATTERNS, BULLISH_MASK, BEARISH_MASK, REVERSAL_MASK, patternBit, detectPatternMask, referencePatternMask, patternNames, detectPatterns,
} from './detect-patterns.ts';
