import { parseTimestamp, type LogEvent } from '../../protocol/index.ts';
import type { BarSeries } from '../model/bar.ts';
import type { TrialMetrics } from '../strategy/strategy.ts';
import type { ParamOverride } from '../strategy/strategy-params.ts';
import { withOverrides, type ResolvedBot } from '../config/resolve-bot.ts';
import { runPortfolio } from '../backtest/portfolio-backtest.ts';
import type { ParamSet } from './param-space.ts';

/**
 * Everything a trial needs besides its parameters, resolved once per optimisation (data
 * loaded, plugins found, the bot config resolved), so a trial pays for the backtest only.
 */
/** A trial's weekly returns: numbers as the trial made them, or a view of the doubles another thread sent (no copy). */
export type WeeklyReturns = readonly number[] | Float64Array;

export interface TrialInputs {
  /** The bot as configured, before the trial's parameters. */
  readonly bot: ResolvedBot;
  /** Every symbol's bars. */
  readonly series: ReadonlyMap<string, BarSeries>;
  /** The bars bar ranges (walk-forward windows) index: the symbol whose data end first (`referenceOf`). */
  readonly reference: BarSeries;
  readonly balance: number;
}

/**
 * The series walk-forward ranges index: the symbol whose data end first (the first configured
 * on a tie), so a range running to its last bar stops every symbol at the end of the span they
 * all cover. Coordinator and workers pick the same one from the same config and bars.
 *
 * @example
 * const reference = referenceOf(bot, series);
 */
export function referenceOf(bot: ResolvedBot, series: ReadonlyMap<string, BarSeries>): BarSeries {
  const lastOf = (x: BarSeries) => (x.length > 0 ? x.time[x.length - 1] : -Infinity);
  let best: BarSeries | null = null;
  for (const s of bot.symbols) {
    const x = series.get(s.symbol);
    if (x && (!best || lastOf(x) < lastOf(best))) best = x;
  }
  return best ?? series.get(bot.symbols[0].symbol)!;
}

/**
 * Bars `from..to-1` of the reference series (walk-forward windows); the other symbols run their
 * bars opening in the same time span (up to the reference's last bar). The whole series when absent.
 */
export interface BarRange {
  readonly from: number;
  readonly to: number;
}

export interface TrialOutcome {
  readonly metrics: TrialMetrics;
  /** Return of each trading week (equity at the week's close over the previous close), for PBO and DSR. */
  /** Each week's return; a view into the message it came in when it came from another thread. */
  readonly weeklyReturns: WeeklyReturns;
}

/** A trial's trades and equity, for walk-forward's stitched out-of-sample report. */
export interface TrialTrace {
  readonly exits: { time: number; pnl: number }[];
  readonly equity: { time: number; equity: number }[];
  /** Each WEEKLY_SUMMARY; `start` (the week's first moment) tells a week two segments share. */
  readonly weeks: { start?: string; trades: number; withinTarget: boolean }[];
}

/**
 * One trial: the bot config with `params` applied as `--set` overrides (`fast` for every symbol
 * whose strategy has it, `EURUSD.fast` for one), run as one portfolio backtest on the range.
 * The range is a view of the shared arrays (`subarray`), never a copy, and no strategy can see a
 * bar outside it. No recording, no report, no progress: only the numbers an optimiser reads.
 *
 * @example
 * runTrial(inputs, { fast: 12, slow: 40 }).metrics.netProfit;
 */
export function runTrial(inputs: TrialInputs, params: ParamSet, range?: BarRange, trace?: TrialTrace, balance?: number): TrialOutcome {
  const bot = withOverrides(inputs.bot, overridesOf(params));
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
      trace.weeks.push({ start: event.data.week_start, trades: event.data.trades, withinTarget: event.data.within_target });
    }
  };
  const bounds = range ? timeBounds(inputs.reference, range) : null;
  const result = runPortfolio({
    symbols: bot.symbols.map((s) => {
      const full = inputs.series.get(s.symbol)!;
      return { spec: s.spec, series: bounds ? viewOf(full, indexRange(full, bounds)) : full, strategy: s.strategy, strategyConfig: s.params };
    }),
    balance: start, riskPercent: bot.riskPercent, governor: bot.governor, broker: bot.broker,
    sessionId: 'optimisation-trial', progressEvery: 1 << 30, onEvent, report: false, quiet: true,
  });
  const m = result.metrics;
  const c = result.complete;
  // A strategy that threw parked its symbol part way: the figures are not this combination's.
  if (c.faults?.length) throw new TrialFaultError(params, c.faults[0]);
  const metrics: TrialMetrics = {
    netProfit: c.total_return, grossProfit: m.gross_profit ?? 0, grossLoss: m.gross_loss ?? 0,
    profitFactor: m.profit_factor ?? null, expectedPayoff: m.expectancy ?? 0, sharpe: m.sharpe ?? 0, sortino: m.sortino ?? 0,
    recoveryFactor: m.recovery_factor ?? null, maxDrawdown: c.max_drawdown, maxDrawdownPct: m.max_drawdown_pct ?? 0,
    trades: c.total_trades, winRate: m.win_rate ?? 0, weeksWithinTarget: m.weeks_within_target ?? 0, weeksTotal: m.weeks_total ?? 0,
    finalBalance: c.final_balance,
    ordersSent: c.orders?.sent ?? 0, ordersRefused: c.orders?.refused ?? 0, mainRefusal: mainRetcode(c.orders?.refused_by_reason),
  };
  return { metrics, weeklyReturns };
}

/** The retcode of the first (most frequent) refusal reason, `"10019 There is not enough money..."` -> 10019. */
function mainRetcode(byReason: Readonly<Record<string, number>> | undefined): number | null {
  const first = byReason ? Object.keys(byReason)[0] : undefined;
  const code = first ? Number.parseInt(first, 10) : NaN;
  return Number.isFinite(code) ? code : null;
}

/** A trial whose strategy threw: the search stops and names the combination, rather than rank figures that cover part of a run. */
export class TrialFaultError extends Error {
  constructor(readonly params: ParamSet, readonly fault: { readonly symbol: string; readonly time: string; readonly error: string }) {
    super(`trial ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')}: ${fault.error} (at ${fault.time}); its figures would cover only part of the run, so the search stopped`);
    this.name = 'TrialFaultError';
  }
}

/** A combination as `--set` overrides: `SYM.name` names one symbol, a bare name every symbol whose strategy has it. */
export function overridesOf(params: ParamSet): ParamOverride[] {
  return Object.entries(params).map(([key, value]) => {
    const dot = key.lastIndexOf('.');
    return { symbol: dot > 0 ? key.slice(0, dot) : null, name: dot > 0 ? key.slice(dot + 1) : key, value, text: `${key}=${value}` };
  });
}

/** The reference bars' range as open times: [from, to), `to` just after the reference's last bar when the range runs to it. */
function timeBounds(reference: BarSeries, range: BarRange): { from: number; to: number } {
  return { from: reference.time[range.from] ?? Infinity, to: range.to < reference.length ? reference.time[range.to] : reference.time[reference.length - 1] + 1 };
}

/** Another symbol's bars opening within the bounds (the reference's own range maps to itself). */
function indexRange(s: BarSeries, bounds: { from: number; to: number }): BarRange {
  return { from: firstAtOrAfter(s, bounds.from), to: firstAtOrAfter(s, bounds.to) };
}

function firstAtOrAfter(s: BarSeries, t: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A series over bars `from..to-1` sharing the arrays' memory (bid bars keep their spreads). */
export function viewOf(s: BarSeries, range: BarRange): BarSeries {
  const { from, to } = range;
  return {
    symbol: s.symbol, timeframe: s.timeframe, length: to - from,
    time: s.time.subarray(from, to), open: s.open.subarray(from, to), high: s.high.subarray(from, to),
    low: s.low.subarray(from, to), close: s.close.subarray(from, to), volume: s.volume.subarray(from, to),
    prices: s.prices ?? 'mid', spread: s.spread ? s.spread.subarray(from, to) : null,
    ticks: s.ticks ? { ...s.ticks, first: s.ticks.first.subarray(from, to + 1) } : null,
  };
}
