import type { BarSeries } from '../model/bar.ts';
import { TIMEFRAME_MS } from '../model/bar.ts';

export interface FeedSource {
  readonly symbol: string;
  readonly history: BarSeries;
  /** Index of the next bar to deliver. */
  next: number;
}

/**
 * Replays recorded history as a live feed: every tick of a wall-clock timer moves market time
 * to the next bar close of any symbol and delivers each symbol's bar that closes then, in the
 * configured order (the portfolio backtest's order, `runtime/bar-merge.ts`; with one timeframe
 * that is also open-time order). Weekends and gaps cost no wall time. Used by the paper bot; the MT5 bridge feed takes
 * its place live.
 */
export class ReplayFeed {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly sources: readonly FeedSource[],
    private readonly deliver: (source: FeedSource, index: number) => void,
    private readonly onExhausted: () => void,
    /** While true, timer ticks deliver nothing (market time stands still). */
    private readonly wait: () => boolean = () => false,
  ) {}

  /** Starts delivering one market step every `1000 / barsPerSecond` ms. */
  start(barsPerSecond: number): void {
    if (this.timer) return;
    const interval = Math.max(1, Math.round(1000 / barsPerSecond));
    this.timer = setInterval(() => {
      if (!this.wait()) this.step();
    }, interval);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Delivers the next market time's bars; returns false when every source is exhausted. */
  step(): boolean {
    let nextClose = Infinity;
    for (const s of this.sources) {
      if (s.next < s.history.length) nextClose = Math.min(nextClose, s.history.time[s.next] + TIMEFRAME_MS[s.history.timeframe]);
    }
    if (nextClose === Infinity) {
      this.stop();
      this.onExhausted();
      return false;
    }
    for (const s of this.sources) {
      if (s.next < s.history.length && s.history.time[s.next] + TIMEFRAME_MS[s.history.timeframe] === nextClose) this.deliver(s, s.next++);
    }
    return true;
  }

  /** Positions each source after `cursor[symbol]` (a bar open time), or at `fallback` index. */
  seek(cursor: Readonly<Record<string, number>>, fallback: (source: FeedSource) => number): void {
    for (const s of this.sources) {
      const after = cursor[s.symbol];
      if (after === undefined) {
        s.next = fallback(s);
        continue;
      }
      let i = 0;
      while (i < s.history.length && s.history.time[i] <= after) i++;
      s.next = i;
    }
  }
}
