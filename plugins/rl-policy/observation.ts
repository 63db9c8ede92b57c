import type { BarSeries, StrategyContext } from '../../engine/plugin-api.ts';
import { BEARISH_MASK, BULLISH_MASK } from '../lib/candlestick-patterns/index.ts';
import { fusedPatternMask } from '../lib/candlestick-patterns/fused-detector.ts';
import { SupportResistance } from '../lib/support-resistance/index.ts';

/**
 * The observation, one number per name, each scaled by hand into roughly [-1, 1] so a linear
 * policy needs no running normalisation (which would make a saved policy depend on the data it
 * was trained on). Distances are in ATRs so the same policy reads any symbol.
 */
export const OBSERVATION_FEATURES = [
  'bias',
  'bullish_pattern',
  'bearish_pattern',
  'support_distance_atr',
  'resistance_distance_atr',
  'trend_vs_ema50_atr',
  'momentum_10_atr',
  'volatility_ratio',
  'position_side',
  'unrealised_atr',
  'bars_in_trade',
  'week_trades_vs_max',
  'week_elapsed',
  'week_behind_min_pace',
] as const;
export const OBSERVATION_SIZE = OBSERVATION_FEATURES.length;

const EMA_PERIOD = 50;
const SLOW_ATR_ALPHA = 1 / 500;
const MOMENTUM_BARS = 10;
const MAX_BARS_IN_TRADE = 48;

const clip = (x: number, limit: number) => (x > limit ? limit : x < -limit ? -limit : x);

/**
 * Builds the observation for bar `ctx.index` into a reused Float64Array. Its indicators (EMA,
 * ATR, support/resistance) are incremental: it must see every bar in order, so it catches up
 * over bars the engine did not show the strategy (while the symbol was throttled).
 */
export class ObservationBuilder {
  readonly values = new Float64Array(OBSERVATION_SIZE);
  readonly sr = new SupportResistance({ fractalBars: 3, toleranceAtr: 0.5 });
  private ema = NaN;
  private slowAtr = NaN;
  private nextBar = 0;

  private feed(bars: BarSeries, i: number): void {
    this.sr.update(bars, i);
    const c = bars.close[i];
    this.ema = Number.isNaN(this.ema) ? c : this.ema + (2 / (EMA_PERIOD + 1)) * (c - this.ema);
    const atr = this.sr.atr.value;
    if (!Number.isNaN(atr)) this.slowAtr = Number.isNaN(this.slowAtr) ? atr : this.slowAtr + SLOW_ATR_ALPHA * (atr - this.slowAtr);
  }

  /** True once the indicators are warmed up and `values` holds a real observation. */
  build(ctx: StrategyContext<unknown, unknown>): boolean {
    const bars = ctx.bars;
    const i = ctx.index;
    for (let k = this.nextBar; k <= i; k++) this.feed(bars, k);
    this.nextBar = i + 1;
    const atr = this.sr.atr.value;
    if (!(atr > 0) || i < MOMENTUM_BARS) return false;
    const v = this.values;
    const close = bars.close[i];
    const mask = fusedPatternMask(bars, i);
    const support = this.sr.nearestSupport(close, 2);
    const resistance = this.sr.nearestResistance(close, 2);
    v[0] = 1;
    v[1] = mask & BULLISH_MASK ? 1 : 0;
    v[2] = mask & BEARISH_MASK ? 1 : 0;
    v[3] = Number.isNaN(support) ? 1 : clip((close - support) / atr, 5) / 5;
    v[4] = Number.isNaN(resistance) ? 1 : clip((resistance - close) / atr, 5) / 5;
    v[5] = clip((close - this.ema) / atr, 5) / 5;
    v[6] = clip((close - bars.close[i - MOMENTUM_BARS]) / atr, 5) / 5;
    v[7] = clip(atr / this.slowAtr - 1, 1);
    const p = ctx.position;
    if (p) {
      const side = p.direction === 'buy' ? 1 : -1;
      v[8] = side;
      v[9] = clip((side * (close - p.entryPrice)) / atr, 5) / 5;
      v[10] = Math.min(1, (i - p.entryIndex) / MAX_BARS_IN_TRADE);
    } else {
      v[8] = 0;
      v[9] = 0;
      v[10] = 0;
    }
    const w = ctx.week;
    v[11] = w.max > 0 ? w.trades / w.max : 0;
    v[12] = w.elapsed;
    v[13] = w.min > 0 ? clip(Math.max(0, w.min * w.elapsed - w.trades) / w.min, 1) : 0;
    return true;
  }
}
