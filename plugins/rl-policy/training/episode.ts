// Training tool, not part of the plugin: it drives the engine's BacktestRunner through the
// research API (engine/research-api.ts). The plugin itself (../index.ts) never imports this.
import { runBacktest } from '../../../engine/research-api.ts';
import type { BarSeries } from '../../../engine/plugin-api.ts';
import { ACTIONS } from '../linear-policy.ts';
import { OBSERVATION_FEATURES } from '../observation.ts';
import type { PolicyFile } from '../policy-file.ts';
import { createRlPolicyStrategy } from '../rl-policy.ts';

export interface EpisodeResult {
  readonly reward: number;
  readonly returnFraction: number;
  readonly maxDrawdownFraction: number;
  /** Share of the weeks whose trade count fell outside the 3-10 band. */
  readonly weeksOutsideBand: number;
  readonly trades: number;
}

/** Penalties of the episode reward. */
export interface RewardWeights {
  /** Times the maximum drawdown fraction. */
  readonly drawdownPenalty: number;
  /** Times the share of weeks outside the weekly trade band (the governor's 3-10 target). */
  readonly bandPenalty: number;
}

/** A policy file around bare weights (the trainer's candidates). */
export function policyFromWeights(weights: ArrayLike<number>, training: PolicyFile['training'], symbol: string, timeframe: string): PolicyFile {
  return {
    format: 'tradeloom-rl-policy', version: 1, kind: 'linear-softmax', symbol, timeframe,
    features: [...OBSERVATION_FEATURES], actions: [...ACTIONS], weights: Array.from(weights), training,
  };
}

/**
 * One episode: a full backtest of the policy over `series` through the same engine path as any
 * backtest (SymbolActor, governor sizing and weekly limits, SimBroker with spread). The reward is
 * the sum over bars of the change in equity (realised plus unrealised PnL, net of spread and
 * commission, as a fraction of the starting balance), which telescopes to the final return since
 * the runner closes what is open at the end, minus `drawdownPenalty` times the largest
 * peak-to-trough fall of equity (a fraction), minus `bandPenalty` times the share of weeks whose
 * trade count fell outside 3-10 (the product's trade-frequency target: without it, never trading
 * is the safest policy and the trainer finds it).
 */
export function runEpisode(policy: PolicyFile, series: BarSeries, weights: RewardWeights, balance = 10_000): EpisodeResult {
  const strategy = createRlPolicyStrategy(policy);
  const { complete } = runBacktest({ symbol: series.symbol, series, strategy, balance });
  const returnFraction = (complete.final_balance - balance) / balance;
  const maxDrawdownFraction = complete.metrics?.max_drawdown_pct ?? 0;
  const weeks = Object.values(complete.weekly_stats);
  const outside = weeks.length === 0 ? 0 : weeks.filter((w) => w.trades < 3 || w.trades > 10).length / weeks.length;
  return {
    reward: returnFraction - weights.drawdownPenalty * maxDrawdownFraction - weights.bandPenalty * outside,
    returnFraction, maxDrawdownFraction, weeksOutsideBand: outside, trades: complete.total_trades,
  };
}
