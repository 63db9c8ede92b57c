import type { BarSeries } from '../../../engine/plugin-api.ts';
import { AverageTrueRange } from './average-true-range.ts';

export interface SupportResistanceConfig {
  /** A swing high needs this many bars on each side with lower highs (Bill Williams uses 2). */
  readonly fractalBars: number;
  /** Swing points within this many ATRs of a level join it. */
  readonly toleranceAtr: number;
  /** If > 0, a fixed tolerance in price units instead of `toleranceAtr`. */
  readonly tolerancePrice: number;
  readonly atrPeriod: number;
  /** Levels kept; when full the weakest is dropped. */
  readonly maxLevels: number;
  /** Bars after which a touch counts half as much towards strength. */
  readonly recencyHalfLife: number;
}

export const DEFAULT_SUPPORT_RESISTANCE: SupportResistanceConfig = {
  fractalBars: 2, toleranceAtr: 0.5, tolerancePrice: 0, atrPeriod: 14, maxLevels: 32, recencyHalfLife: 500,
};

/** A level as tests and charts see it. */
export interface LevelView {
  readonly price: number;
  readonly touches: number;
  readonly lastTouchIndex: number;
  readonly strength: number;
}

/**
 * Support and resistance levels from swing highs and lows (fractals), clustered by price.
 *
 * Fed one bar at a time, it confirms a swing at bar `i - fractalBars` once `fractalBars` later
 * bars have closed (so it never looks ahead), merges it into the level within tolerance (its
 * price becomes the touch-weighted mean) or opens a new one. Strength is the number of touches
 * discounted by age: `touches * 0.5 ** ((now - lastTouch) / recencyHalfLife)`. A level has no
 * side: it is support while price is above it and resistance while below, so a broken
 * resistance turns into support by itself. Storage is fixed typed arrays; `update` and the
 * `nearest*` queries do not allocate.
 *
 * @example
 * ```ts
 * const sr = new SupportResistance({ fractalBars: 2 });
 * for (let i = 0; i < series.length; i++) sr.update(series, i);
 * sr.nearestLevels(series.close[series.length - 1]); // { support: 0.9812, resistance: 0.9905 }
 * ```
 */
export class SupportResistance {
  readonly config: SupportResistanceConfig;
  readonly atr: AverageTrueRange;
  private readonly price: Float64Array;
  private readonly touches: Float64Array;
  private readonly last: Float64Array;
  /** log2 of strength plus a constant shared by all levels: `log2(touches) + last / halfLife`. */
  private readonly rank: Float64Array;
  private count = 0;
  private now = -1;

  constructor(config: Partial<SupportResistanceConfig> = {}) {
    this.config = { ...DEFAULT_SUPPORT_RESISTANCE, ...config };
    const { fractalBars, maxLevels } = this.config;
    if (!Number.isInteger(fractalBars) || fractalBars < 1) throw new Error(`fractalBars must be a positive integer, got ${fractalBars}`);
    if (!Number.isInteger(maxLevels) || maxLevels < 1) throw new Error(`maxLevels must be a positive integer, got ${maxLevels}`);
    this.atr = new AverageTrueRange(this.config.atrPeriod);
    this.price = new Float64Array(maxLevels);
    this.touches = new Float64Array(maxLevels);
    this.last = new Float64Array(maxLevels);
    this.rank = new Float64Array(maxLevels);
  }

  get levelCount(): number {
    return this.count;
  }

  /** Feeds bar `i` (closed); call once per bar, in order. */
  update(s: BarSeries, i: number): void {
    this.now = i;
    this.atr.update(s, i);
    const n = this.config.fractalBars;
    const j = i - n;
    if (j - n < 0) return;
    if (isSwingHigh(s.high, j, n)) this.addTouch(s.high[j], j, s);
    if (isSwingLow(s.low, j, n)) this.addTouch(s.low[j], j, s);
  }

  /** Strength of a touch history at the current bar. */
  private strengthAt(k: number): number {
    return this.touches[k] * 0.5 ** ((this.now - this.last[k]) / this.config.recencyHalfLife);
  }

  private tolerance(s: BarSeries, j: number): number {
    if (this.config.tolerancePrice > 0) return this.config.tolerancePrice;
    // Before the ATR has warmed up, the swing bar's own range is the best volatility guess.
    const atr = Number.isNaN(this.atr.value) ? s.high[j] - s.low[j] : this.atr.value;
    return this.config.toleranceAtr * atr;
  }

  private addTouch(p: number, j: number, s: BarSeries): void {
    const tol = this.tolerance(s, j);
    let best = -1;
    let bestDistance = Infinity;
    for (let k = 0; k < this.count; k++) {
      const d = Math.abs(this.price[k] - p);
      if (d <= tol && d < bestDistance) { best = k; bestDistance = d; }
    }
    if (best >= 0) {
      const t = this.touches[best];
      this.price[best] = (this.price[best] * t + p) / (t + 1);
      this.touches[best] = t + 1;
      this.last[best] = j;
      this.rank[best] = Math.log2(t + 1) + j / this.config.recencyHalfLife;
      return;
    }
    let slot = this.count;
    if (slot === this.config.maxLevels) {
      slot = 0;
      // The weakest by strength is the lowest rank (same order, no power per comparison).
      for (let k = 1; k < this.count; k++) if (this.rank[k] < this.rank[slot]) slot = k;
    } else {
      this.count++;
    }
    this.price[slot] = p;
    this.touches[slot] = 1;
    this.last[slot] = j;
    this.rank[slot] = j / this.config.recencyHalfLife;
  }

  /** Highest level strictly below `price` with at least `minTouches` touches; NaN if none. */
  nearestSupport(price: number, minTouches = 1): number {
    let best = NaN;
    for (let k = 0; k < this.count; k++) {
      const p = this.price[k];
      if (p < price && this.touches[k] >= minTouches && !(p <= best)) best = p;
    }
    return best;
  }

  /** Lowest level strictly above `price` with at least `minTouches` touches; NaN if none. */
  nearestResistance(price: number, minTouches = 1): number {
    let best = NaN;
    for (let k = 0; k < this.count; k++) {
      const p = this.price[k];
      if (p > price && this.touches[k] >= minTouches && !(p >= best)) best = p;
    }
    return best;
  }

  /** Touches of the level at exactly `price` (as returned by `nearest*`), 0 if none. */
  touchesAt(price: number): number {
    for (let k = 0; k < this.count; k++) if (this.price[k] === price) return this.touches[k];
    return 0;
  }

  /** Nearest support below and resistance above `price`, shaped for TRADE_ENTRY `sr_levels`. */
  nearestLevels(price: number, minTouches = 1): { support: number | null; resistance: number | null } {
    const support = this.nearestSupport(price, minTouches);
    const resistance = this.nearestResistance(price, minTouches);
    return { support: Number.isNaN(support) ? null : support, resistance: Number.isNaN(resistance) ? null : resistance };
  }

  /** All levels, strongest first (allocates: for charts and tests). */
  levels(): LevelView[] {
    const out: LevelView[] = [];
    for (let k = 0; k < this.count; k++) {
      out.push({ price: this.price[k], touches: this.touches[k], lastTouchIndex: this.last[k], strength: this.strengthAt(k) });
    }
    return out.sort((a, b) => b.strength - a.strength);
  }
}

/** High at `j` above the `n` highs before it and not below the `n` after it (ties count once). */
export function isSwingHigh(high: Float64Array, j: number, n: number): boolean {
  const h = high[j];
  for (let k = 1; k <= n; k++) if (!(h > high[j - k]) || !(h >= high[j + k])) return false;
  return true;
}

/** Low at `j` below the `n` lows before it and not above the `n` after it. */
export function isSwingLow(low: Float64Array, j: number, n: number): boolean {
  const l = low[j];
  for (let k = 1; k <= n; k++) if (!(l < low[j - k]) || !(l <= low[j + k])) return false;
  return true;
}
