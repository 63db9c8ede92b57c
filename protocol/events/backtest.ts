import * as t from 'io-ts';
import { envelopeOf } from '../envelope.ts';
import { BacktestReportCodec } from './backtest-report.ts';

export const BacktestStartDataCodec = t.intersection([
  t.type({
    session_id: t.string,
    symbol: t.string,
    data_points: t.number,
    starting_balance: t.number,
    trade_constraints: t.type({ min_trades_per_week: t.number, max_trades_per_week: t.number }),
  }),
  t.partial({
    timeframe: t.string, strategy: t.string, from: t.string, to: t.string,
    /** A portfolio run: every symbol (then `symbol` lists them joined by commas), with its timeframe, strategy and parameters. */
    symbols: t.array(t.string),
    timeframes: t.record(t.string, t.string),
    strategies: t.record(t.string, t.string),
    params: t.record(t.string, t.unknown),
    synthetic_symbols: t.array(t.string),
    /** Decimal places of the symbol's prices (its MT5 spec), so a client shows 1.2142, not 1.21. */
    digits: t.number,
    /** `ticks`: stops and targets tested on each tick or sample inside a bar (`--model ticks`); absent: over the bar's range. */
    model: t.literal('ticks'),
  }),
]);
export type BacktestStartData = t.TypeOf<typeof BacktestStartDataCodec>;
export const BacktestStartCodec = envelopeOf('BACKTEST_START', BacktestStartDataCodec);

export const WeeklySummaryDataCodec = t.intersection([
  t.type({
    week: t.number,
    trades: t.number,
    target_range: t.string,
    balance: t.number,
    within_target: t.boolean,
  }),
  t.partial({ week_start: t.string, pnl: t.number, aggression_multiplier: t.number }),
]);
export type WeeklySummaryData = t.TypeOf<typeof WeeklySummaryDataCodec>;
export const WeeklySummaryCodec = envelopeOf('WEEKLY_SUMMARY', WeeklySummaryDataCodec);

/** The metrics traders expect beyond the spec's fields; all optional on the wire. */
export const BacktestMetricsCodec = t.partial({
  win_rate: t.number,
  profit_factor: t.union([t.number, t.null]),
  expectancy: t.number,
  sharpe: t.number,
  sortino: t.number,
  max_drawdown_pct: t.number,
  recovery_factor: t.union([t.number, t.null]),
  weeks_within_target: t.number,
  weeks_total: t.number,
  wins: t.number,
  losses: t.number,
  gross_profit: t.number,
  gross_loss: t.number,
  bars: t.number,
});
export type BacktestMetrics = t.TypeOf<typeof BacktestMetricsCodec>;

/** Losing trades' loss as a percent of the balance each was sized from: what "1 % risk" really cost. */
export const RealizedRiskCodec = t.type({ losing_trades: t.number, median_pct: t.number, p90_pct: t.number, max_pct: t.number });
export type RealizedRisk = t.TypeOf<typeof RealizedRiskCodec>;

/** Entry orders sent and refused; `refused_by_reason` keys are "retcode text" (`"10016 Invalid stops in the request"`). */
export const OrderStatsCodec = t.intersection([
  t.type({ sent: t.number, refused: t.number, refused_by_reason: t.record(t.string, t.number) }),
  t.partial({ first_refusal: t.string }),
]);
export type OrderStats = t.TypeOf<typeof OrderStatsCodec>;

/** BACKTEST_COMPLETE `data`; `max_drawdown` is absolute, in account currency. */
export const BacktestCompleteDataCodec = t.intersection([
  t.type({
    session_id: t.string,
    final_balance: t.number,
    total_return: t.number,
    total_trades: t.number,
    max_drawdown: t.number,
    weekly_stats: t.record(t.string, t.type({ trades: t.number, within_target: t.boolean })),
  }),
  t.partial({
    metrics: BacktestMetricsCodec, symbol: t.string, timeframe: t.string, strategy: t.string,
    /** The Strategy Tester-grade report: statistics, curves, distributions, per symbol. */
    report: BacktestReportCodec,
    symbols: t.array(t.string),
    params: t.record(t.string, t.unknown),
    /** Symbols whose bars were generated (no real data): every view labels them. */
    synthetic_symbols: t.array(t.string),
    from: t.string,
    to: t.string,
    realized_risk: RealizedRiskCodec, orders: OrderStatsCodec,
    /** Swap charged over the run (negative = paid), account currency. */
    swap_total: t.number,
    /** What the data check found before the run (prices that do not fit the symbol spec). */
    warnings: t.array(t.string),
    /** `ticks`: stops and targets were tested on each tick or sample inside a bar (`--model ticks`); absent: over the bar's range. */
    model: t.literal('ticks'),
    /** The run failed (after its ERROR): why; the figures cover the bars before the failure. */
    error: t.string,
    /**
     * Symbols whose strategy threw (each after its ERROR): that symbol traded no more from `time`
     * (the close time of the bar its hook threw on)
     * (its open position was left to its stops and closed at the end), the others ran on.
     */
    faults: t.array(t.type({ symbol: t.string, time: t.string, error: t.string })),
  }),
]);
export type BacktestCompleteData = t.TypeOf<typeof BacktestCompleteDataCodec>;
export const BacktestCompleteCodec = envelopeOf('BACKTEST_COMPLETE', BacktestCompleteDataCodec);
