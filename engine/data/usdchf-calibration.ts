/**
 * Statistics of the real USDCHF fixture (fixtures/usdchf_m30.csv, 1996-2001, Zurich time
 * converted to UTC) that the synthetic generator copies. Measured with `measureReturnStats` and
 * `fitGarch11` (engine/data/return-stats.ts); tests/engine/data/synthetic.test.ts re-measures
 * the fixture and fails if these drift from it.
 */
export const USDCHF_CALIBRATION = {
  /** Std of 30-minute log returns (about 11.0 % a year over 252 × 48 half hours). */
  sigma30: 0.0010035,
  /** Std of the return across a weekend gap over sigma30 (the file's Monday opens barely move). */
  weekendRatio: 0.396,
  /** Per UTC half-hour slot: RMS return over the overall RMS (Asia quiet, London/NY busy). */
  slotFactors: [
    0.63, 0.621, 0.556, 0.491, 0.557, 0.667, 0.674, 0.762, 0.881, 0.982, 1.113, 1.137,
    1.191, 1.177, 1.283, 1.099, 1.17, 1.051, 1.071, 1.073, 1.187, 1.334, 1.199, 1.216,
    1.366, 1.481, 1.347, 1.289, 1.547, 1.349, 1.197, 1.132, 1.169, 1.12, 0.836, 0.864,
    0.788, 0.78, 0.617, 0.604, 0.593, 0.496, 0.493, 0.611, 0.735, 0.696, 0.866, 0.678,
  ],
  /** Per UTC weekday, Sunday first (Sunday = the 22:00-24:00 UTC start of the week). */
  weekdayFactors: [0.914, 0.931, 0.968, 0.98, 1.048, 1.079, 0],
  /**
   * GARCH(1,1) on deseasonalised, unit-variance returns, fitted by `fitGarch11`:
   * h[t] = (1 - alpha - beta) + alpha * e[t-1]^2 + beta * h[t-1].
   */
  garch: { alpha: 0.1, beta: 0.83 },
  /** Measured excess kurtosis of the 30-minute returns, for reference. */
  excessKurtosis: 10.3,
  /** Measured lag-1 autocorrelation of squared 30-minute returns. */
  squaredAutocorrelation: 0.174,
  /**
   * Stated, not estimated: innovations are Student-t with this many degrees of freedom (scaled
   * to unit variance), because Gaussian GARCH alone leaves the tails far thinner than the data's.
   */
  studentDegrees: 5,
} as const;
