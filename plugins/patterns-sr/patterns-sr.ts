import { defineStrategy, fixed, type BarSeries, type Signal, type StrategyContext } from '../../engine/plugin-api.ts';
import { BEARISH_MASK, BULLISH_MASK, patternBit, patternNames } from '../lib/candlestick-patterns/index.ts';
import { fusedPatternMask } from '../lib/candlestick-patterns/fused-detector.ts';
import { SupportResistance } from '../lib/support-resistance/index.ts';
import { DEFAULT_PATTERNS_SR_CONFIG, PATTERNS_SR_PARAM_DESCRIPTIONS, PatternsSrConfigCodec, type PatternsSrConfig } from './patterns-sr-config.ts';

/** Per-symbol state: the incremental level finder and the next bar it has not seen. */
export interface PatternsSrState {
  sr: SupportResistance;
  nextBar: number;
  /** Bullish / bearish masks narrowed to the configured patterns. */
  bullish: number;
  bearish: number;
}

function makeState(config: PatternsSrConfig): PatternsSrState {
  const allowed = config.patterns.reduce((m, name) => m | patternBit(name), 0);
  return {
    sr: new SupportResistance({ fractalBars: config.fractalBars, atrPeriod: config.atrPeriod, toleranceAtr: config.clusterToleranceAtr }),
    nextBar: 0,
    bullish: allowed & BULLISH_MASK,
    bearish: allowed & BEARISH_MASK,
  };
}

/** Feeds every bar up to `i` (bars are skipped while the symbol is throttled, so catch up). */
function catchUp(state: PatternsSrState, bars: BarSeries, i: number): void {
  for (let k = state.nextBar; k <= i; k++) state.sr.update(bars, k);
  state.nextBar = i + 1;
}

/**
 * The default strategy: a candlestick reversal at a support/resistance level.
 *
 * Long when a bullish reversal pattern completes with its low within `proximityAtr` ATRs of a
 * support (a level with at least `minTouches` touches below the close): stop `stopBufferAtr`
 * ATRs under the level (at least `minStopAtr` ATRs from the close), take-profit at the nearest
 * resistance when it lies between `minLevelReward` and `rewardMultiple` times the risk away,
 * else at `rewardMultiple` times the risk. Short is the mirror at resistance. One position at a time; a trade still open after
 * `maxBarsInTrade` bars is closed. Sizing is the governor's, from the stop distance.
 */
export const patternsSr = defineStrategy<PatternsSrConfig, PatternsSrState>({
  id: 'patterns-sr',
  description: 'Candlestick reversal pattern at a support/resistance level (fractal swings), stop beyond the level',
  configCodec: PatternsSrConfigCodec,
  defaultConfig: DEFAULT_PATTERNS_SR_CONFIG,
  paramDescriptions: PATTERNS_SR_PARAM_DESCRIPTIONS,
  warmup: 50,
  initialState: (ctx) => makeState(ctx.config),
  onBar(ctx) {
    const state = ctx.state;
    const bars = ctx.bars;
    const i = ctx.index;
    catchUp(state, bars, i);
    const config = ctx.config;
    if (ctx.position) {
      if (config.maxBarsInTrade > 0 && i - ctx.position.entryIndex >= config.maxBarsInTrade) {
        return { direction: 'close', reason: `time exit after ${config.maxBarsInTrade} bars` };
      }
      return;
    }
    const atr = state.sr.atr.value;
    if (!(atr > 0)) return;
    const mask = fusedPatternMask(bars, i);
    if ((mask & (state.bullish | state.bearish)) === 0) return;
    return entrySignal(ctx, mask, atr);
  },
});

function entrySignal(ctx: StrategyContext<PatternsSrConfig, PatternsSrState>, mask: number, atr: number): Signal | undefined {
  const { config, state } = ctx;
  const { sr } = state;
  const bars = ctx.bars;
  const i = ctx.index;
  const close = bars.close[i];
  // Most pattern bars are nowhere near a level: test proximity before building anything.
  if (mask & state.bullish) {
    // The pattern's extreme over its last two candles (a one-candle pattern's own low is included).
    const low = Math.min(bars.low[i], bars.low[i - 1]);
    const support = sr.nearestSupport(close, config.minTouches);
    if (support === support && low - support <= config.proximityAtr * atr) {
      const resistance = sr.nearestResistance(close, config.minTouches);
      const stopLoss = Math.min(support - config.stopBufferAtr * atr, close - config.minStopAtr * atr);
      const risk = close - stopLoss;
      const takeProfit = resistance === resistance && resistance - close >= config.minLevelReward * risk
        ? Math.min(resistance, close + config.rewardMultiple * risk)
        : close + config.rewardMultiple * risk;
      const patterns = patternNames(mask & state.bullish);
      return {
        direction: 'buy', stopLoss: roundTo(stopLoss, ctx.spec.digits), takeProfit: roundTo(takeProfit, ctx.spec.digits),
        patterns, srLevels: levels(support, resistance), reason: `${patterns.join(', ')} at support ${fixed(support, ctx.spec.digits)}`,
      };
    }
  }
  if (mask & state.bearish) {
    const high = Math.max(bars.high[i], bars.high[i - 1]);
    const resistance = sr.nearestResistance(close, config.minTouches);
    if (resistance === resistance && resistance - high <= config.proximityAtr * atr) {
      const support = sr.nearestSupport(close, config.minTouches);
      const stopLoss = Math.max(resistance + config.stopBufferAtr * atr, close + config.minStopAtr * atr);
      const risk = stopLoss - close;
      const takeProfit = support === support && close - support >= config.minLevelReward * risk
        ? Math.max(support, close - config.rewardMultiple * risk)
        : close - config.rewardMultiple * risk;
      const patterns = patternNames(mask & state.bearish);
      return {
        direction: 'sell', stopLoss: roundTo(stopLoss, ctx.spec.digits), takeProfit: roundTo(takeProfit, ctx.spec.digits),
        patterns, srLevels: levels(support, resistance), reason: `${patterns.join(', ')} at resistance ${fixed(resistance, ctx.spec.digits)}`,
      };
    }
  }
  return undefined;
}

/** NaN (no level) becomes null, as TRADE_ENTRY `sr_levels` wants it. */
function levels(support: number, resistance: number): { support: number | null; resistance: number | null } {
  return { support: Number.isNaN(support) ? null : support, resistance: Number.isNaN(resistance) ? null : resistance };
}

/** Prices to the symbol's digits, as a terminal would show and accept them. */
function roundTo(price: number, digits: number): number {
  const f = POW10[digits] ?? 10 ** digits;
  return Math.round(price * f) / f;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
