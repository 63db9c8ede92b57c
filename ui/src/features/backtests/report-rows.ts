import type { BacktestReport } from '../../core/state.ts';
import { accountRows, testerStatRows, type SymbolReport, type TesterStatRow } from '../../../../protocol/index.ts';

export interface ReportRow {
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

const LABELS: Record<string, string> = {
  final_balance: 'Final balance', total_return: 'Total return', total_trades: 'Total trades', max_drawdown: 'Max drawdown',
  win_rate: 'Win rate', profit_factor: 'Profit factor', expectancy: 'Expectancy', sharpe: 'Sharpe', sortino: 'Sortino',
  max_drawdown_pct: 'Max drawdown %', recovery_factor: 'Recovery factor',
  wins: 'Wins', losses: 'Losses', gross_profit: 'Gross profit', gross_loss: 'Gross loss', bars: 'Bars',
};

/** Amounts of money: shown as the Strategy Tester table shows them (13,198.00). */
const MONEY = new Set(['final_balance', 'total_return', 'max_drawdown', 'expectancy', 'gross_profit', 'gross_loss', 'balance']);
/** Counts: whole numbers with thousands separators (1,172). */
const COUNTS = new Set(['total_trades', 'wins', 'losses', 'bars']);

/** A metric as the report shows it: money to the cent with separators, counts whole, ratios to 2 decimals, rates in %. */
export function formatMetric(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (key === 'win_rate' || key === 'max_drawdown_pct') return `${(value * 100).toFixed(2)}%`;
  if (MONEY.has(key)) return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (COUNTS.has(key) && Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toFixed(2);
}

/**
 * Every metric of BACKTEST_COMPLETE (spec fields, then `metrics`, in wire order). While the
 * backtest still streams, the figures so far from its trades and weekly summaries.
 */
export function reportRows(report: BacktestReport): ReportRow[] {
  const c = report.complete;
  if (!c) {
    return [
      { key: 'balance', label: 'Balance so far', value: formatMetric('balance', report.balance) },
      { key: 'total_trades', label: 'Trades so far', value: String(report.trades) },
      { key: 'win_rate', label: 'Win rate so far', value: report.trades ? formatMetric('win_rate', report.wins / report.trades) : '—' },
      { key: 'weeks_total', label: 'Weeks so far', value: String(report.weeks.length) },
    ];
  }
  const rows: ReportRow[] = ['final_balance', 'total_return', 'total_trades', 'max_drawdown'].map((key) => ({
    key, label: LABELS[key], value: formatMetric(key, (c as unknown as Record<string, unknown>)[key]),
  }));
  for (const [key, value] of Object.entries(c.metrics ?? {})) {
    if (key !== 'weeks_within_target' && key !== 'weeks_total') rows.push({ key, label: LABELS[key] ?? key, value: formatMetric(key, value) });
  }
  // One figure for the governor's band (metrics and weekly_stats count the same weeks).
  const band = `${report.start.trade_constraints.min_trades_per_week}–${report.start.trade_constraints.max_trades_per_week}`;
  const within = c.metrics?.weeks_within_target ?? Object.values(c.weekly_stats).filter((w) => w.within_target).length;
  const total = c.metrics?.weeks_total ?? Object.keys(c.weekly_stats).length;
  rows.push({ key: 'weeks_in_band', label: `Weeks with ${band} trades`, value: `${within} / ${total}` });
  return rows;
}

/** The Strategy Tester's results (BACKTEST_COMPLETE `report.stats`), MT5's wording and order; empty while running. */
export function testerRows(report: BacktestReport): TesterStatRow[] {
  const stats = report.complete?.report?.stats;
  return stats ? testerStatRows(stats) : [];
}

/** The account's side of a finished run (loss per losing trade, swap, refused orders), as the CLI summary shows it; empty while running. */
export function accountStatRows(report: BacktestReport): TesterStatRow[] {
  return report.complete ? accountRows(report.complete) : [];
}

/** Each symbol's share of a (portfolio) run, by symbol. */
export function symbolRows(report: BacktestReport): Array<[string, SymbolReport]> {
  return Object.entries(report.complete?.report?.per_symbol ?? {});
}

/** A run's strategy parameters per symbol (BACKTEST_START `params`), as name and value text. */
export function paramRows(params: Readonly<Record<string, unknown>> | undefined): Array<[string, Array<[string, string]>]> {
  return Object.entries(params ?? {}).map(([symbol, config]) => [
    symbol,
    typeof config === 'object' && config !== null && !Array.isArray(config)
      ? Object.entries(config).map(([name, value]): [string, string] => [name, typeof value === 'string' ? value : JSON.stringify(value)])
      : [['', JSON.stringify(config)]],
  ]);
}
