/** Sample moments of a return series, as the Sharpe ratio statistics need them. */
export interface ReturnMoments {
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1). */
  readonly std: number;
  /** Per-period Sharpe ratio mean / std (0 when std is 0), not annualised. */
  readonly sharpe: number;
  /** Skewness γ3 (population moments, as in Bailey and López de Prado). */
  readonly skewness: number;
  /** Kurtosis γ4, not excess: 3 for normal returns. */
  readonly kurtosis: number;
}

/** @example momentsOf([0.01, -0.02, 0.03]).sharpe */
export function momentsOf(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += returns[i];
  mean = n > 0 ? mean / n : 0;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  const pop2 = n > 0 ? m2 / n : 0;
  return {
    count: n, mean, std,
    sharpe: std > 0 ? mean / std : 0,
    skewness: pop2 > 0 ? m3 / n / pop2 ** 1.5 : 0,
    kurtosis: pop2 > 0 ? m4 / n / (pop2 * pop2) : 3,
  };
}
