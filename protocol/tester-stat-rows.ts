import type { TesterStatsData } from './events/backtest-report.ts';
import type { BacktestCompleteData } from './events/backtest.ts';

/** One line of the Strategy Tester table: the MT5 label and the value as text. */
export interface TesterStatRow {
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

const money = (x: number | null) => (x === null ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const num = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));
const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}%`);

/** Seconds as `2d 03:15` (days, hours, minutes). */
export function formatHolding(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `${d > 0 ? `${d}d ` : ''}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/**
 * The Strategy Tester's results table, in MT5's order and wording, shared by the CLI summary,
 * the HTML report and the workbench so all three read the same.
 */
export function testerStatRows(s: TesterStatsData): TesterStatRow[] {
  const share = (n: number) => (s.total_trades > 0 ? ` (${((100 * n) / s.total_trades).toFixed(2)}%)` : '');
  const rows: Array<[string, string, string]> = [
    ['initial_deposit', 'Initial deposit', money(s.initial_deposit)],
    ['net_profit', 'Total net profit', money(s.net_profit)],
    ['gross_profit', 'Gross profit', money(s.gross_profit)],
    ['gross_loss', 'Gross loss', money(s.gross_loss)],
    ['profit_factor', 'Profit factor', num(s.profit_factor)],
    ['expected_payoff', 'Expected payoff', money(s.expected_payoff)],
    ['recovery_factor', 'Recovery factor', num(s.recovery_factor)],
    ['sharpe_ratio', 'Sharpe ratio (per trade)', num(s.sharpe_ratio)],
    ['ahpr', 'AHPR', s.ahpr === null ? '—' : `${s.ahpr.toFixed(4)} (${((s.ahpr - 1) * 100).toFixed(2)}%)`],
    ['ghpr', 'GHPR', s.ghpr === null ? '—' : `${s.ghpr.toFixed(4)} (${((s.ghpr - 1) * 100).toFixed(2)}%)`],
    ['lr_correlation', 'LR correlation', num(s.lr_correlation)],
    ['lr_standard_error', 'LR standard error', money(s.lr_standard_error)],
    ['balance_drawdown_absolute', 'Balance drawdown absolute', money(s.balance_drawdown_absolute)],
    ['balance_drawdown_maximal', 'Balance drawdown maximal', `${money(s.balance_drawdown_maximal)} (${pct(s.balance_drawdown_maximal_pct)})`],
    ['balance_drawdown_relative', 'Balance drawdown relative', `${pct(s.balance_drawdown_relative_pct)} (${money(s.balance_drawdown_relative)})`],
    ['equity_drawdown_absolute', 'Equity drawdown absolute', money(s.equity_drawdown_absolute)],
    ['equity_drawdown_maximal', 'Equity drawdown maximal', `${money(s.equity_drawdown_maximal)} (${pct(s.equity_drawdown_maximal_pct)})`],
    ['equity_drawdown_relative', 'Equity drawdown relative', `${pct(s.equity_drawdown_relative_pct)} (${money(s.equity_drawdown_relative)})`],
    ['total_trades', 'Total trades', String(s.total_trades)],
    ['short_trades', 'Short trades (won %)', `${s.short_trades} (${pct(s.short_won_pct)})`],
    ['long_trades', 'Long trades (won %)', `${s.long_trades} (${pct(s.long_won_pct)})`],
    ['profit_trades', 'Profit trades (% of total)', `${s.profit_trades}${share(s.profit_trades)}`],
    ['loss_trades', 'Loss trades (% of total)', `${s.loss_trades}${share(s.loss_trades)}`],
    ['largest_profit', 'Largest profit trade', money(s.largest_profit)],
    ['largest_loss', 'Largest loss trade', money(s.largest_loss)],
    ['average_profit', 'Average profit trade', money(s.average_profit)],
    ['average_loss', 'Average loss trade', money(s.average_loss)],
    ['max_consecutive_wins', 'Maximum consecutive wins ($)', `${s.max_consecutive_wins} (${money(s.max_consecutive_wins_money)})`],
    ['max_consecutive_losses', 'Maximum consecutive losses ($)', `${s.max_consecutive_losses} (${money(s.max_consecutive_losses_money)})`],
    ['maximal_consecutive_profit', 'Maximal consecutive profit (count)', `${money(s.maximal_consecutive_profit)} (${s.maximal_consecutive_profit_count})`],
    ['maximal_consecutive_loss', 'Maximal consecutive loss (count)', `${money(s.maximal_consecutive_loss)} (${s.maximal_consecutive_loss_count})`],
    ['average_consecutive_wins', 'Average consecutive wins', num(s.average_consecutive_wins)],
    ['average_consecutive_losses', 'Average consecutive losses', num(s.average_consecutive_losses)],
    ['average_holding_seconds', 'Average holding time', formatHolding(s.average_holding_seconds)],
    ['average_mfe', 'Average MFE', money(s.average_mfe)],
    ['average_mae', 'Average MAE', money(s.average_mae)],
  ];
  return rows.map(([key, label, value]) => ({ key, label, value }));
}

/**
 * The account's side of a finished run, in the CLI summary's words and shared with the workbench:
 * the real-ticks model (when the run used it), each losing trade's loss over the balance it was
 * sized from (`realized_risk`), the swap charged (when any) and the entry orders refused, by reason
 * (when any). Rows only for what the run has.
 */
export function accountRows(c: Pick<BacktestCompleteData, 'realized_risk' | 'swap_total' | 'orders' | 'model'>): TesterStatRow[] {
  const rows: TesterStatRow[] = [];
  if (c.model === 'ticks') rows.push({ key: 'model', label: 'Model', value: 'real ticks: stops and targets tested on each tick or sample inside a bar' });
  const risk = c.realized_risk;
  if (risk && risk.losing_trades > 0) {
    rows.push({ key: 'realized_risk', label: 'Loss per losing trade', value: `median ${risk.median_pct.toFixed(2)} %, p90 ${risk.p90_pct.toFixed(2)} %, max ${risk.max_pct.toFixed(2)} % of balance` });
  }
  if (c.swap_total !== undefined && c.swap_total !== 0) rows.push({ key: 'swap_total', label: 'Swap', value: money(c.swap_total) });
  const orders = c.orders;
  if (orders && orders.refused > 0) {
    const why = Object.entries(orders.refused_by_reason).map(([reason, n]) => `${reason}: ${n}`).join(', ');
    rows.push({ key: 'orders_refused', label: 'Orders refused', value: `${orders.refused} of ${orders.sent} (${why})` });
  }
  return rows;
}

/**
 * What went wrong in a finished run, in a trader's words, for every view of it (the workbench's
 * report, the HTML report): a run that failed part way (`error`) and each symbol whose strategy
 * threw and was parked (`faults`). Empty when the run was whole.
 */
export function runProblemTexts(c: Pick<BacktestCompleteData, 'error' | 'faults'>): string[] {
  return [
    ...(c.error ? [`The run failed: ${c.error}. The figures cover the bars before the failure.`] : []),
    ...(c.faults ?? []).map((f) => `${f.symbol} stopped at ${f.time}: ${f.error}. It traded no more after that, so these figures do not cover the whole run.`),
  ];
}
