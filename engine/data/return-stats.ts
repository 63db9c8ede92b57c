// Statistics of 30-minute log returns, measured the same way on the real fixture (to calibrate
// the synthetic generator) and on the generator's output (to test that calibration).

const STEP_MS = 1_800_000;
const DAY_MS = 86_400_000;

export interface ReturnStats {
  /** Standard deviation of log returns between rows exactly 30 minutes apart. */
  readonly sigma30: number;
  /** Standard deviation of log returns across gaps longer than a day (the weekend), as a multiple of sigma30. */
  readonly weekendRatio: number;
  /** RMS return of each UTC half-hour slot (0 = 00:00-00:30) over the overall RMS; 0 for empty slots. */
  readonly slotFactors: readonly number[];
  /** The same per UTC weekday (0 = Sunday). */
  readonly weekdayFactors: readonly number[];
  /** Excess kurtosis of the 30-minute returns (fat tails and volatility clustering raise it). */
  readonly excessKurtosis: number;
  /** Lag-1 autocorrelation of squared returns, the usual fingerprint of volatility clustering. */
  readonly squaredAutocorrelation: number;
  readonly returns: number;
}

/** Measures `ReturnStats` from mid prices at (sorted) times in epoch ms. */
export function measureReturnStats(time: Float64Array, price: Float64Array, length: number): ReturnStats {
  let n = 0, sum2 = 0, sum4 = 0, weekendN = 0, weekend2 = 0;
  let lagProduct = 0, previousSquare = NaN, lagN = 0, squareSum = 0;
  const slot2 = new Float64Array(48), slotN = new Float64Array(48);
  const day2 = new Float64Array(7), dayN = new Float64Array(7);
  for (let i = 1; i < length; i++) {
    const r = Math.log(price[i] / price[i - 1]);
    const gap = time[i] - time[i - 1];
    if (gap === STEP_MS) {
      const r2 = r * r;
      n++; sum2 += r2; sum4 += r2 * r2;
      const slot = Math.floor((time[i - 1] % DAY_MS) / STEP_MS);
      slot2[slot] += r2; slotN[slot]++;
      const weekday = new Date(time[i - 1]).getUTCDay();
      day2[weekday] += r2; dayN[weekday]++;
      if (!Number.isNaN(previousSquare)) { lagProduct += previousSquare * r2; lagN++; }
      squareSum += r2;
      previousSquare = r2;
    } else {
      previousSquare = NaN;
      if (gap > DAY_MS) { weekendN++; weekend2 += r * r; }
    }
  }
  const variance = n > 0 ? sum2 / n : 0;
  const sigma30 = Math.sqrt(variance);
  const factor = (s: Float64Array, c: Float64Array) => Array.from(s, (v, k) => (c[k] > 0 && variance > 0 ? Math.sqrt(v / c[k] / variance) : 0));
  // Autocorrelation of r² around its mean: (E[r²_t r²_t-1] - E[r²]²) / Var(r²).
  const meanSquare = n > 0 ? squareSum / n : 0;
  const varSquare = n > 0 ? sum4 / n - meanSquare * meanSquare : 0;
  return {
    sigma30,
    weekendRatio: weekendN > 0 && sigma30 > 0 ? Math.sqrt(weekend2 / weekendN) / sigma30 : 0,
    slotFactors: factor(slot2, slotN),
    weekdayFactors: factor(day2, dayN),
    excessKurtosis: variance > 0 ? sum4 / n / (variance * variance) - 3 : 0,
    squaredAutocorrelation: lagN > 0 && varSquare > 0 ? (lagProduct / lagN - meanSquare * meanSquare) / varSquare : 0,
    returns: n,
  };
}

/**
 * Fits GARCH(1,1) with variance targeting (omega = 1 - alpha - beta on unit-variance input) by
 * a grid search of the Gaussian quasi-likelihood. Coarse (steps of 0.01) but deterministic and
 * dependency-free, and the generator only needs the persistence roughly right.
 */
export function fitGarch11(standardised: Float64Array): { readonly alpha: number; readonly beta: number } {
  let best = { alpha: 0.05, beta: 0.9, ll: -Infinity };
  for (let a = 0.01; a <= 0.3 + 1e-9; a += 0.01) {
    for (let b = 0.5; a + b < 0.999; b += 0.01) {
      const omega = 1 - a - b;
      let h = 1, ll = 0;
      for (let i = 0; i < standardised.length; i++) {
        const e2 = standardised[i] * standardised[i];
        ll -= Math.log(h) + e2 / h;
        h = omega + a * e2 + b * h;
      }
      if (ll > best.ll) best = { alpha: +a.toFixed(2), beta: +b.toFixed(2), ll };
    }
  }
  return { alpha: best.alpha, beta: best.beta };
}
