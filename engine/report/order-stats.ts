import { retcodeText } from '../model/mt5.ts';
import { widened } from '../util/typed-arrays.ts';

/**
 * Quantiles of losing trades' realised risk (loss / balance sized from): each loss kept as one
 * number (8 bytes a losing trade, like the report's trade table), the asked rank found by
 * selection (linear; sorting twenty thousand losses cost more than the rest of the report). A
 * fixed histogram fine enough for 0.001 % was 400 KB per run, allocated and zeroed by every
 * optimiser trial.
 */
export class RealizedRisk {
  private values = new Float64Array(64);
  count = 0;
  max = 0;

  /** `fraction` = loss / balance the trade was sized from (0.0123 = 1.23 %). */
  add(fraction: number): void {
    if (!(fraction > 0)) return;
    if (this.count === this.values.length) this.values = widened(this.values, this.count * 2);
    this.values[this.count++] = fraction;
    if (fraction > this.max) this.max = fraction;
  }

  /** The q-quantile (nearest rank) in percent of balance. */
  quantilePct(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    return kthSmallest(this.values, this.count, rank - 1) * 100;
  }
}

/**
 * The `k`-th smallest (0-based) of `values[0..length)`, by quickselect (Hoare partition around
 * the median of three); reorders that range. Exact: the value a full sort would put at `k`.
 */
export function kthSmallest(values: Float64Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot: sorted input (common: losses in time order) stays linear.
    const a = values[lo], b = values[mid], c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    // [lo..j] <= pivot <= [i..hi], and anything strictly between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/** Orders sent in a run and why the refused ones were refused (by MT5 retcode). */
export class OrderStats {
  sent = 0;
  refused = 0;
  readonly byRetcode = new Map<number, number>();
  firstRefusal = '';

  filled(): void {
    this.sent++;
  }

  refusedWith(retcode: number, reason: string): void {
    this.sent++;
    this.refused++;
    this.byRetcode.set(retcode, (this.byRetcode.get(retcode) ?? 0) + 1);
    if (!this.firstRefusal) this.firstRefusal = reason;
  }

  /** `{"10016 Invalid stops in the request": 118}`, most frequent first. */
  refusedByReason(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [code, n] of [...this.byRetcode].sort((a, b) => b[1] - a[1] || a[0] - b[0])) out[`${code} ${retcodeText(code)}`] = n;
    return out;
  }
}
