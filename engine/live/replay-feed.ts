import { TIMEFRAME_MS } from '../model/bar.ts';
import { StepMerge, type MergeSource } from '../runtime/bar-merge.ts';

export interface FeedSource extends MergeSource {
  readonly symbol: string;
}

/**
 * Replays recorded history as a live feed: every tick of a wall-clock timer moves market time
 * to the next bar close of any symbol and delivers every bar step due by then, in the
 * portfolio backtest's order (`runtime/bar-merge.ts`): a bar's OPEN (only its time and open
 * price: the strategy sees the bar at its close) and its CLOSE (the whole bar). A bar closing
 * at a tick's time and the next bar's open at that time both go in that tick, the close first.
 * Weekends and gaps cost no wall time. Used by the paper bot; the MT5 bridge feed takes its
 * place live.
 */
export class ReplayFeed {
  private timer: NodeJS.Timeout | null = null;
  private readonly merge: StepMerge;

  constructor(
    readonly sources: readonly FeedSource[],
    private readonly deliverOpen: (source: FeedSource, index: number) => void,
    private readonly deliverClose: (source: FeedSource, index: number) => void,
    private readonly onExhausted: () => void,
    /** While true, timer ticks deliver nothing (market time stands still). */
    private readonly wait: () => boolean = () => false,
  ) {
    this.merge = new StepMerge(sources);
  }

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

  /** Delivers every step up to the next bar close; returns false when every source is exhausted. */
  step(): boolean {
    let nextClose = Infinity;
    for (const s of this.sources) {
      if (s.next < s.series.length) nextClose = Math.min(nextClose, s.series.time[s.next] + TIMEFRAME_MS[s.series.timeframe]);
    }
    if (nextClose === Infinity) {
      this.stop();
      this.onExhausted();
      return false;
    }
    const merge = this.merge;
    for (;;) {
      const k = merge.first();
      if (k < 0 || merge.timeOf(k) > nextClose) break;
      const s = this.sources[k];
      const i = s.next;
      const opened = s.opened;
      merge.stepped(k);
      if (opened) this.deliverClose(s, i);
      else this.deliverOpen(s, i);
    }
    return true;
  }

  /** Positions each source after `cursor[symbol]` (a bar open time), or at `fallback` index. */
  seek(cursor: Readonly<Record<string, number>>, fallback: (source: FeedSource) => number): void {
    for (const s of this.sources) {
      const after = cursor[s.symbol];
      s.opened = false;
      if (after === undefined) {
        s.next = fallback(s);
        continue;
      }
      let i = 0;
      while (i < s.series.length && s.series.time[i] <= after) i++;
      s.next = i;
    }
    this.merge.sync();
  }
}
