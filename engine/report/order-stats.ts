import { retcodeText } from '../model/mt5.ts';
import { widened } from '../util/typed-arrays.ts';

/**
 * Quantiles of losing trades' realised risk (loss / balance sized from): each loss kept as one
 * number (8 bytes a losing trade, like the report's trade table), sorted when a quantile is
 * asked for. A fixed histogram fine enough for 0.001 % was 400 KB per run, allocated and zeroed
 * by every optimiser trial.
 */
export class RealizedRisk {
  private values = new Float64Array(64);
  private sorted = true;
  count = 0;
  max = 0;

  /** `fraction` = loss / balance the trade was sized from (0.0123 = 1.23 %). */
  add(fraction: number): void {
    if (!(fraction > 0)) return;
    if (this.count === this.values.length) this.values = widened(this.values, this.count * 2);
    this.values[this.count++] = fraction;
    if (fraction > this.max) this.max = fraction;
    this.sorted = false;
  }

  /** The q-quantile (nearest rank) in percent of balance. */
  quantilePct(q: number): number {
    if (this.count === 0) return 0;
    const values = this.values.subarray(0, this.count);
    if (!this.sorted) {
      values.sort();
      this.sorted = true;
    }
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    return values[rank - 1] * 100;
  }
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
