import { TIMEFRAME_MS, type BarSeries } from '../model/bar.ts';

/** One symbol's bars in a merge: the bar whose step comes next, and which of its two steps that is. */
export interface MergeSource {
  readonly series: BarSeries;
  next: number;
  /** Bar `next`'s OPEN step has run: its CLOSE comes next. */
  opened: boolean;
}

/**
 * The order several symbols' bars reach the engine. Each bar is two steps: its OPEN at its
 * time (the governor's clock, swaps, fills at the open) and its CLOSE at time + timeframe
 * (stops over its range, the strategy). Steps go by time; at an equal time CLOSE steps before
 * OPEN steps (a bar closing at T ends before one opening at T); among steps of one kind at one
 * time, the configured order. One rule for the portfolio backtest and the paper bot's replay,
 * so both see the same steps in the same order whatever the timeframes and session hours.
 *
 * Each source's next step is kept as one number, time x 2 + (0 for a CLOSE, 1 for an OPEN), so
 * picking the first step is a scan of a typed array (the merge runs twice per bar).
 *
 * @example
 * ```ts
 * const merge = new StepMerge(sources);
 * for (let k = merge.first(); k >= 0; k = merge.first()) {
 *   if (sources[k].opened) { closeStep(k); merge.stepped(k); }
 *   else if (merge.wholeBars(k) > 0) { ... merge.ran(k, n); }
 *   else { openStep(k); merge.stepped(k); }
 * }
 * ```
 */
export class StepMerge {
  private readonly keys: Float64Array;
  private readonly barMs: Float64Array;

  constructor(readonly sources: readonly MergeSource[]) {
    this.keys = new Float64Array(sources.length);
    this.barMs = new Float64Array(sources.length);
    for (let k = 0; k < sources.length; k++) this.barMs[k] = TIMEFRAME_MS[sources[k].series.timeframe];
    this.sync();
  }

  /** Reads every source's `next` and `opened` again (after they were set from outside: a seek). */
  sync(): void {
    for (let k = 0; k < this.sources.length; k++) this.keyOf(k);
  }

  /** The time of source `k`'s next step (Infinity when it is done). */
  timeOf(k: number): number {
    const s = this.sources[k];
    if (s.next >= s.series.length) return Infinity;
    return s.opened ? s.series.time[s.next] + this.barMs[k] : s.series.time[s.next];
  }

  /** The source whose next step goes first, or -1 when all are done. */
  first(): number {
    const keys = this.keys;
    let best = -1;
    let bestKey = Infinity;
    for (let k = 0; k < keys.length; k++) {
      if (keys[k] < bestKey) {
        best = k;
        bestKey = keys[k];
      }
    }
    return best;
  }

  /**
   * How many bars of source `k` from its next one run whole (OPEN and CLOSE with no other
   * source's step between them) before any other source's next step. 0 when its next step is
   * a CLOSE, when it is done, or when another step comes between its next bar's OPEN and CLOSE:
   * that bar then runs as two steps. Call it for the source `first` picked.
   */
  wholeBars(k: number): number {
    const own = this.sources[k];
    const s = own.series;
    if (own.opened || own.next >= s.length) return 0;
    // Alone: every bar left runs whole (a single symbol's run, an optimiser's one-symbol trial).
    const keys = this.keys;
    if (keys.length === 1) return s.length - own.next;
    // The first other step (on an equal key, the earlier configured).
    let limit = Infinity;
    let limitIndex = keys.length;
    for (let j = 0; j < keys.length; j++) {
      if (j !== k && keys[j] < limit) {
        limit = keys[j];
        limitIndex = j;
      }
    }
    // Our CLOSE (time x 2) at an equal key goes first unless the limit is an earlier-configured source's CLOSE.
    return closingBefore(s.time, own.next, s.length, this.barMs[k], limit, limitIndex < k) - own.next;
  }

  /** The time of source `k`'s next step, known to be a CLOSE (`opened`): the bar's close time. */
  closeTimeOf(k: number): number {
    return this.keys[k] * 0.5;
  }

  /** Source `k`'s next step ran: its OPEN (its CLOSE is next) or its CLOSE (the next bar's OPEN is). */
  stepped(k: number): void {
    if (this.sources[k].opened) this.closed(k);
    else this.opened(k);
  }

  /** Source `k`'s OPEN ran: its CLOSE is next. */
  opened(k: number): void {
    const s = this.sources[k];
    s.opened = true;
    this.keys[k] = (s.series.time[s.next] + this.barMs[k]) * 2;
  }

  /** Source `k`'s CLOSE ran: the next bar's OPEN is next. */
  closed(k: number): void {
    const s = this.sources[k];
    s.opened = false;
    const next = ++s.next;
    this.keys[k] = next >= s.series.length ? Infinity : s.series.time[next] * 2 + 1;
  }

  /** `n` bars of source `k` ran whole. */
  ran(k: number, n: number): void {
    this.sources[k].next += n;
    this.keyOf(k);
  }

  private keyOf(k: number): void {
    const s = this.sources[k];
    this.keys[k] = s.next >= s.series.length ? Infinity : s.opened ? (s.series.time[s.next] + this.barMs[k]) * 2 : s.series.time[s.next] * 2 + 1;
  }
}

/**
 * The index of the first bar from `from` whose CLOSE key (close time x 2) comes after `limit`
 * (or is equal, when the limit's step goes first), or `length`. The scan is a function of its
 * own: a long scan is compiled while it runs, and code after such a loop in the same function
 * had no type feedback yet, so it threw the compiled code away at the end of every run.
 */
function closingBefore(time: Float64Array, from: number, length: number, barMs: number, limit: number, limitFirst: boolean): number {
  let i = from;
  while (i < length) {
    const key = (time[i] + barMs) * 2;
    if (key > limit || (key === limit && limitFirst)) break;
    i++;
  }
  return i;
}
