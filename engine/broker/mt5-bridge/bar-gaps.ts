import type { Bar } from '../../model/bar.ts';
import type { LiveBar } from '../live-broker-port.ts';

/**
 * Closed bars per symbol and timeframe, each published once and in order. After a reconnect the
 * bars that closed while the link was down are fetched (`history`) and published before the live
 * ones that arrived meanwhile, which are held back until the gap is filled.
 */
export class BarGaps {
  private readonly last = new Map<string, LiveBar>();
  private readonly held = new Map<string, LiveBar[]>();

  /** `accept`: whether a bar's time is plausible (see `FutureStamps`); a refused bar is neither published nor remembered as the last. */
  constructor(private readonly emit: (bar: LiveBar) => void, private readonly accept: (bar: LiveBar) => boolean = () => true) {}

  /** A bar from the live stream. */
  live(bar: LiveBar): void {
    const queue = this.held.get(key(bar));
    if (queue) queue.push(bar);
    else this.pass(bar);
  }

  /** Fetches and publishes every bar after the last one seen, for each stream seen so far; returns how many. */
  async fill(fetch: (symbol: string, timeframe: string, from: number) => Promise<Bar[]>, onError: (text: string) => void): Promise<number> {
    let published = 0;
    for (const [k, last] of [...this.last]) {
      this.held.set(k, []);
      try {
        const bars = await fetch(last.symbol, last.timeframe, last.bar.time + 1);
        for (const bar of [...bars].sort((a, b) => a.time - b.time)) if (this.pass({ symbol: last.symbol, timeframe: last.timeframe, bar })) published += 1;
      } catch (err) {
        onError(`mt5-bridge: backfilling ${last.symbol} ${last.timeframe} bars after reconnect failed: ${(err as Error).message}`);
      } finally {
        const queue = this.held.get(k) ?? [];
        this.held.delete(k);
        for (const bar of queue) this.pass(bar);
      }
    }
    return published;
  }

  private pass(bar: LiveBar): boolean {
    const k = key(bar);
    const last = this.last.get(k);
    if (last && bar.bar.time <= last.bar.time) return false; // sent again after a reconnect
    if (!this.accept(bar)) return false;
    this.last.set(k, bar);
    this.emit(bar);
    return true;
  }
}

function key(bar: Pick<LiveBar, 'symbol' | 'timeframe'>): string {
  return `${bar.symbol}|${bar.timeframe}`;
}
