import type { BacktestMetrics as WireMetrics } from '../../protocol/index.ts';
import type { DailyEquity } from './build-report.ts';
import { round2, round4 } from '../util/rounding.ts';
import { widened } from '../util/typed-arrays.ts';
import { HALF_CENT, RETURN_NOISE } from './noise-floor.ts';

/** A closed trade as the metrics need it: net PnL in account currency and the exit time (UTC ms). */
export interface ClosedTrade {
  readonly pnl: number;
  readonly exitTime: number;
}

/** One equity sample (UTC ms, account currency), taken per closed bar or per day. */
export interface EquitySample {
  readonly time: number;
  readonly equity: number;
}

/** One trading week's count against the governor's target. */
export interface WeekCount {
  readonly trades: number;
  readonly withinTarget: boolean;
}

export interface PerformanceMetrics {
  readonly totalTrades: number;
  /** Trades with pnl > 0; pnl = 0 counts as neither a win nor a loss. */
  readonly wins: number;
  /** Trades with pnl < 0. */
  readonly losses: number;
  /** wins / totalTrades, 0..1 (0 without trades). */
  readonly winRate: number;
  /** Sum of winning PnL. */
  readonly grossProfit: number;
  /** Sum of losing PnL as a positive amount (MT5 shows it negative). */
  readonly grossLoss: number;
  /** grossProfit / grossLoss; null when there is no loss to divide by (under half a cent: see `HALF_CENT`). */
  readonly profitFactor: number | null;
  /** Sum of all trade PnL. */
  readonly netProfit: number;
  /** Mean PnL per trade (0 without trades). */
  readonly expectancy: number;
  readonly largestWin: number;
  /** Most negative trade PnL (0 without losses). */
  readonly largestLoss: number;
  /** Annualised Sharpe ratio of daily equity returns; see `MetricsAccumulator` for the convention. */
  readonly sharpe: number;
  /** Annualised Sortino ratio of daily equity returns; see `MetricsAccumulator`. */
  readonly sortino: number;
  /** Largest peak-to-trough fall of equity, account currency (the starting balance is the first peak). */
  readonly maxDrawdown: number;
  /** Largest fall as a fraction of the peak it fell from, 0..1 (may come from a different fall than `maxDrawdown`). */
  readonly maxDrawdownFraction: number;
  /** netProfit / maxDrawdown; null when equity never fell by half a cent (a smaller fall is float noise). */
  readonly recoveryFactor: number | null;
  readonly weeksWithinTarget: number;
  readonly weeksTotal: number;
  /** Daily returns behind Sharpe and Sortino (UTC days with at least one equity sample). */
  readonly days: number;
}

const DAY_MS = 86_400_000;
/** Trading days per year used to annualise daily ratios. */
export const TRADING_DAYS_PER_YEAR = 252;

/**
 * Streaming backtest metrics: O(1) memory however many bars or trades go in, so a million-bar
 * run keeps no samples; only each day's closing equity is kept (16 bytes a day, the report's curve).
 *
 * Sharpe and Sortino convention: daily returns r_d = E_d / E_{d-1} - 1, where E_d is the last
 * equity sample of UTC day d and E_{-1} the starting balance; days without samples (weekends)
 * are skipped, not counted as zero returns. Risk-free rate 0.
 * Sharpe = mean(r) / stdev(r) × sqrt(252), with the sample standard deviation (n - 1).
 * Sortino = mean(r) / DD × sqrt(252), DD = sqrt(sum(min(r, 0)²) / n) (target return 0).
 * Both are 0 when undefined: fewer than two days, or a zero denominator (a flat curve, or no
 * losing day for Sortino); a deviation under `RETURN_NOISE` is float noise and counts as zero.
 * Drawdowns are measured on every equity sample, not just the daily closes.
 *
 * @example
 * const m = new MetricsAccumulator(10_000);
 * m.addEquity(Date.UTC(2024, 0, 1, 23), 10_100);
 * m.addTrade({ pnl: 100, exitTime: Date.UTC(2024, 0, 1, 12) });
 * m.addWeek({ trades: 4, withinTarget: true });
 * m.result().profitFactor; // null (no losing trade yet)
 */
export class MetricsAccumulator {
  private trades = 0;
  private wins = 0;
  private losses = 0;
  private grossProfit = 0;
  private grossLoss = 0;
  private netProfit = 0;
  private largestWin = 0;
  private largestLoss = 0;
  private peak: number;
  private maxDrawdown = 0;
  private maxDrawdownFraction = 0;
  private lastTime = -Infinity;
  private day = NaN;
  private dayClose = NaN;
  private previousClose: number;
  // Welford running mean/variance of daily returns, plus the downside sum for Sortino.
  private days = 0;
  private mean = 0;
  private m2 = 0;
  private downside2 = 0;
  private weeks = 0;
  private weeksWithin = 0;
  private minEquity: number;
  private fractionAtMaxDrawdown = 0;
  private drawdownAtMaxFraction = 0;
  /** Each closed day's start and last equity (the report's curve): 16 bytes a day. */
  private readonly days_ = new DayCloses();

  constructor(readonly startingBalance: number) {
    if (!(startingBalance > 0)) throw new Error(`MetricsAccumulator: starting balance must be positive, got ${startingBalance}`);
    this.peak = startingBalance;
    this.minEquity = startingBalance;
    this.previousClose = startingBalance;
  }

  addTrade(trade: ClosedTrade): void {
    const pnl = trade.pnl;
    this.trades++;
    this.netProfit += pnl;
    if (pnl > 0) {
      this.wins++;
      this.grossProfit += pnl;
      if (pnl > this.largestWin) this.largestWin = pnl;
    } else if (pnl < 0) {
      this.losses++;
      this.grossLoss -= pnl;
      if (pnl < this.largestLoss) this.largestLoss = pnl;
    }
  }

  /** Samples must come in non-decreasing time order. */
  addEquity(time: number, equity: number): void {
    // Kept small (the rare steps are methods of their own): it is inlined into the bar loop.
    if (time < this.lastTime) outOfOrder(time);
    this.lastTime = time;
    if (equity > this.peak) this.peak = equity;
    if (equity < this.minEquity) this.minEquity = equity;
    const drawdown = this.peak - equity;
    const fraction = this.peak > 0 ? drawdown / this.peak : 0;
    if (drawdown > this.maxDrawdown || fraction > this.maxDrawdownFraction) this.deeper(drawdown, fraction);
    const day = Math.floor(time / DAY_MS);
    if (day !== this.day) this.nextDay(day);
    this.dayClose = equity;
  }

  /** A fall deeper than any before, in money or as a fraction of its peak. */
  private deeper(drawdown: number, fraction: number): void {
    if (drawdown > this.maxDrawdown) {
      this.maxDrawdown = drawdown;
      this.fractionAtMaxDrawdown = fraction;
    }
    if (fraction > this.maxDrawdownFraction) {
      this.maxDrawdownFraction = fraction;
      this.drawdownAtMaxFraction = drawdown;
    }
  }

  /** The first sample of a new day: the previous day closes (its return, its curve point). */
  private nextDay(day: number): void {
    if (!Number.isNaN(this.day)) {
      this.closeDay();
      this.days_.push(this.day * DAY_MS, this.dayClose);
    }
    this.day = day;
  }

  /**
   * The Strategy Tester's equity drawdowns over the samples so far: absolute (starting balance
   * - lowest equity, if below it), maximal (the largest fall, and its percent of its peak) and
   * relative (the largest percent fall, and its amount).
   */
  equityDrawdown(): { absolute: number; maximal: number; maximalPercent: number; relative: number; relativePercent: number } {
    return {
      absolute: Math.max(0, this.startingBalance - this.minEquity),
      maximal: this.maxDrawdown, maximalPercent: this.fractionAtMaxDrawdown * 100,
      relative: this.drawdownAtMaxFraction, relativePercent: this.maxDrawdownFraction * 100,
    };
  }

  /**
   * Every day sampled so far, the current one included: its UTC start (ms) and its last equity
   * sample. Views, not copies (the report reads them once, at the end of the run): valid until
   * the next equity sample.
   */
  dailyEquity(): DailyEquity {
    return Number.isNaN(this.day) ? this.days_.view() : this.days_.viewWith(this.day * DAY_MS, this.dayClose);
  }

  /** Trades closed so far. */
  get tradeCount(): number {
    return this.trades;
  }

  /** Winning trades / trades so far (0 before the first). */
  get winRate(): number {
    return this.trades > 0 ? this.wins / this.trades : 0;
  }

  /** Net profit of the trades closed so far. */
  get netProfitSoFar(): number {
    return this.netProfit;
  }

  /** The largest drawdown so far as a fraction of its peak. */
  get drawdownFraction(): number {
    return this.maxDrawdownFraction;
  }

  /** The highest equity sampled so far. */
  get equityPeak(): number {
    return this.peak;
  }

  /**
   * The equity below which a sample would change a drawdown: a new largest fall (absolute or as
   * a fraction) or a new lowest equity (the absolute drawdown).
   */
  get drawdownFloor(): number {
    const peak = this.peak;
    const fall = peak > 0 ? Math.max(peak - this.maxDrawdown, peak - this.maxDrawdownFraction * peak) : peak - this.maxDrawdown;
    return Math.max(fall, this.minEquity);
  }

  addWeek(week: WeekCount): void {
    this.weeks++;
    if (week.withinTarget) this.weeksWithin++;
  }

  private closeDay(): void {
    const r = this.dayClose / this.previousClose - 1;
    this.previousClose = this.dayClose;
    this.days++;
    const delta = r - this.mean;
    this.mean += delta / this.days;
    this.m2 += delta * (r - this.mean);
    if (r < 0) this.downside2 += r * r;
  }

  /** The metrics so far; the current (unfinished) day counts as closed. Can be called repeatedly. */
  result(): PerformanceMetrics {
    let { days, mean, m2, downside2 } = this;
    if (!Number.isNaN(this.day)) {
      const r = this.dayClose / this.previousClose - 1;
      days++;
      const delta = r - mean;
      mean += delta / days;
      m2 += delta * (r - mean);
      if (r < 0) downside2 += r * r;
    }
    const annual = Math.sqrt(TRADING_DAYS_PER_YEAR);
    const std = days > 1 ? Math.sqrt(m2 / (days - 1)) : 0;
    const downside = days > 0 ? Math.sqrt(downside2 / days) : 0;
    return {
      totalTrades: this.trades,
      wins: this.wins,
      losses: this.losses,
      winRate: this.winRate,
      grossProfit: this.grossProfit,
      grossLoss: this.grossLoss,
      profitFactor: this.grossLoss >= HALF_CENT ? this.grossProfit / this.grossLoss : null,
      netProfit: this.netProfit,
      expectancy: this.trades > 0 ? this.netProfit / this.trades : 0,
      largestWin: this.largestWin,
      largestLoss: this.largestLoss,
      sharpe: days > 1 && std > RETURN_NOISE ? (mean / std) * annual : 0,
      sortino: days > 1 && downside > RETURN_NOISE ? (mean / downside) * annual : 0,
      maxDrawdown: this.maxDrawdown,
      maxDrawdownFraction: this.maxDrawdownFraction,
      recoveryFactor: this.maxDrawdown >= HALF_CENT ? this.netProfit / this.maxDrawdown : null,
      weeksWithinTarget: this.weeksWithin,
      weeksTotal: this.weeks,
      days,
    };
  }
}

/** Day starts and closing equities in two growing typed arrays (plain arrays of numbers cost far more to push to here). */
class DayCloses {
  private starts = new Float64Array(256);
  private closes = new Float64Array(256);
  private length = 0;

  push(start: number, close: number): void {
    if (this.length === this.starts.length) this.grow();
    this.starts[this.length] = start;
    this.closes[this.length++] = close;
  }

  /** The days so far (views: copying a long run's days cost 0.1 ms, measured). */
  view(): DailyEquity {
    return this.views(this.length);
  }

  /** The days so far and one more after them (the day still open), without adding it: the next push writes over it. */
  viewWith(start: number, close: number): DailyEquity {
    if (this.length === this.starts.length) this.grow();
    this.starts[this.length] = start;
    this.closes[this.length] = close;
    return this.views(this.length + 1);
  }

  private views(n: number): DailyEquity {
    return { starts: this.starts.subarray(0, n), closes: this.closes.subarray(0, n) };
  }

  private grow(): void {
    this.starts = widened(this.starts, this.starts.length * 2);
    this.closes = widened(this.closes, this.closes.length * 2);
  }
}

function outOfOrder(time: number): never {
  throw new Error(`MetricsAccumulator: equity sample at ${new Date(time).toISOString()} is earlier than the previous one`);
}

/**
 * All metrics at once from complete lists (tests, small runs); the same numbers as feeding a
 * `MetricsAccumulator`. Equity samples must be in time order.
 *
 * @example
 * computeMetrics({ startingBalance: 10_000, trades: [{ pnl: 50, exitTime: t }], equity: [{ time: t, equity: 10_050 }], weeks: [] });
 */
export function computeMetrics(input: {
  readonly startingBalance: number;
  readonly trades: readonly ClosedTrade[];
  readonly equity: readonly EquitySample[];
  readonly weeks: readonly WeekCount[];
}): PerformanceMetrics {
  const m = new MetricsAccumulator(input.startingBalance);
  for (const trade of input.trades) m.addTrade(trade);
  for (const sample of input.equity) m.addEquity(sample.time, sample.equity);
  for (const week of input.weeks) m.addWeek(week);
  return m.result();
}

/**
 * The snake_case shape of the protocol's `metrics` block (BACKTEST_COMPLETE `data.metrics`).
 * `max_drawdown_pct` is the fraction 0..1, like PERFORMANCE's `max_drawdown`.
 */
export function toWireMetrics(m: PerformanceMetrics, bars: number): WireMetrics {
  return {
    win_rate: m.winRate,
    profit_factor: m.profitFactor,
    expectancy: m.expectancy,
    sharpe: m.sharpe,
    sortino: m.sortino,
    max_drawdown_pct: m.maxDrawdownFraction,
    recovery_factor: m.recoveryFactor,
    weeks_within_target: m.weeksWithinTarget,
    weeks_total: m.weeksTotal,
    wins: m.wins,
    losses: m.losses,
    gross_profit: m.grossProfit,
    gross_loss: m.grossLoss,
    bars,
  };
}

/** Money to cents, ratios to 4 decimals: stable, readable output. */
export function roundMetrics(m: WireMetrics): WireMetrics {
  const out: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(m)) {
    out[key] = typeof value !== 'number' ? (value ?? null) : /gross|expectancy/.test(key) ? round2(value) : round4(value);
  }
  return out as WireMetrics;
}
