import { TIMEFRAME_MS, type BarSeries } from '../model/bar.ts';

/** One symbol's bars in a merge, and the index of its next bar. */
export interface MergeSource {
  readonly series: BarSeries;
  next: number;
}

/**
 * The order several symbols' bars reach the engine: by close time (a bar is known when it
 * closes), ties in the order the symbols are configured. One rule for the portfolio backtest
 * and the paper bot's replay, so both see the same bars in the same order whatever the
 * timeframes and session hours.
 */
export function closeTimeOf(source: MergeSource): number {
  const s = source.series;
  return source.next < s.length ? s.time[source.next] + TIMEFRAME_MS[s.timeframe] : Infinity;
}

/** The source whose next bar closes first (the earlier configured on a tie), or -1 when all are done. */
export function nextSource(sources: readonly MergeSource[]): number {
  let best = -1;
  let bestClose = Infinity;
  for (let k = 0; k < sources.length; k++) {
    const close = closeTimeOf(sources[k]);
    if (close < bestClose) {
      best = k;
      bestClose = close;
    }
  }
  return best;
}

/**
 * How many bars of `sources[k]` from its next one come before any other source's next bar:
 * those run as one range. At least 1 when `k` has a bar left.
 */
export function runLength(sources: readonly MergeSource[], k: number): number {
  const own = sources[k];
  const s = own.series;
  if (own.next >= s.length) return 0;
  // Alone: every bar left is one range (an optimiser's one-symbol trial).
  if (sources.length === 1) return s.length - own.next;
  // The first other bar that would go before ours: the earliest close among the others; on an
  // equal close, an earlier-configured source goes first.
  let limit = Infinity;
  let limitFromEarlier = false;
  for (let j = 0; j < sources.length; j++) {
    if (j === k) continue;
    const close = closeTimeOf(sources[j]);
    if (close < limit || (close === limit && j < k)) {
      limit = close;
      limitFromEarlier = j < k;
    }
  }
  return Math.max(1, closingBefore(s.time, own.next, s.length, TIMEFRAME_MS[s.timeframe], limit, limitFromEarlier) - own.next);
}

/**
 * The index of the first bar from `from` that closes after `limit` (or at it, when the limit's
 * source goes first), or `length`. The scan is a function of its own: a long scan is compiled
 * while it runs, and code after such a loop in the same function had no type feedback yet, so
 * it threw the compiled code away at the end of every run.
 */
function closingBefore(time: Float64Array, from: number, length: number, barMs: number, limit: number, limitFromEarlier: boolean): number {
  let i = from;
  while (i < length) {
    const close = time[i] + barMs;
    if (close > limit || (close === limit && limitFromEarlier)) break;
    i++;
  }
  return i;
}
