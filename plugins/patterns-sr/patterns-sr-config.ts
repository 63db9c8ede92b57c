import * as t from 'io-ts';

// Every field is refused before a run when its value has no meaning, naming the field
// (`rewardMultiple: expected positive number, got -1`): an optimiser's range must not run
// combinations whose stop sits on the level or whose take-profit sits behind the entry.
/** Bar counts the level finder and the ATR accept: whole bars, at least one. */
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'positive integer');
/** Whole bars, 0 allowed where 0 means "off". */
const NonNegativeInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'whole number, 0 or more');
/** A distance or multiple that must be there: finite and above zero. */
const PositiveNumber = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0, 'positive number');
/** A distance where 0 is meaningful (exact touch, no widening). */
const NonNegativeNumber = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'number, 0 or more');
/** At least one pattern (an empty list would never trade); an unknown name is refused at start, naming it and the known ones. */
const PatternList = t.refinement(t.array(t.string), (a) => a.length > 0, 'non-empty list of pattern names');

/** Config of the `patterns-sr` strategy; distances are in ATRs so one config fits any symbol. */
export const PatternsSrConfigCodec = t.type({
  /** Bars on each side of a swing high/low (fractal). */
  fractalBars: PositiveInt,
  atrPeriod: PositiveInt,
  /** Swing points within this many ATRs merge into one level. */
  clusterToleranceAtr: NonNegativeNumber,
  /** Levels need at least this many touches to count. */
  minTouches: PositiveInt,
  /** The pattern's extreme must come within this many ATRs of the level. */
  proximityAtr: NonNegativeNumber,
  /** Stop this many ATRs beyond the level. */
  stopBufferAtr: PositiveNumber,
  /** Stops closer than this many ATRs are widened to it (noise would take them). */
  minStopAtr: NonNegativeNumber,
  /** Take-profit at this multiple of the stop distance when the opposite level is nearer than that... */
  rewardMultiple: PositiveNumber,
  /** ...and at the opposite level when it offers at least this multiple. */
  minLevelReward: PositiveNumber,
  /** Close a trade still open after this many bars (0 = never). */
  maxBarsInTrade: NonNegativeInt,
  /** Pattern display names that may trigger an entry (see PATTERNS in plugins/lib/candlestick-patterns). */
  patterns: PatternList,
});
export type PatternsSrConfig = t.TypeOf<typeof PatternsSrConfigCodec>;

/**
 * Defaults chosen on the 1996-1999 training years only (USDCHF H1): the trade frequency lands in
 * the 3-10 per week band in most weeks; 2000-2001 stays unseen for the walk-forward evaluation.
 */
export const DEFAULT_PATTERNS_SR_CONFIG: PatternsSrConfig = {
  fractalBars: 3,
  atrPeriod: 14,
  clusterToleranceAtr: 0.5,
  minTouches: 2,
  proximityAtr: 1,
  stopBufferAtr: 1,
  minStopAtr: 1.5,
  rewardMultiple: 2,
  minLevelReward: 1,
  maxBarsInTrade: 48,
  patterns: [
    'Bullish Engulfing', 'Bearish Engulfing', 'Hammer', 'Inverted Hammer', 'Shooting Star', 'Hanging Man',
    'Dragonfly Doji', 'Gravestone Doji', 'Morning Star', 'Evening Star', 'Bullish Harami', 'Bearish Harami',
    'Piercing Line', 'Dark Cloud Cover', 'Tweezer Top', 'Tweezer Bottom',
  ],
};

/** One line per parameter, for the Run Backtest form (the same words as the codec's comments). */
export const PATTERNS_SR_PARAM_DESCRIPTIONS: Readonly<Record<keyof PatternsSrConfig, string>> = {
  fractalBars: 'Bars on each side of a swing high/low (fractal)',
  atrPeriod: 'Bars of the ATR that every distance below is measured in',
  clusterToleranceAtr: 'Swing points within this many ATRs merge into one level',
  minTouches: 'Levels need at least this many touches to count',
  proximityAtr: "The pattern's extreme must come within this many ATRs of the level",
  stopBufferAtr: 'Stop this many ATRs beyond the level',
  minStopAtr: 'Stops closer than this many ATRs are widened to it',
  rewardMultiple: 'Take-profit at this multiple of the stop distance when the opposite level is nearer',
  minLevelReward: '...and at the opposite level when it offers at least this multiple',
  maxBarsInTrade: 'Close a trade still open after this many bars (0 = never)',
  patterns: 'Pattern names that may trigger an entry (a JSON list)',
};
