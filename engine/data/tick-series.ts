import type { Tick } from '../model/tick.ts';

/**
 * Column-oriented ticks, the tick counterpart of `BarSeries`: resampling and synthetic data
 * work on these typed arrays so that a million ticks cost six arrays, not a million objects.
 * Only the first `length` entries are valid.
 */
export interface TickSeries {
  readonly time: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly last: Float64Array;
  readonly volume: Float64Array;
  length: number;
}

export function createTickSeries(capacity: number): TickSeries {
  return {
    time: new Float64Array(capacity),
    bid: new Float64Array(capacity),
    ask: new Float64Array(capacity),
    last: new Float64Array(capacity),
    volume: new Float64Array(capacity),
    length: 0,
  };
}

/** Appends one tick, doubling the arrays when full (returns the possibly new series). */
export function pushTick(series: TickSeries, time: number, bid: number, ask: number, last = 0, volume = 0): TickSeries {
  let s = series;
  if (s.length === s.time.length) s = growTickSeries(s, Math.max(16, s.time.length * 2));
  const i = s.length++;
  s.time[i] = time;
  s.bid[i] = bid;
  s.ask[i] = ask;
  s.last[i] = last;
  s.volume[i] = volume;
  return s;
}

function growTickSeries(s: TickSeries, capacity: number): TickSeries {
  const out = createTickSeries(capacity);
  out.time.set(s.time.subarray(0, s.length));
  out.bid.set(s.bid.subarray(0, s.length));
  out.ask.set(s.ask.subarray(0, s.length));
  out.last.set(s.last.subarray(0, s.length));
  out.volume.set(s.volume.subarray(0, s.length));
  out.length = s.length;
  return out;
}

/** Columnar copy of tick objects. */
export function tickSeriesFrom(ticks: readonly Tick[]): TickSeries {
  const s = createTickSeries(ticks.length);
  for (const t of ticks) pushTick(s, t.time, t.bid, t.ask, t.last, t.volume);
  return s;
}

/** Tick `i` as an object (events, tests; not for hot loops). */
export function tickAt(s: TickSeries, i: number): Tick {
  return { time: s.time[i], bid: s.bid[i], ask: s.ask[i], last: s.last[i], volume: s.volume[i] };
}

/** All ticks as objects. */
export function ticksOf(s: TickSeries): Tick[] {
  const out: Tick[] = new Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = tickAt(s, i);
  return out;
}
