import { retcodeText } from '../model/mt5.ts';

/** Streaming quantiles of losing trades' realised risk (loss / balance sized from), O(1) memory. */
export class RealizedRisk {
  /** Bins of 0.001 % of balance up to 100 %; larger losses count in the last bin (and in `max`). */
  private readonly bins = new Uint32Array(100_001);
  count = 0;
  max = 0;

  /** `fraction` = loss / balance the trade was sized from (0.0123 = 1.23 %). */
  add(fraction: number): void {
    if (!(fraction > 0)) return;
    this.count++;
    if (fraction > this.max) this.max = fraction;
    this.bins[Math.min(this.bins.length - 1, Math.round(fraction * 1e5))]++;
  }

  /** The q-quantile (nearest rank) in percent of balance, to 0.001 %. */
  quantilePct(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let k = 0; k < this.bins.length; k++) {
      seen += this.bins[k];
      if (seen >= rank) return k === this.bins.length - 1 ? this.max * 100 : k / 1000;
    }
    return this.max * 100;
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
