import type { TradeTable } from './trade-table.ts';
import { HALF_CENT, RETURN_NOISE } from './noise-floor.ts';

/** A closed trade as the report needs it (times UTC ms, money in account currency). */
export interface ReportTrade {
  readonly symbol: string;
  /** 1 long, -1 short. */
  readonly direction: 1 | -1;
  readonly entryTime: number;
  readonly exitTime: number;
  /** Net of commission and swap. */
  readonly pnl: number;
  /** Maximum favourable excursion: the best floating profit while open (>= 0). */
  readonly mfe: number;
  /** Maximum adverse excursion: the worst floating loss while open (<= 0). */
  readonly mae: number;
}

/** A drawdown as MT5 reports it: money, and percent of the peak it fell from. */
export interface Drawdown {
  /** Initial deposit minus the lowest value below it (0 if never below). */
  readonly absolute: number;
  /** The largest fall in money, with that fall as a percent of its peak. */
  readonly maximal: number;
  readonly maximalPercent: number;
  /** The largest fall as a percent of its peak, with that fall in money. */
  readonly relativePercent: number;
  readonly relative: number;
}

/** The Strategy Tester's statistics (see `testerStats` for each definition). */
export interface TesterStats {
  readonly initialDeposit: number;
  readonly netProfit: number;
  readonly grossProfit: number;
  /** Negative or 0, as MT5 shows it. */
  readonly grossLoss: number;
  readonly profitFactor: number | null;
  readonly expectedPayoff: number;
  readonly recoveryFactor: number | null;
  readonly sharpeRatio: number | null;
  readonly ahpr: number | null;
  readonly ghpr: number | null;
  readonly lrCorrelation: number | null;
  readonly lrStandardError: number | null;
  readonly balanceDrawdown: Drawdown;
  readonly equityDrawdown: Drawdown;
  readonly totalTrades: number;
  readonly shortTrades: number;
  readonly shortWonPercent: number | null;
  readonly longTrades: number;
  readonly longWonPercent: number | null;
  readonly profitTrades: number;
  readonly lossTrades: number;
  readonly largestProfit: number;
  readonly largestLoss: number;
  readonly averageProfit: number;
  readonly averageLoss: number;
  /** The longest run of winning trades, and the money it made. */
  readonly maxConsecutiveWins: number;
  readonly maxConsecutiveWinsMoney: number;
  readonly maxConsecutiveLosses: number;
  readonly maxConsecutiveLossesMoney: number;
  /** The run of winning trades that made the most money, and its length. */
  readonly maximalConsecutiveProfit: number;
  readonly maximalConsecutiveProfitCount: number;
  readonly maximalConsecutiveLoss: number;
  readonly maximalConsecutiveLossCount: number;
  readonly averageConsecutiveWins: number;
  readonly averageConsecutiveLosses: number;
  /** Mean time from entry to exit, ms. */
  readonly averageHoldingMs: number;
  readonly averageMfe: number;
  readonly averageMae: number;
}

/**
 * The Strategy Tester's statistics from the closed trades (in exit order) and the equity
 * samples, with MT5's definitions:
 * - net profit = gross profit + gross loss; profit factor = gross profit / |gross loss|;
 *   expected payoff = net profit / trades; recovery factor = net profit / maximal equity drawdown.
 * - HPR_i = balance after trade i / balance before it; AHPR = mean(HPR); GHPR =
 *   (final balance / initial deposit)^(1/N); Sharpe = (AHPR - 1) / stdev(HPR) (sample, n - 1;
 *   risk-free rate 0).
 * - LR correlation: Pearson correlation of the balance after each trade with the trade's number
 *   (that of the balance curve with its linear regression); LR standard error: sqrt(sum of
 *   squared residuals from that line / (N - 2)).
 * - balance drawdowns on the balance after each trade, equity drawdowns on the equity samples
 *   (or their drawdowns already tracked as the run went: the metrics'), both starting from the
 *   initial deposit; see `Drawdown`.
 * - a trade with pnl 0 is neither a win nor a loss and ends both kinds of run.
 * Ratios without a denominator are null, and so are those whose denominator is float noise: a
 * gross loss or drawdown under half a cent, an HPR deviation under `RETURN_NOISE`, balances that
 * spread by under half a cent (LR correlation); an LR standard error under half a cent is 0.
 */
export function testerStats(initialDeposit: number, trades: TradeTable, equity: readonly (readonly [number, number])[] | Drawdown): TesterStats {
  let grossProfit = 0, grossLoss = 0, profitTrades = 0, lossTrades = 0, largestProfit = 0, largestLoss = 0;
  let longs = 0, longWins = 0, shorts = 0, shortWins = 0, holding = 0, mfe = 0, mae = 0;
  const runs = { win: new Run(), loss: new Run() };
  // The sums of HPR and of the balances, added in trade order as each trade is read: the means
  // the second pass (spread) needs. No column of either is kept: the later passes form each
  // balance (and HPR) again by the same additions, which gives the same doubles.
  let hprSum = 0, balanceSum = 0;
  let balance = initialDeposit;
  const balanceDd = new DrawdownTracker(initialDeposit);
  // The columns in locals: read once per trade, not through the table each time.
  const pnls = trades.pnl, directions = trades.direction, exits = trades.exitTime, entries = trades.entryTime, mfes = trades.mfe, maes = trades.mae;
  const n = trades.length;
  for (let i = 0; i < n; i++) {
    const pnl = pnls[i];
    const before = balance;
    balance += pnl;
    hprSum += before !== 0 ? balance / before : 1;
    balanceSum += balance;
    balanceDd.add(balance);
    if (pnl > 0) {
      grossProfit += pnl; profitTrades++; if (pnl > largestProfit) largestProfit = pnl;
    } else if (pnl < 0) {
      grossLoss += pnl; lossTrades++; if (pnl < largestLoss) largestLoss = pnl;
    }
    runs.win.add(pnl > 0, pnl);
    runs.loss.add(pnl < 0, pnl);
    if (directions[i] === 1) { longs++; if (pnl > 0) longWins++; } else { shorts++; if (pnl > 0) shortWins++; }
    holding += exits[i] - entries[i];
    mfe += mfes[i];
    mae += maes[i];
  }
  runs.win.end();
  runs.loss.end();
  let eq: Drawdown;
  if (Array.isArray(equity)) {
    const equityDd = new DrawdownTracker(initialDeposit);
    for (const [, e] of equity) equityDd.add(e);
    eq = equityDd.result();
  } else eq = equity as Drawdown;
  const netProfit = grossProfit + grossLoss;
  const ahpr = n > 0 ? hprSum / n : null;
  const spread = ahpr !== null ? spreads(initialDeposit, pnls, n, ahpr, balanceSum / n) : null;
  const hprSd = n > 1 && spread ? Math.sqrt(spread.hprSs / (n - 1)) : 0;
  const lr = regression(initialDeposit, pnls, n, spread);
  return {
    initialDeposit, netProfit, grossProfit, grossLoss,
    profitFactor: grossLoss <= -HALF_CENT ? grossProfit / -grossLoss : null,
    expectedPayoff: n > 0 ? netProfit / n : 0,
    recoveryFactor: eq.maximal >= HALF_CENT ? netProfit / eq.maximal : null,
    sharpeRatio: ahpr !== null && hprSd > RETURN_NOISE ? (ahpr - 1) / hprSd : null,
    ahpr,
    ghpr: n > 0 && balance > 0 ? (balance / initialDeposit) ** (1 / n) : null,
    lrCorrelation: lr.correlation,
    lrStandardError: lr.standardError,
    balanceDrawdown: balanceDd.result(),
    equityDrawdown: eq,
    totalTrades: n,
    shortTrades: shorts, shortWonPercent: shorts > 0 ? (100 * shortWins) / shorts : null,
    longTrades: longs, longWonPercent: longs > 0 ? (100 * longWins) / longs : null,
    profitTrades, lossTrades, largestProfit, largestLoss,
    averageProfit: profitTrades > 0 ? grossProfit / profitTrades : 0,
    averageLoss: lossTrades > 0 ? grossLoss / lossTrades : 0,
    maxConsecutiveWins: runs.win.longest, maxConsecutiveWinsMoney: runs.win.longestMoney,
    maxConsecutiveLosses: runs.loss.longest, maxConsecutiveLossesMoney: runs.loss.longestMoney,
    maximalConsecutiveProfit: runs.win.richestMoney, maximalConsecutiveProfitCount: runs.win.richest,
    maximalConsecutiveLoss: runs.loss.richestMoney, maximalConsecutiveLossCount: runs.loss.richest,
    averageConsecutiveWins: runs.win.average, averageConsecutiveLosses: runs.loss.average,
    averageHoldingMs: n > 0 ? holding / n : 0,
    averageMfe: n > 0 ? mfe / n : 0,
    averageMae: n > 0 ? mae / n : 0,
  };
}

/** Runs of consecutive wins (or losses): the longest, the one with the most money, the mean length. */
class Run {
  private count = 0;
  private money = 0;
  longest = 0;
  longestMoney = 0;
  richest = 0;
  richestMoney = 0;
  private runs = 0;
  private total = 0;

  add(inRun: boolean, pnl: number): void {
    if (inRun) {
      this.count++;
      this.money += pnl;
    } else this.end();
  }

  end(): void {
    if (this.count === 0) return;
    if (this.count > this.longest) { this.longest = this.count; this.longestMoney = this.money; }
    if (Math.abs(this.money) > Math.abs(this.richestMoney)) { this.richestMoney = this.money; this.richest = this.count; }
    this.runs++;
    this.total += this.count;
    this.count = 0;
    this.money = 0;
  }

  get average(): number {
    return this.runs > 0 ? this.total / this.runs : 0;
  }
}

/** Absolute, maximal and relative drawdown of a series of balances or equities, one value at a time. */
class DrawdownTracker {
  private peak: number;
  private min: number;
  private maximal = 0;
  private maximalPercent = 0;
  private relative = 0;
  private relativePercent = 0;

  constructor(private readonly initial: number) {
    this.peak = initial;
    this.min = initial;
  }

  add(value: number): void {
    if (value > this.peak) this.peak = value;
    if (value < this.min) this.min = value;
    const fall = this.peak - value;
    const percent = this.peak > 0 ? (100 * fall) / this.peak : 0;
    if (fall > this.maximal) { this.maximal = fall; this.maximalPercent = percent; }
    if (percent > this.relativePercent) { this.relativePercent = percent; this.relative = fall; }
  }

  result(): Drawdown {
    return {
      absolute: Math.max(0, this.initial - this.min),
      maximal: this.maximal, maximalPercent: this.maximalPercent,
      relativePercent: this.relativePercent, relative: this.relative,
    };
  }
}

/** The sums of squares around the means: of the HPRs (their variance) and of the balances against the trade number (their regression). */
interface Spreads {
  readonly hprSs: number;
  /** The balances' mean and the regression's sums. */
  readonly my: number;
  readonly sxx: number;
  readonly sxy: number;
  readonly syy: number;
}

/**
 * One pass over the trades after the means are known: each trade's balance and HPR formed again
 * (the same additions and division as the first pass, so the same doubles) and their squared
 * deviations summed in trade order. Balances are the regression's y against x = 1..N.
 */
function spreads(initial: number, pnls: Float64Array, n: number, ahpr: number, my: number): Spreads {
  const mx = (n + 1) / 2;
  let hprSs = 0, sxx = 0, sxy = 0, syy = 0;
  let balance = initial;
  for (let i = 0; i < n; i++) {
    const before = balance;
    balance += pnls[i];
    hprSs += ((before !== 0 ? balance / before : 1) - ahpr) ** 2;
    const dx = i + 1 - mx;
    const dy = balance - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  return { hprSs, my, sxx, sxy, syy };
}

/** Least squares of the balances against 1..N from their spreads: the correlation and the residuals' standard error (a last pass over the balances). */
function regression(initial: number, pnls: Float64Array, n: number, s: Spreads | null): { correlation: number | null; standardError: number | null } {
  if (n < 2 || !s) return { correlation: null, standardError: null };
  const mx = (n + 1) / 2;
  const { my, sxx, sxy, syy } = s;
  const slope = sxy / sxx;
  let sse = 0;
  let y = initial;
  for (let i = 0; i < n; i++) {
    y += pnls[i];
    sse += (y - (my + slope * (i + 1 - mx))) ** 2;
  }
  // Balances whose root-mean-square spread is under half a cent did not move: their correlation
  // with anything is noise over noise. An error under half a cent is a line the balances lie on.
  const standardError = n > 2 ? Math.sqrt(sse / (n - 2)) : null;
  return {
    correlation: syy >= n * HALF_CENT * HALF_CENT ? sxy / Math.sqrt(sxx * syy) : null,
    standardError: standardError !== null && standardError < HALF_CENT ? 0 : standardError,
  };
}
