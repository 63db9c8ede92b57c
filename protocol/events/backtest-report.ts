import * as t from 'io-ts';
import { nullable } from '../envelope.ts';

const num = t.number;
const maybe = nullable(t.number);

/**
 * The Strategy Tester's statistics (BACKTEST_COMPLETE `data.report.stats`): money in account
 * currency to cents, percents 0..100, ratios to 4 decimals; null where a ratio has no
 * denominator. Definitions in `engine/report/tester-stats.ts` and the README.
 */
export const TesterStatsCodec = t.type({
  initial_deposit: num, net_profit: num, gross_profit: num, gross_loss: num,
  profit_factor: maybe, expected_payoff: num, recovery_factor: maybe, sharpe_ratio: maybe,
  ahpr: maybe, ghpr: maybe, lr_correlation: maybe, lr_standard_error: maybe,
  balance_drawdown_absolute: num, balance_drawdown_maximal: num, balance_drawdown_maximal_pct: num,
  balance_drawdown_relative_pct: num, balance_drawdown_relative: num,
  equity_drawdown_absolute: num, equity_drawdown_maximal: num, equity_drawdown_maximal_pct: num,
  equity_drawdown_relative_pct: num, equity_drawdown_relative: num,
  total_trades: num, short_trades: num, short_won_pct: maybe, long_trades: num, long_won_pct: maybe,
  profit_trades: num, loss_trades: num, largest_profit: num, largest_loss: num, average_profit: num, average_loss: num,
  max_consecutive_wins: num, max_consecutive_wins_money: num, max_consecutive_losses: num, max_consecutive_losses_money: num,
  maximal_consecutive_profit: num, maximal_consecutive_profit_count: num, maximal_consecutive_loss: num, maximal_consecutive_loss_count: num,
  average_consecutive_wins: num, average_consecutive_losses: num,
  average_holding_seconds: num, average_mfe: num, average_mae: num,
});
export type TesterStatsData = t.TypeOf<typeof TesterStatsCodec>;

/** Entries and profit per bucket (hour 0-23, weekday 0 = Sunday, month 0 = January), by entry time, UTC. */
export const BucketsCodec = t.type({ entries: t.array(num), profit: t.array(num) });

/** One symbol's share of a (portfolio) run. */
export const SymbolReportCodec = t.type({
  trades: num, net_profit: num, gross_profit: num, gross_loss: num, profit_factor: maybe, win_pct: maybe,
  long_trades: num, short_trades: num,
  /** Cumulative net profit after each of its trades (thinned to at most 400): [exit time s, profit]. */
  curve: t.array(t.tuple([num, num])),
});
export type SymbolReport = t.TypeOf<typeof SymbolReportCodec>;

/** The report of a backtest (BACKTEST_COMPLETE `data.report`, additive). */
export const BacktestReportCodec = t.intersection([
  t.type({
    stats: TesterStatsCodec,
    /** Balance and equity over time, thinned to at most ~600 points keeping each bucket's low: [time s, balance, equity]. */
    curve: t.array(t.tuple([num, num, num])),
    by_hour: BucketsCodec,
    by_weekday: BucketsCodec,
    by_month: BucketsCodec,
    /** Per trade [MFE, MAE, profit] (at most 2,000 trades, evenly chosen when there are more). */
    mfe_mae: t.array(t.tuple([num, num, num])),
    per_symbol: t.record(t.string, SymbolReportCodec),
  }),
  t.partial({ params: t.record(t.string, t.unknown) }),
]);
export type BacktestReport = t.TypeOf<typeof BacktestReportCodec>;
