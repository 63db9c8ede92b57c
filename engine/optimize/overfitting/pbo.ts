import { momentsOf } from './moments.ts';

export interface PboResult {
  /** Probability of backtest overfitting: share of splits whose in-sample winner ranked at or below the median out of sample. */
  readonly pbo: number;
  /** The logit λ of the winner's out-of-sample relative rank, one per split. */
  readonly logits: number[];
  /** Splits evaluated: C(S, S/2). */
  readonly splits: number;
  readonly partitions: number;
  /** Share of splits where the in-sample winner lost money out of sample (Sharpe < 0). */
  readonly probabilityOfLoss: number;
  /** Per split: the winner's in-sample and out-of-sample Sharpe (performance degradation). */
  readonly degradation: { readonly inSample: number; readonly outOfSample: number }[];
}

/**
 * The Probability of Backtest Overfitting by combinatorially symmetric cross-validation
 * (Bailey, Borwein, López de Prado and Zhu, "The Probability of Backtest Overfitting", 2015).
 * `returns[n]` is trial n's return series (all of length T). The T rows are cut into S equal
 * blocks in time order (a remainder at the end is dropped); for every choice of S/2 blocks as
 * the in-sample set J (its complement the out-of-sample set), the trial with the best
 * in-sample Sharpe ratio is located in the out-of-sample ranking: relative rank
 * ω = rank / (N + 1), logit λ = ln(ω / (1 - ω)). PBO is the share of splits with λ ≤ 0.
 * Ties in a ranking share the average rank; an in-sample tie goes to the lower trial index.
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
  const logits: number[] = [];
  const degradation: { inSample: number; outOfSample: number }[] = [];
  let losses = 0;
  for (const J of combinations(S, half)) {
    isSum.fill(0);
    isSq.fill(0);
    for (const b of J) {
      const o = b * n;
      for (let k = 0; k < n; k++) {
        isSum[k] += sum[o + k];
        isSq[k] += sq[o + k];
      }
    }
    let best = 0;
    let bestSharpe = -Infinity;
    for (let k = 0; k < n; k++) {
      const s = sharpeOf(isSum[k], isSq[k], m);
      if (s > bestSharpe) {
        bestSharpe = s;
        best = k;
      }
    }
    const chosen = sharpeOf(totalSum[best] - isSum[best], totalSq[best] - isSq[best], m);
    let below = 0;
    let equal = 0;
    for (let k = 0; k < n; k++) {
      const s = sharpeOf(totalSum[k] - isSum[k], totalSq[k] - isSq[k], m);
      if (s < chosen) below++;
      else if (s === chosen) equal++;
    }
    // Ranks 1..N ascending; trials equal to the chosen one (itself included) share the average.
    const rank = below + (equal + 1) / 2;
    const omega = rank / (n + 1);
    logits.push(Math.log(omega / (1 - omega)));
    degradation.push({ inSample: bestSharpe, outOfSample: chosen });
    if (chosen < 0) losses++;
  }
  return {
    pbo: logits.filter((l) => l <= 0).length / logits.length,
    logits, splits: logits.length, partitions: S,
    probabilityOfLoss: losses / logits.length,
    degradation,
  };
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
