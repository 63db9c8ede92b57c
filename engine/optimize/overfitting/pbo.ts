import { momentsOf } from './moments.ts';

export interface PboResult {
  /**
   * Probability of backtest overfitting: share of the judged splits whose in-sample winner
   * ranked at or below the median out of sample. Null when no split could be judged (the
   * trials cannot be told apart): that is no verdict, not a verdict of overfitting.
   */
  readonly pbo: number | null;
  /** Why `pbo` is null. */
  readonly reason?: string;
  /** The logit λ of the winner's out-of-sample relative rank, one per judged split (tied winners: of their mean rank). */
  readonly logits: number[];
  /** Splits evaluated: C(S, S/2). */
  readonly splits: number;
  /** Splits where the trials could be told apart both in and out of sample; PBO is over these. */
  readonly judged: number;
  readonly partitions: number;
  /** Share of splits where the in-sample winner lost money out of sample (Sharpe < 0). */
  readonly probabilityOfLoss: number;
  /** Per split: the winner's in-sample and out-of-sample Sharpe (performance degradation). */
  readonly degradation: { readonly inSample: number; readonly outOfSample: number }[];
}

/** The reason PBO is undefined when every trial performs alike. */
export const INDISTINGUISHABLE = 'trials indistinguishable: no selection to judge';

/**
 * The Probability of Backtest Overfitting by combinatorially symmetric cross-validation
 * (Bailey, Borwein, López de Prado and Zhu, "The Probability of Backtest Overfitting", 2015).
 * `returns[n]` is trial n's return series (all of length T). The T rows are cut into S equal
 * blocks in time order (a remainder at the end is dropped); for every choice of S/2 blocks as
 * the in-sample set J (its complement the out-of-sample set), the trial with the best
 * in-sample Sharpe ratio is located in the out-of-sample ranking: relative rank
 * ω = rank / (N + 1), logit λ = ln(ω / (1 - ω)). PBO is the share of splits with λ ≤ 0.
 *
 * Ties, as the paper's ranks leave them open:
 * - trials with equal out-of-sample Sharpe ratios share the average of their ranks (mid-rank);
 * - a split where every trial has the same in-sample Sharpe ratio selects nothing, and one where
 *   every trial has the same out-of-sample Sharpe ratio cannot rank the selection: neither is
 *   judged (their λ would be 0, a median rank, and count as overfit although nothing was
 *   chosen). PBO is the share over the judged splits, null when none is (`reason`);
 * - several trials tied for the best in-sample Sharpe ratio: the search could have picked any
 *   of them, so the split counts the share of them that rank at or below the median out of
 *   sample (the chance a fair tie-break picks an overfit one), not whichever comes first.
 *
 * @example
 * probabilityOfBacktestOverfitting(weeklyReturnsPerTrial, 16).pbo;
 */
export function probabilityOfBacktestOverfitting(returns: readonly ArrayLike<number>[], partitions = 16): PboResult {
  const n = returns.length;
  const S = partitions;
  if (S < 2 || S % 2 !== 0) throw new RangeError(`PBO: the number of partitions must be even and at least 2, got ${S}`);
  if (n < 2) throw new RangeError(`PBO needs at least 2 trials, got ${n}`);
  const T = returns[0].length;
  if (returns.some((r) => r.length !== T)) throw new RangeError('PBO: every trial needs a return series of the same length');
  const size = Math.floor(T / S);
  if (size < 2) throw new RangeError(`PBO: ${T} observations cannot make ${S} blocks of at least 2`);
  // Per block and trial: count, sum and sum of squares, so a split's Sharpe ratios come from
  // S/2 block totals instead of re-reading the returns.
  const sum = new Float64Array(S * n);
  const sq = new Float64Array(S * n);
  for (let k = 0; k < n; k++) {
    const r = returns[k];
    for (let b = 0; b < S; b++) {
      let s = 0;
      let q = 0;
      for (let i = b * size; i < (b + 1) * size; i++) {
        s += r[i];
        q += r[i] * r[i];
      }
      sum[b * n + k] = s;
      sq[b * n + k] = q;
    }
  }
  const totalSum = new Float64Array(n);
  const totalSq = new Float64Array(n);
  for (let b = 0; b < S; b++) for (let k = 0; k < n; k++) {
    totalSum[k] += sum[b * n + k];
    totalSq[k] += sq[b * n + k];
  }
  const half = S / 2;
  const m = half * size;
  const isSum = new Float64Array(n);
  const isSq = new Float64Array(n);
  const isSharpe = new Float64Array(n);
  const oosSharpe = new Float64Array(n);
  const winners: number[] = [];
  const logits: number[] = [];
  const degradation: { inSample: number; outOfSample: number }[] = [];
  let losses = 0;
  let overfit = 0;
  let splits = 0;
  for (const J of combinations(S, half)) {
    splits++;
    isSum.fill(0);
    isSq.fill(0);
    for (const b of J) {
      const o = b * n;
      for (let k = 0; k < n; k++) {
        isSum[k] += sum[o + k];
        isSq[k] += sq[o + k];
      }
    }
    let bestSharpe = -Infinity;
    let oosAlike = true;
    for (let k = 0; k < n; k++) {
      const s = sharpeOf(isSum[k], isSq[k], m);
      isSharpe[k] = s;
      if (s > bestSharpe) bestSharpe = s;
      oosSharpe[k] = sharpeOf(totalSum[k] - isSum[k], totalSq[k] - isSq[k], m);
      if (oosSharpe[k] !== oosSharpe[0]) oosAlike = false;
    }
    winners.length = 0;
    for (let k = 0; k < n; k++) if (isSharpe[k] === bestSharpe) winners.push(k);
    let chosenSum = 0;
    let lossShare = 0;
    for (const w of winners) {
      chosenSum += oosSharpe[w];
      if (oosSharpe[w] < 0) lossShare++;
    }
    losses += lossShare / winners.length;
    degradation.push({ inSample: bestSharpe, outOfSample: chosenSum / winners.length });
    if (winners.length === n || oosAlike) continue;
    const ranks = winners.length === 1 ? [rankOf(oosSharpe, oosSharpe[winners[0]])] : ranksOf(oosSharpe, winners);
    let omegaSum = 0;
    let overfitShare = 0;
    for (const rank of ranks) {
      const omega = rank / (n + 1);
      omegaSum += omega;
      if (Math.log(omega / (1 - omega)) <= 0) overfitShare++;
    }
    const omega = omegaSum / ranks.length;
    logits.push(Math.log(omega / (1 - omega)));
    overfit += overfitShare / ranks.length;
  }
  const judged = logits.length;
  return {
    pbo: judged > 0 ? overfit / judged : null,
    ...(judged > 0 ? {} : { reason: INDISTINGUISHABLE }),
    logits, splits, judged, partitions: S,
    probabilityOfLoss: losses / splits,
    degradation,
  };
}

/** Rank 1..N (ascending) of `value` among `values`; equal values share the average rank. */
function rankOf(values: Float64Array, value: number): number {
  let below = 0;
  let equal = 0;
  for (let k = 0; k < values.length; k++) {
    if (values[k] < value) below++;
    else if (values[k] === value) equal++;
  }
  return below + (equal + 1) / 2;
}

/** The mid-ranks of several entries of `values`, from one sort (a tie for first can be large). */
function ranksOf(values: Float64Array, entries: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return entries.map((k) => {
    const first = bound(sorted, values[k], false);
    const after = bound(sorted, values[k], true);
    return first + (after - first + 1) / 2;
  });
}

/** Index of the first element >= x (or > x when `strict`) in an ascending array. */
function bound(sorted: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x || (strict && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sharpe ratio (mean over sample standard deviation) from a block total; 0 for a flat series. */
function sharpeOf(sum: number, sumSq: number, count: number): number {
  const mean = sum / count;
  const variance = (sumSq - sum * mean) / (count - 1);
  // Rounding can leave a flat series a tiny positive or negative variance.
  return variance > 1e-18 ? mean / Math.sqrt(variance) : 0;
}

/** Every k-subset of 0..n-1 in lexicographic order. */
export function* combinations(n: number, k: number): Generator<number[]> {
  const c = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield c.slice();
    let i = k - 1;
    while (i >= 0 && c[i] === n - k + i) i--;
    if (i < 0) return;
    c[i]++;
    for (let j = i + 1; j < k; j++) c[j] = c[j - 1] + 1;
  }
}

/** Trials' per-period Sharpe ratios, for the Deflated Sharpe Ratio's variance across trials. */
export function sharpeRatios(returns: readonly ArrayLike<number>[]): number[] {
  return returns.map((r) => momentsOf(r).sharpe);
}
