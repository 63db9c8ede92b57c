import type { BarSeries } from '../../../engine/plugin-api.ts';
import { ACTIONS } from '../linear-policy.ts';
import { OBSERVATION_SIZE } from '../observation.ts';
import type { PolicyFile } from '../policy-file.ts';
import { policyFromWeights, runEpisode } from './episode.ts';
import { SeededRng } from './seeded-rng.ts';

export interface TrainOptions {
  readonly series: BarSeries;
  readonly from: string;
  readonly to: string;
  readonly seed: number;
  readonly generations: number;
  /** Candidates per generation (even: antithetic pairs). */
  readonly population: number;
  readonly sigma: number;
  readonly learningRate: number;
  readonly drawdownPenalty: number;
  /** Reward penalty per unit share of weeks outside the 3-10 trade band. */
  readonly bandPenalty: number;
  /** Score every candidate by the worse of the real and the price-reflected series (default false); see `mirrorSeries`. */
  readonly mirror?: boolean;
  readonly onGeneration?: (generation: number, meanReward: number, bestReward: number) => void;
}

export const DEFAULT_TRAIN_OPTIONS = { generations: 40, population: 16, sigma: 0.2, learningRate: 0.1, drawdownPenalty: 0.5, bandPenalty: 0 } as const;

/** The direction-neutral variant (`policies/usdchf-h1-neutral.json`): mirrored episodes, trade-band penalty. */
export const NEUTRAL_TRAIN_OPTIONS = { ...DEFAULT_TRAIN_OPTIONS, bandPenalty: 0.5, mirror: true } as const;

/**
 * Evolution strategies (Salimans et al. 2017) on the linear policy's weights: each generation
 * draws `population / 2` Gaussian directions, scores `w + sigma*e` and `w - sigma*e` by a full
 * episode each, and moves `w` along the rank-weighted directions. Ranks (not raw rewards) make
 * the step immune to the scale of returns; antithetic pairs halve the variance. No gradients
 * through the engine are needed, so the episode is exactly a backtest. Deterministic for a seed:
 * the RNG is ours and the engine is deterministic.
 */
export function trainPolicy(options: TrainOptions): PolicyFile {
  const n = ACTIONS.length * OBSERVATION_SIZE;
  const rng = new SeededRng(options.seed);
  const { series, sigma, learningRate, drawdownPenalty, bandPenalty } = options;
  const pairs = Math.max(1, Math.floor(options.population / 2));
  const mirror = options.mirror ?? false;
  const episodes = mirror ? [series, mirrorSeries(series)] : [series];
  const training = (history: number[], finalReward: number): PolicyFile['training'] => ({
    algorithm: 'evolution-strategies', from: options.from, to: options.to, seed: options.seed,
    generations: options.generations, population: pairs * 2, sigma, learningRate, drawdownPenalty, bandPenalty, finalReward, history,
    ...(mirror ? { augmentation: 'mirror' } : {}),
  });
  const score = (w: Float64Array) => {
    const policy = policyFromWeights(w, training([], 0), series.symbol, series.timeframe);
    // The worse of the two: a mean would still pay a one-way bet, because risk-% sizing
    // compounds the winning side far more than it loses on the other (seen in training:
    // +2966 % mirrored against -74 % real for a short-only policy).
    let worst = Infinity;
    for (const s of episodes) worst = Math.min(worst, runEpisode(policy, s, { drawdownPenalty, bandPenalty }).reward);
    return worst;
  };

  // Start near "always hold" so the first generations do not drown in random overtrading.
  const w = new Float64Array(n);
  w[0] = 0.3;
  for (let k = 0; k < n; k++) w[k] += 0.01 * rng.gaussian();
  const history: number[] = [];
  const eps = new Float64Array(pairs * n);
  const rewards = new Float64Array(pairs * 2);
  const candidate = new Float64Array(n);
  for (let g = 0; g < options.generations; g++) {
    for (let k = 0; k < eps.length; k++) eps[k] = rng.gaussian();
    for (let j = 0; j < pairs; j++) {
      for (const sign of [1, -1]) {
        for (let k = 0; k < n; k++) candidate[k] = w[k] + sign * sigma * eps[j * n + k];
        rewards[2 * j + (sign === 1 ? 0 : 1)] = score(candidate);
      }
    }
    const ranks = centredRanks(rewards);
    for (let k = 0; k < n; k++) {
      let step = 0;
      for (let j = 0; j < pairs; j++) step += (ranks[2 * j] - ranks[2 * j + 1]) * eps[j * n + k];
      w[k] += (learningRate / (pairs * 2 * sigma)) * step;
    }
    let mean = 0, best = -Infinity;
    for (const r of rewards) { mean += r / rewards.length; if (r > best) best = r; }
    history.push(round6(mean));
    options.onGeneration?.(g + 1, mean, best);
  }
  return policyFromWeights(w, training(history, round6(score(w))), series.symbol, series.timeframe);
}

/**
 * The series reflected about the middle of its price range (`p -> 2c - p`; high and low swap):
 * same volatility, same candle shapes mirrored, opposite drift. Scoring a candidate by the worse
 * of its real and mirrored episodes makes a bet on the training years' direction (USDCHF rose
 * 34 % in 1996-1999) a loss, so the trainer has to find something that works both ways.
 */
export function mirrorSeries(series: BarSeries): BarSeries {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < series.length; i++) {
    if (series.low[i] < min) min = series.low[i];
    if (series.high[i] > max) max = series.high[i];
  }
  const c2 = min + max;
  const n = series.length;
  const out: BarSeries = {
    symbol: series.symbol, timeframe: series.timeframe, length: n,
    time: series.time.slice(0, n), volume: series.volume.slice(0, n),
    open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n),
    // A mirrored bid is no bid (its spread would lie below it): the mirror is quoted as mid prices.
    prices: 'mid', spread: null, ticks: null,
  };
  for (let i = 0; i < n; i++) {
    out.open[i] = c2 - series.open[i];
    out.close[i] = c2 - series.close[i];
    out.high[i] = c2 - series.low[i];
    out.low[i] = c2 - series.high[i];
  }
  return out;
}

/** Ranks mapped to [-0.5, 0.5], ties broken by index (stable, deterministic). */
function centredRanks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b] || a - b);
  const out = new Float64Array(values.length);
  const m = values.length - 1;
  order.forEach((idx, rank) => (out[idx] = m === 0 ? 0 : rank / m - 0.5));
  return out;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
