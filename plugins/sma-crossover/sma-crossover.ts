import * as t from 'io-ts';
import { defineStrategy } from '../../engine/plugin-api.ts';

/** Bar counts of the averages: whole bars, at least one. */
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'positive integer');

export const SmaCrossoverConfigCodec = t.type({
  fast: PositiveInt,
  slow: PositiveInt,
  /** Stop-loss distance from the signal bar's close, in points (500 = 50 pips on 5-digit FX). */
  stopLossPoints: t.number,
  /** Take-profit distance in points; 0 for none (exit on the opposite crossover only). */
  takeProfitPoints: t.number,
});
export type SmaCrossoverConfig = t.TypeOf<typeof SmaCrossoverConfigCodec>;

/** Differences of the averages below this (in price) count as equal. */
const TIE = 1e-9;

interface SmaState {
  sumFast: number;
  sumSlow: number;
  seen: number;
  prevDiff: number;
  /** The signals' reasons, built once (a string per signal is a cost the hot path need not pay). */
  buyReason: string;
  sellReason: string;
}

/**
 * The reference strategy: SMA(fast) crossing SMA(slow) on closes. A cross up buys, a cross down
 * sells (reversing any open position), with a fixed stop and take-profit in points. The
 * averages are kept as running sums, so each bar costs O(1) and allocates nothing.
 *
 * @example
 * ```ts
 * runBacktest({ symbol: 'USDCHF', series, strategy: smaCrossover, strategyConfig: { fast: 10, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 } });
 * ```
 */
export const smaCrossover = defineStrategy<SmaCrossoverConfig, SmaState>({
  id: 'sma-crossover',
  description: 'SMA(10) / SMA(30) crossover with a fixed stop and take-profit (reference strategy)',
  configCodec: SmaCrossoverConfigCodec,
  defaultConfig: { fast: 10, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 },
  paramDescriptions: {
    fast: 'Bars of the fast average',
    slow: 'Bars of the slow average',
    stopLossPoints: "Stop-loss distance from the signal bar's close, in points (500 = 50 pips on 5-digit FX)",
    takeProfitPoints: 'Take-profit distance in points; 0 for none (exit on the opposite crossover only)',
  },
  warmup: 30,
  // A "fast" average at least as slow as the "slow" one is the same pair mirrored or no pair.
  constraint: (config) => config.fast >= 1 && config.fast < config.slow,
  initialState: (ctx) => ({
    sumFast: 0, sumSlow: 0, seen: 0, prevDiff: 0,
    buyReason: `SMA(${ctx.config.fast}) crossed above SMA(${ctx.config.slow})`,
    sellReason: `SMA(${ctx.config.fast}) crossed below SMA(${ctx.config.slow})`,
  }),
  onBar(ctx) {
    // The running sums in locals, each field read and written once per bar (the same additions
    // in the same order as updating the fields in place).
    const config = ctx.config;
    const fast = config.fast;
    const slow = config.slow;
    const close = ctx.bars.close;
    const i = ctx.index;
    const s = ctx.state;
    const c = close[i];
    const seen = s.seen + 1;
    s.seen = seen;
    let sumFast = s.sumFast + c;
    let sumSlow = s.sumSlow + c;
    if (seen > fast) sumFast -= close[i - fast];
    if (seen > slow) sumSlow -= close[i - slow];
    s.sumFast = sumFast;
    s.sumSlow = sumSlow;
    if (seen < slow) return;
    // Equal averages are a tie, not a cross: running sums carry rounding noise (~1e-15) that
    // would otherwise decide the sign of an exact tie at random.
    const raw = sumFast / fast - sumSlow / slow;
    const diff = Math.abs(raw) < TIE ? 0 : raw;
    const prev = s.prevDiff;
    s.prevDiff = diff;
    if (seen === slow) return;
    const { stopLossPoints, takeProfitPoints } = config;
    const point = ctx.spec.point;
    if (prev <= 0 && diff > 0) {
      return {
        direction: 'buy',
        stopLoss: c - stopLossPoints * point,
        takeProfit: takeProfitPoints > 0 ? c + takeProfitPoints * point : 0,
        reason: s.buyReason,
      };
    }
    if (prev >= 0 && diff < 0) {
      return {
        direction: 'sell',
        stopLoss: c + stopLossPoints * point,
        takeProfit: takeProfitPoints > 0 ? c - takeProfitPoints * point : 0,
        reason: s.sellReason,
      };
    }
  },
});
