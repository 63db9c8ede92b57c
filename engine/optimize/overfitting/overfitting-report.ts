import type { TrialRecord } from '../optimizer.ts';
import { deflatedSharpe } from './deflated-sharpe.ts';
import { momentsOf } from './moments.ts';
import { probabilityOfBacktestOverfitting, sharpeRatios } from './pbo.ts';

export interface OverfittingReport {
  readonly pbo: {
    /** Null when the trials cannot be told apart in any split: no verdict (`reason` says why). */
    readonly value: number | null;
    readonly reason?: string;
    readonly splits: number;
    /** Splits PBO is taken over: those where the trials differ both in and out of sample. */
    readonly judged: number;
    readonly partitions: number;
    readonly probabilityOfLoss: number;
    readonly reading: string;
  } | null;
  readonly dsr: {
    readonly value: number;
    /** The winner's weekly Sharpe ratio and the benchmark SR0 it is judged against (weekly). */
    readonly sharpe: number;
    readonly benchmark: number;
    readonly trials: number;
    readonly observations: number;
    readonly reading: string;
  } | null;
  /** Why a statistic could not be computed (too few trials or weeks). */
  readonly notes: string[];
}

/**
 * PBO and DSR from all trials' weekly returns, each with one plain sentence. PBO selects by
 * Sharpe ratio inside each split (as the paper does), whatever the run's objective; the DSR
 * judges the run's winner (`ranked[0]`) against all N trials. N counts every trial, though
 * neighbouring parameter sets are correlated, so the DSR errs on the strict side.
 */
export function overfittingReport(ranked: readonly TrialRecord[], partitions = 16): OverfittingReport {
  const notes: string[] = [];
  const returns = ranked.map((r) => r.weeklyReturns);
  const T = returns[0]?.length ?? 0;
  let pbo: OverfittingReport['pbo'] = null;
  let S = partitions;
  while (S > 2 && Math.floor(T / S) < 4) S -= 2;
  if (ranked.length < 2) notes.push('PBO needs at least two trials');
  else if (T < 8) notes.push(`PBO needs at least 8 weeks of returns (got ${T})`);
  else {
    const p = probabilityOfBacktestOverfitting(returns, S);
    const few = p.splits < FEW_SPLITS;
    const ways = `${p.splits.toLocaleString('en-US')} ways to split the ${T} weeks in half`;
    const left = p.splits - p.judged;
    // What a search with no skill scores: its winner lands at or below the median in
    // ceil(N/2) of N ranks, 0.5 for an even N but 0.667 for 3 trials, 0.6 for 5.
    const n = ranked.length;
    const chance = Math.floor((n + 1) / 2) / n;
    const baseline = chance > 0.505 ? ` (with ${n} trials a search with no skill at all scores ${pct(chance)})` : '';
    pbo = {
      value: p.pbo, ...(p.reason ? { reason: p.reason } : {}), splits: p.splits, judged: p.judged, partitions: S, probabilityOfLoss: p.probabilityOfLoss,
      reading: p.pbo === null
        ? `in none of the ${ways} could the ${ranked.length.toLocaleString('en-US')} trials be told apart (they had the same Sharpe ratio in one half or the other), so the search had no winner to test: PBO is undefined, which is not a sign of overfitting.`
        : `in ${pct(p.pbo)} of the ${left > 0 ? `${p.judged.toLocaleString('en-US')} of the ` : ''}${ways}${left > 0 ? ` where the trials could be told apart (in the other ${left.toLocaleString('en-US')} they had the same Sharpe ratio in one half)` : ''}, the parameters that won one half ranked in the bottom half of the other: ${few ? `from only ${p.judged.toLocaleString('en-US')} split${p.judged === 1 ? '' : 's'} (${T} weeks make ${S} blocks of at least 4) this is too little evidence for a verdict either way; ${4 * partitions} weeks or more give ${choose(partitions, partitions / 2).toLocaleString('en-US')} splits` : p.pbo < 0.1 ? 'little sign of overfitting' : p.pbo < chance ? 'some overfitting; the ranking only partly carries over' : 'the search is overfit: the winner is no better than a coin toss out of sample'}${few ? '' : baseline}.`,
    };
  }
  let dsr: OverfittingReport['dsr'] = null;
  if (ranked.length < 2 || T < 3) notes.push('DSR needs at least two trials and three weeks');
  // A flat winner's weekly returns are all zero: its "Sharpe" is no evidence of anything, so no probability is claimed.
  else if (ranked[0].metrics?.trades === 0) notes.push(`DSR n/a: the winner made no trades${ranked.every((r) => r.metrics.trades === 0) ? ' (no trial did)' : ''}, so there is no Sharpe ratio to judge`);
  else {
    const m = momentsOf(ranked[0].weeklyReturns);
    const ratios = sharpeRatios(returns);
    const variance = momentsOf(ratios).std ** 2;
    const d = deflatedSharpe({ sharpe: m.sharpe, observations: T, skewness: m.skewness, kurtosis: m.kurtosis, trials: ranked.length, sharpeVariance: variance });
    dsr = {
      value: d.probability, sharpe: m.sharpe, benchmark: d.benchmark, trials: ranked.length, observations: T,
      reading: `after ${ranked.length.toLocaleString('en-US')} trials the best of them would show a weekly Sharpe of ${d.benchmark.toFixed(3)} by luck alone; the winner's ${m.sharpe.toFixed(3)} gives a ${pct(d.probability)} probability that its true Sharpe is above zero${d.probability >= 0.95 ? ' (significant at 95 %)' : ' (not significant at 95 %)'}.`,
    };
  }
  return { pbo, dsr, notes };
}

/**
 * Below this many splits (fewer than 6 blocks: 2 or 6 splits) the share is too coarse to call a
 * search overfit or not: one split moves PBO by a half or a sixth.
 */
const FEW_SPLITS = 20;

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
}

/**
 * PBO as a figure for a line of text: `0.231`, or `n/a (trials indistinguishable: ...)` when
 * it is undefined.
 *
 * @example
 * `PBO ${pboFigure(report.pbo)}: ${report.pbo.reading}`;
 */
export function pboFigure(pbo: { readonly value: number | null; readonly reason?: string }): string {
  return pbo.value === null ? `n/a (${pbo.reason ?? 'undefined'})` : pbo.value.toFixed(3);
}
