import { normalCdf, normalQuantile } from './normal.ts';

const EULER_GAMMA = 0.5772156649015329;

/**
 * The expected maximum of `trials` Sharpe ratios whose true value is 0 and whose estimates
 * vary across trials with `variance` (Bailey and López de Prado 2014, eq. for SR0, from the
 * false strategy theorem): sqrt(V) ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e))).
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (trials <= 1) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

/**
 * The Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds
 * `benchmark`, given an estimate `sharpe` from `observations` returns with skewness γ3 and
 * kurtosis γ4 (not excess). Sharpe ratios per period, not annualised.
 */
export function probabilisticSharpe(sharpe: number, benchmark: number, observations: number, skewness: number, kurtosis: number): number {
  const spread = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  if (!(spread > 0) || observations < 2) return NaN;
  return normalCdf(((sharpe - benchmark) * Math.sqrt(observations - 1)) / Math.sqrt(spread));
}

export interface DeflatedSharpeInput {
  /** The selected trial's Sharpe ratio per period (not annualised). */
  readonly sharpe: number;
  /** Its number of returns T. */
  readonly observations: number;
  readonly skewness: number;
  /** Not excess: 3 for normal returns. */
  readonly kurtosis: number;
  /** Trials the selection was made from (N). */
  readonly trials: number;
  /** Variance of the per-period Sharpe ratios across the trials. */
  readonly sharpeVariance: number;
}

export interface DeflatedSharpe {
  /** SR0: the Sharpe ratio the best of N worthless trials would show on average. */
  readonly benchmark: number;
  /** DSR = PSR(SR0): probability that the true Sharpe ratio is above zero after the search. */
  readonly probability: number;
}

/**
 * The Deflated Sharpe Ratio (Bailey and López de Prado, "The Deflated Sharpe Ratio: Correcting
 * for Selection Bias, Backtest Overfitting and Non-Normality", 2014): the Probabilistic Sharpe
 * Ratio against the expected maximum Sharpe ratio of the N trials, so a winner picked from many
 * must beat what luck alone would have picked.
 *
 * @example
 * // The paper's example: annual SR 2.5 over 5 years of daily returns, 100 trials, V = 0.5/year.
 * deflatedSharpe({ sharpe: 2.5 / Math.sqrt(250), observations: 1250, skewness: -3, kurtosis: 10, trials: 100, sharpeVariance: 0.5 / 250 }).probability; // 0.9004
 */
export function deflatedSharpe(input: DeflatedSharpeInput): DeflatedSharpe {
  const benchmark = expectedMaxSharpe(input.trials, input.sharpeVariance);
  return { benchmark, probability: probabilisticSharpe(input.sharpe, benchmark, input.observations, input.skewness, input.kurtosis) };
}
