import { momentsOf } from './overfitting/moments.ts';
import type { TrialMetrics } from '../strategy/strategy.ts';
import type { OptimiseResult, TrialRecord } from './optimizer.ts';
import { runTrial, type BarRange, type TrialInputs, type TrialTrace } from './trial.ts';
import type { WalkForwardWindow } from './walk-forward-windows.ts';
import { DEFAULT_GOVERNOR_CONFIG } from '../governor/governor-config.ts';

const YEAR_MS = 365.25 * 86_400_000;

export interface WalkForwardSegment {
  readonly window: WalkForwardWindow;
  /** The in-sample winner. */
  readonly chosen: TrialRecord;
  readonly inSampleTrials: number;
  /** The chosen parameters on the out-of-sample bars, starting from the balance the previous segment ended with. */
  readonly outOfSample: TrialMetrics;
  readonly startBalance: number;
  /**
   * Walk-forward efficiency: the out-of-sample return per year over the in-sample winner's
   * return per year (Pardo); null when the in-sample return was not positive, or the segment is
   * partial (a month of a six-month segment, annualised, would say little).
   */
  readonly efficiency: number | null;
  /** Open times of the first and last bars each part really holds (the labels). */
  readonly bars: { readonly isFirst: number; readonly isLast: number; readonly oosFirst: number; readonly oosLast: number };
}

/**
 * The stitched out-of-sample run. Its equity is known at each week's close (the segments'
 * PERFORMANCE samples), so its Sharpe ratio is that of weekly returns annualised by sqrt(52)
 * (a week a segment boundary cuts is one return, its two parts compounded),
 * and its drawdown the larger of the weekly-close curve's and the worst segment's own.
 */
export interface StitchedMetrics {
  readonly netProfit: number;
  readonly trades: number;
  readonly winRate: number;
  readonly profitFactor: number | null;
  readonly sharpe: number;
  readonly maxDrawdownPct: number;
  readonly weeksWithinTarget: number;
  readonly weeksTotal: number;
}

export interface WalkForwardResult {
  readonly segments: WalkForwardSegment[];
  /** The out-of-sample segments as one run: metrics and equity curve. */
  readonly stitched: StitchedMetrics;
  readonly equity: { time: number; equity: number }[];
  readonly finalBalance: number;
  /** Out-of-sample return per year over the in-sample winners' mean return per year. */
  readonly efficiency: number | null;
  /** The optimisation stopped (Ctrl-C) before the last window. */
  readonly stopped: boolean;
}

/**
 * Walk-forward optimisation: for each window, optimise on the in-sample bars only, then run
 * the winner on the following out-of-sample bars. The out-of-sample runs see only their own
 * bars (a strategy warms up again at each segment's start rather than reading in-sample bars)
 * and chain their balances, so the stitched curve is what trading the procedure would have
 * given.
 *
 * @example
 * await walkForward(inputs, windows, (range) => optimise({ ...options, range }));
 */
export async function walkForward(inputs: TrialInputs, windows: readonly WalkForwardWindow[], optimiseOn: (range: BarRange) => Promise<OptimiseResult>): Promise<WalkForwardResult> {
  const segments: WalkForwardSegment[] = [];
  const trace: TrialTrace = { exits: [], equity: [], weeks: [] };
  let balance = inputs.balance;
  let stopped = false;
  const weekly: number[] = [];
  for (const window of windows) {
    const result = await optimiseOn(window.inSample);
    if (result.stopped || result.ranked.length === 0) {
      stopped = result.stopped;
      break;
    }
    const chosen = result.ranked[0];
    trace.equity.push({ time: window.oosFrom, equity: balance });
    const weeksBefore = trace.weeks.length;
    const outcome = runTrial(inputs, chosen.params, window.outOfSample, trace, balance);
    const oos = outcome.metrics;
    // A week the segment boundary cuts is one week of the stitched run, as in its weeks: the
    // previous segment's last return (to its end) and this one's first (from its start) compound.
    const returns = Array.from(outcome.weeklyReturns);
    const cut = weeksBefore > 0 && trace.weeks.length > weeksBefore && trace.weeks[weeksBefore].start !== undefined
      && trace.weeks[weeksBefore].start === trace.weeks[weeksBefore - 1].start;
    if (cut && weekly.length > 0 && returns.length > 0) weekly[weekly.length - 1] = (1 + weekly[weekly.length - 1]) * (1 + returns.shift()!) - 1;
    weekly.push(...returns);
    const isYears = span(inputs, window.inSample);
    const oosYears = span(inputs, window.outOfSample);
    const isRate = chosen.metrics.netProfit / inputs.balance / isYears;
    const oosRate = oos.netProfit / balance / oosYears;
    const t = inputs.reference.time;
    const bars = { isFirst: t[window.inSample.from], isLast: t[window.inSample.to - 1], oosFirst: t[window.outOfSample.from], oosLast: t[window.outOfSample.to - 1] };
    segments.push({ window, chosen, inSampleTrials: result.ranked.length, outOfSample: oos, startBalance: balance, efficiency: isRate > 0 && !window.partial ? oosRate / isRate : null, bars });
    balance = oos.finalBalance;
  }
  const band = { min: inputs.bot.governor.minTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.minTradesPerWeek, max: inputs.bot.governor.maxTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.maxTradesPerWeek };
  const stitched = stitch(inputs.balance, trace, weekly, segments, band);
  const years = segments.reduce((s, g) => s + span(inputs, g.window.outOfSample), 0);
  const isMean = segments.reduce((s, g) => s + g.chosen.metrics.netProfit / inputs.balance / span(inputs, g.window.inSample), 0) / (segments.length || 1);
  const oosRate = years > 0 ? (balance / inputs.balance - 1) / years : 0;
  return { segments, stitched, equity: trace.equity, finalBalance: balance, efficiency: isMean > 0 ? oosRate / isMean : null, stopped };
}

/**
 * A week that a segment boundary cuts appears in both segments' summaries: it is one week of the
 * stitched run, its trades added and judged against the band again.
 */
function mergedWeeks(weeks: TrialTrace['weeks'], band: { min: number; max: number }): { trades: number; withinTarget: boolean }[] {
  const out: { start?: string; trades: number; withinTarget: boolean }[] = [];
  for (const w of weeks) {
    const prev = out[out.length - 1];
    if (prev && w.start !== undefined && prev.start === w.start) {
      prev.trades += w.trades;
      prev.withinTarget = prev.trades >= band.min && prev.trades <= band.max;
    } else out.push({ ...w });
  }
  return out;
}

function stitch(start: number, trace: TrialTrace, weekly: number[], segments: readonly WalkForwardSegment[], band: { min: number; max: number }): StitchedMetrics {
  let gross = 0;
  let loss = 0;
  let wins = 0;
  for (const e of trace.exits) {
    if (e.pnl > 0) {
      gross += e.pnl;
      wins++;
    } else loss -= e.pnl;
  }
  let peak = start;
  let drawdown = 0;
  for (const { equity } of trace.equity) {
    peak = Math.max(peak, equity);
    drawdown = Math.max(drawdown, (peak - equity) / peak);
  }
  for (const s of segments) drawdown = Math.max(drawdown, s.outOfSample.maxDrawdownPct);
  return {
    netProfit: trace.exits.reduce((sum, e) => sum + e.pnl, 0), trades: trace.exits.length,
    winRate: trace.exits.length ? wins / trace.exits.length : 0, profitFactor: loss > 0 ? gross / loss : null,
    sharpe: momentsOf(weekly).sharpe * Math.sqrt(52), maxDrawdownPct: drawdown,
    ...(() => {
      const weeks = mergedWeeks(trace.weeks, band);
      return { weeksWithinTarget: weeks.filter((w) => w.withinTarget).length, weeksTotal: weeks.length };
    })(),
  };
}

function span(inputs: TrialInputs, range: BarRange): number {
  const t = inputs.reference.time;
  return Math.max(1, t[range.to - 1] - t[range.from]) / YEAR_MS;
}
