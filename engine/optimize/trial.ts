import { parseTimestamp, type LogEvent } from '../../protocol/index.ts';
import type { BarSeries } from '../model/bar.ts';
import type { SymbolSpec } from '../model/symbol-spec.ts';
import type { SimBrokerConfig } from '../broker/sim-broker.ts';
import type { GovernorConfig } from '../governor/governor-config.ts';
import type { Strategy, TrialMetrics } from '../strategy/strategy.ts';
import { runBacktest } from '../backtest/backtest-runner.ts';
import { validateStrategyConfig } from '../strategy/plugin-loader.ts';
import type { ParamSet } from './param-space.ts';

/**
 * Everything a trial needs besides its parameters, resolved once per optimisation (data
 * loaded, plugin found, base config validated), so a trial pays for the backtest only.
 */
export interface TrialInputs {
  readonly symbol: string;
  readonly series: BarSeries;
  readonly spec?: SymbolSpec;
  readonly strategy: Strategy;
  /** The strategy's config the parameters are merged over (already validated). */
  readonly baseConfig: Readonly<Record<string, unknown>>;
  readonly balance: number;
  readonly riskPercent: number;
  readonly governor?: Partial<GovernorConfig>;
  readonly broker?: Partial<SimBrokerConfig>;
}

/** Bars `from..to-1` of the inputs' series (walk-forward windows); the whole series when absent. */
export interface BarRange {
  readonly from: number;
  readonly to: number;
}

export interface TrialOutcome {
  readonly metrics: TrialMetrics;
  /** Return of each trading week (equity at the week's close over the previous close), for PBO and DSR. */
  readonly weeklyReturns: number[];
}

/** A trial's trades and equity, for walk-forward's stitched out-of-sample report. */
export interface TrialTrace {
  readonly exits: { time: number; pnl: number }[];
  readonly equity: { time: number; equity: number }[];
  readonly weeks: { trades: number; withinTarget: boolean }[];
}

/**
 * One trial: the strategy with `params` merged over the base config, backtested on the range.
 * The range is a view of the shared arrays (`subarray`), never a copy, and the strategy cannot
 * see a bar outside it. No recording, no progress: only the numbers an optimiser reads.
 *
 * @example
 * runTrial(inputs, { fast: 12, slow: 40 }).metrics.netProfit;
 */
export function runTrial(inputs: TrialInputs, params: ParamSet, range?: BarRange, trace?: TrialTrace, balance?: number): TrialOutcome {
  const config = validateStrategyConfig(inputs.strategy, { ...inputs.baseConfig, ...params });
  const series = range ? viewOf(inputs.series, range) : inputs.series;
  const start = balance ?? inputs.balance;
  const weeklyReturns: number[] = [];
  let previous = start;
  const onEvent = (event: LogEvent) => {
    if (event.event_type === 'PERFORMANCE') {
      const equity = event.data.equity ?? event.data.total_profit + start;
      weeklyReturns.push(equity / previous - 1);
      previous = equity;
      trace?.equity.push({ time: parseTimestamp(event.timestamp), equity });
    } else if (trace && event.event_type === 'TRADE_EXIT') {
      trace.exits.push({ time: parseTimestamp(event.timestamp), pnl: event.data.pnl });
    } else if (trace && event.event_type === 'WEEKLY_SUMMARY') {
      trace.weeks.push({ trades: event.data.trades, withinTarget: event.data.within_target });
    }
  };
  const result = runBacktest({
    symbol: inputs.symbol, series, spec: inputs.spec, strategy: inputs.strategy, strategyConfig: config,
    balance: start, riskPercent: inputs.riskPercent, governor: inputs.governor, broker: inputs.broker,
    sessionId: 'optimisation-trial', progressEvery: 1 << 30, onEvent,
  });
  const m = result.metrics;
  const c = result.complete;
  const metrics: TrialMetrics = {
    netProfit: c.total_return, grossProfit: m.gross_profit ?? 0, grossLoss: m.gross_loss ?? 0,
    profitFactor: m.profit_factor ?? null, expectedPayoff: m.expectancy ?? 0, sharpe: m.sharpe ?? 0, sortino: m.sortino ?? 0,
    recoveryFactor: m.recovery_factor ?? null, maxDrawdown: c.max_drawdown, maxDrawdownPct: m.max_drawdown_pct ?? 0,
    trades: c.total_trades, winRate: m.win_rate ?? 0, weeksWithinTarget: m.weeks_within_target ?? 0, weeksTotal: m.weeks_total ?? 0,
    finalBalance: c.final_balance,
  };
  return { metrics, weeklyReturns };
}

/** A series over bars `from..to-1` sharing the arrays' memory. */
export function viewOf(s: BarSeries, range: BarRange): BarSeries {
  const { from, to } = range;
  return {
    symbol: s.symbol, timeframe: s.timeframe, length: to - from,
    time: s.time.subarray(from, to), open: s.open.subarray(from, to), high: s.high.subarray(from, to),
    low: s.low.subarray(from, to), close: s.close.subarray(from, to), volume: s.volume.subarray(from, to),
  };
}
