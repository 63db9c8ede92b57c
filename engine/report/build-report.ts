import type { BacktestReport, SymbolReport, TesterStatsData } from '../../protocol/index.ts';
import { round2, round4 } from '../util/rounding.ts';
import { testerStats, type ReportTrade, type TesterStats } from './tester-stats.ts';

const CURVE_POINTS = 600;
const SYMBOL_POINTS = 400;
const SCATTER_TRADES = 2_000;

/**
 * The report of a run from its trades (exit order), its equity samples (the drawdowns) and each
 * day's last equity (the curve): the Strategy Tester's
 * statistics, the balance/equity curve, entries and profit by hour, weekday and month,
 * MFE/MAE against profit, and each symbol's share.
 */
export function buildReport(initialDeposit: number, trades: readonly ReportTrade[], equity: readonly (readonly [number, number])[],
  daily: readonly (readonly [number, number])[], params?: Record<string, unknown>): BacktestReport {
  const stats = testerStats(initialDeposit, trades, equity);
  const hour = buckets(24), weekday = buckets(7), month = buckets(12);
  for (const t of trades) {
    const d = new Date(t.entryTime);
    add(hour, d.getUTCHours(), t.pnl);
    add(weekday, d.getUTCDay(), t.pnl);
    add(month, d.getUTCMonth(), t.pnl);
  }
  const count = Math.min(trades.length, SCATTER_TRADES);
  const mfeMae: Array<[number, number, number]> = [];
  for (let j = 0; j < count; j++) {
    const t = trades[Math.floor((j * trades.length) / count)];
    mfeMae.push([round2(t.mfe), round2(t.mae), round2(t.pnl)]);
  }
  const report: BacktestReport = {
    stats: wireStats(stats),
    curve: curve(initialDeposit, trades, daily),
    by_hour: rounded(hour), by_weekday: rounded(weekday), by_month: rounded(month),
    mfe_mae: mfeMae,
    per_symbol: perSymbol(trades),
  };
  if (params) report.params = params;
  return report;
}

function buckets(n: number) {
  return { entries: new Array<number>(n).fill(0), profit: new Array<number>(n).fill(0) };
}

function add(b: { entries: number[]; profit: number[] }, k: number, pnl: number): void {
  b.entries[k]++;
  b.profit[k] += pnl;
}

function rounded(b: { entries: number[]; profit: number[] }) {
  return { entries: b.entries, profit: b.profit.map(round2) };
}

/** Each day's closing balance and equity, thinned to buckets keeping each one's lowest equity and its last point. */
function curve(initial: number, trades: readonly ReportTrade[], equity: readonly (readonly [number, number])[]): Array<[number, number, number]> {
  const points: Array<[number, number, number]> = [];
  let balance = initial;
  let k = 0;
  for (const [time, e] of equity) {
    // `time` is a day's start; the balance is the day's closing one.
    while (k < trades.length && trades[k].exitTime < time + 86_400_000) balance += trades[k++].pnl;
    points.push([Math.floor(time / 1000), round2(balance), round2(e)]);
  }
  if (points.length <= CURVE_POINTS) return points;
  const size = Math.ceil(points.length / (CURVE_POINTS / 2));
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < points.length; i += size) {
    const end = Math.min(points.length, i + size);
    let low = i;
    for (let j = i; j < end; j++) if (points[j][2] < points[low][2]) low = j;
    out.push(points[low]);
    if (end - 1 !== low) out.push(points[end - 1]);
  }
  return out;
}

function perSymbol(trades: readonly ReportTrade[]): Record<string, SymbolReport> {
  const by = new Map<string, ReportTrade[]>();
  for (const t of trades) {
    const list = by.get(t.symbol) ?? [];
    list.push(t);
    by.set(t.symbol, list);
  }
  const out: Record<string, SymbolReport> = {};
  for (const symbol of [...by.keys()].sort()) {
    const list = by.get(symbol)!;
    let gp = 0, gl = 0, wins = 0, longs = 0, net = 0;
    const curve: Array<[number, number]> = [];
    const step = Math.max(1, Math.ceil(list.length / SYMBOL_POINTS));
    list.forEach((t, i) => {
      if (t.pnl > 0) { gp += t.pnl; wins++; } else gl += t.pnl;
      if (t.direction === 1) longs++;
      net += t.pnl;
      if (i % step === step - 1 || i === list.length - 1) curve.push([Math.floor(t.exitTime / 1000), round2(net)]);
    });
    out[symbol] = {
      trades: list.length, net_profit: round2(gp + gl), gross_profit: round2(gp), gross_loss: round2(gl),
      profit_factor: gl < 0 ? round4(gp / -gl) : null, win_pct: list.length ? round2((100 * wins) / list.length) : null,
      long_trades: longs, short_trades: list.length - longs, curve,
    };
  }
  return out;
}

const r2 = (v: number | null) => (v === null ? null : round2(v));
const r4 = (v: number | null) => (v === null ? null : round4(v));

/** Money to cents, percents to 2 decimals, ratios to 4. */
export function wireStats(s: TesterStats): TesterStatsData {
  return {
    initial_deposit: round2(s.initialDeposit), net_profit: round2(s.netProfit), gross_profit: round2(s.grossProfit), gross_loss: round2(s.grossLoss),
    profit_factor: r4(s.profitFactor), expected_payoff: round2(s.expectedPayoff), recovery_factor: r4(s.recoveryFactor), sharpe_ratio: r4(s.sharpeRatio),
    ahpr: r4(s.ahpr), ghpr: r4(s.ghpr), lr_correlation: r4(s.lrCorrelation), lr_standard_error: r2(s.lrStandardError),
    balance_drawdown_absolute: round2(s.balanceDrawdown.absolute), balance_drawdown_maximal: round2(s.balanceDrawdown.maximal),
    balance_drawdown_maximal_pct: round2(s.balanceDrawdown.maximalPercent), balance_drawdown_relative_pct: round2(s.balanceDrawdown.relativePercent),
    balance_drawdown_relative: round2(s.balanceDrawdown.relative),
    equity_drawdown_absolute: round2(s.equityDrawdown.absolute), equity_drawdown_maximal: round2(s.equityDrawdown.maximal),
    equity_drawdown_maximal_pct: round2(s.equityDrawdown.maximalPercent), equity_drawdown_relative_pct: round2(s.equityDrawdown.relativePercent),
    equity_drawdown_relative: round2(s.equityDrawdown.relative),
    total_trades: s.totalTrades, short_trades: s.shortTrades, short_won_pct: r2(s.shortWonPercent), long_trades: s.longTrades, long_won_pct: r2(s.longWonPercent),
    profit_trades: s.profitTrades, loss_trades: s.lossTrades, largest_profit: round2(s.largestProfit), largest_loss: round2(s.largestLoss),
    average_profit: round2(s.averageProfit), average_loss: round2(s.averageLoss),
    max_consecutive_wins: s.maxConsecutiveWins, max_consecutive_wins_money: round2(s.maxConsecutiveWinsMoney),
    max_consecutive_losses: s.maxConsecutiveLosses, max_consecutive_losses_money: round2(s.maxConsecutiveLossesMoney),
    maximal_consecutive_profit: round2(s.maximalConsecutiveProfit), maximal_consecutive_profit_count: s.maximalConsecutiveProfitCount,
    maximal_consecutive_loss: round2(s.maximalConsecutiveLoss), maximal_consecutive_loss_count: s.maximalConsecutiveLossCount,
    average_consecutive_wins: round2(s.averageConsecutiveWins), average_consecutive_losses: round2(s.averageConsecutiveLosses),
    average_holding_seconds: Math.round(s.averageHoldingMs / 1000), average_mfe: round2(s.averageMfe), average_mae: round2(s.averageMae),
  };
}
