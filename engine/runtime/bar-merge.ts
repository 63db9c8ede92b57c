import { TIMEFRAME_MS, type BarSeries } from '../model/bar.ts';

/** One symbol's bars in a merge: the bar whose step comes next, and which of its two steps that is. */
export interface MergeSource {
  readonly series: BarSeries;
  next: number;
  /** Bar `next`'s OPEN step has run: its CLOSE comes next. */
  opened: boolean;
}

/** A step's rank among steps at one time: a bar closing at T ends before one opening at T. */
const CLOSE = 0;
const OPEN = 1;

/**
 * The order several symbols' bars reach the engine. Each bar is two steps: its OPEN at its
 * time (the governor's clock, swaps, fills at the open) and its CLOSE at time + timeframe
 * (stops over its range, the strategy). Steps go by time; at an equal time CLOSE steps before
 * OPEN steps; among steps of one kind at one time, the configured order. One rule for the
 * portfolio backtest and the paper bot's replay, so both see the same steps in the same order
 * whatever the timeframes and session hours.
 */
export function stepTimeOf(source: MergeSource): number {
  const s = source.series;
  if (source.next >= s.length) return Infinity;
  return source.opened ? s.time[source.next] + TIMEFRAME_MS[s.timeframe] : s.time[source.next];
}

/** The source whose next step goes first (see `stepTimeOf`), or -1 when all are done. */
export function nextSource(sources: readonly MergeSource[]): number {
  let best = -1;
  let bestTime = Infinity;
  let bestKind = OPEN;
  for (let k = 0; k < sources.length; k++) {
    const time = stepTimeOf(sources[k]);
    const kind = sources[k].opened ? CLOSE : OPEN;
    if (time < bestTime || (time === bestTime && time !== Infinity && kind < bestKind)) {
      best = k;
      bestTime = time;
      bestKind = kind;
    }
  }
  return best;
}

/**
 * How many bars of `sources[k]` from its next one run whole (OPEN and CLOSE with no other
 * source's step between them, `TradingEngine.processBars`) before any other source's next
 * step. 0 when its next step is a CLOSE, when it is done, or when another step comes between
 * its next bar's OPEN and CLOSE: that bar then runs as two steps. Call it for the source
 * `nextSource` picked.
 */
export function wholeBars(sources: readonly MergeSource[], k: number): number {
  const own = sources[k];
  const s = own.series;
  if (own.opened || own.next >= s.length) return 0;
  // Alone: every bar left runs whole (a single symbol's run, an optimiser's one-symbol trial).
  if (sources.length === 1) return s.length - own.next;
  // The first other step: the least (time, kind, configured order) among the others' next steps.
  let limit = Infinity;
  let limitKind = OPEN;
  let limitIndex = sources.length;
  for (let j = 0; j < sources.length; j++) {
    if (j === k) continue;
    const time = stepTimeOf(sources[j]);
    const kind = sources[j].opened ? CLOSE : OPEN;
    if (time < limit || (time === limit && (kind < limitKind || (kind === limitKind && j < limitIndex)))) {
      limit = time;
      limitKind = kind;
      limitIndex = j;
    }
  }
  // Our CLOSE at `limit` goes first unless the limit is a CLOSE of an earlier-configured source.
  return closingBefore(s.time, own.next, s.length, TIMEFRAME_MS[s.timeframe], limit, limitKind === CLOSE && limitIndex < k) - own.next;
}

/**
 * The index of the first bar from `from` that closes after `limit` (or at it, when the limit's
 * step goes first), or `length`. The scan is a function of its own: a long scan is compiled
 * while it runs, and code after such a loop in the same function had no type feedback yet, so
 * it threw the compiled code away at the end of every run.
 */
function closingBefore(time: Float64Array, from: number, length: number, barMs: number, limit: number, limitFirst: boolean): number {
  let i = from;
  while (i < length) {
    const close = time[i] + barMs;
    if (close > limit || (close === limit && limitFirst)) break;
    i++;
  }
  return i;
}
