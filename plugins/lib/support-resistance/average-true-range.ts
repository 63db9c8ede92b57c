import type { BarSeries } from '../../../engine/plugin-api.ts';

/**
 * Wilder's average true range, updated one bar at a time: the simple mean of the first
 * `period` true ranges, then `atr = (atr * (period - 1) + tr) / period`. NaN until warmed up.
 *
 * @example
 * ```ts
 * const atr = new AverageTrueRange(14);
 * for (let i = 0; i < series.length; i++) atr.update(series, i);
 * atr.value; // volatility in price units
 * ```
 */
export class AverageTrueRange {
  value = NaN;
  private count = 0;
  private sum = 0;

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1) throw new Error(`ATR period must be a positive integer, got ${period}`);
  }

  /** Feeds bar `i`; call once per bar, in order. */
  update(s: BarSeries, i: number): number {
    const h = s.high[i], l = s.low[i];
    const tr = i > 0 ? Math.max(h - l, Math.abs(h - s.close[i - 1]), Math.abs(l - s.close[i - 1])) : h - l;
    if (this.count < this.period) {
      this.sum += tr;
      this.count++;
      if (this.count === this.period) this.value = this.sum / this.period;
    } else {
      this.value = (this.value * (this.period - 1) + tr) / this.period;
    }
    return this.value;
  }
}
