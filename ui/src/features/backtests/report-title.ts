import { runProblemTexts, type BacktestStartData } from '../../../../protocol/index.ts';
import type { BacktestReport } from '../../core/state.ts';

/**
 * A title that tells two runs apart: symbol, timeframe, strategy, range, and the run's own id
 * prefix when nothing else differs ("USDCHF H4 patterns-sr 1999-01-01→1999-12-31 · 3f2a").
 */
export function reportTitle(start: BacktestStartData): string {
  const range = start.from || start.to ? ` ${start.from ?? '…'}→${start.to ?? '…'}` : '';
  return `${start.symbol} ${start.timeframe ?? ''} ${start.strategy ?? ''}${range} · ${start.session_id.slice(0, 4)}`.replace(/\s+/g, ' ');
}

/** Why a finished run has no trades, in a trader's words; null when it traded or is still running. */
export function noTradeExplanation(report: BacktestReport): string | null {
  if (!report.complete || report.complete.total_trades > 0) return null;
  // A run that failed or whose strategy stopped says that instead (`runProblems`): no signal over
  // all its bars would not be true.
  if (report.complete.error || report.complete.faults?.length) return null;
  const reasons = Object.entries(report.refusals).sort((a, b) => b[1] - a[1]);
  const refused = reasons.reduce((n, [, count]) => n + count, 0);
  if (refused === 0) return `No trades: the strategy gave no entry signal over ${report.start.data_points.toLocaleString('en-US')} bars. Try another timeframe or strategy.`;
  const list = reasons.map(([why, count]) => `${count}× ${why}`).join(', ');
  return `No trades: all ${refused} entries were refused (${list}).`;
}

/**
 * What went wrong in a finished run, in a trader's words: a run that failed part way (`error`)
 * and each symbol whose strategy threw and was parked (`faults`). Empty when the run was whole.
 */
export function runProblems(report: BacktestReport): string[] {
  return report.complete ? runProblemTexts(report.complete) : [];
}

/**
 * What the data check said before the run (BACKTEST_COMPLETE `warnings`: bars left out where the
 * symbols' data do not overlap, prices off a symbol spec's scale), as the CLI prints them.
 */
export function runWarnings(report: BacktestReport): readonly string[] {
  return report.complete?.warnings ?? [];
}
