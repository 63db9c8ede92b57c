// Training tool, not part of the plugin: it drives the engine's BacktestRunner, so it imports
// engine runtimes (like engine/cli does). The plugin itself (../index.ts) never imports this.
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import type { BarSeries } from '../../../engine/plugin-api.ts';
import { ACTIONS } from '../linear-policy.ts';
import { OBSERVATION_FEATURES } from '../observation.ts';
import type { PolicyFile } from '../policy-file.ts';
import { createRlPolicyStrategy } from '../rl-policy.ts';

export interface EpisodeResult {
  readonly reward: number;
  readonly returnFraction: number;
  readonly maxDrawdownFraction: number;
  readonly trades: number;
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
 * peak-to-trough fall of equity (a fraction).
 */
export function runEpisode(policy: PolicyFile, series: BarSeries, drawdownPenalty: number, balance = 10_000): EpisodeResult {
  const strategy = createRlPolicyStrategy(policy);
  const { complete } = runBacktest({ symbol: series.symbol, series, strategy, balance });
  const returnFraction = (complete.final_balance - balance) / balance;
  const maxDrawdownFraction = complete.metrics?.max_drawdown_pct ?? 0;
  return {
    reward: returnFraction - drawdownPenalty * maxDrawdownFraction,
    returnFraction, maxDrawdownFraction, trades: complete.total_trades,
  };
}
