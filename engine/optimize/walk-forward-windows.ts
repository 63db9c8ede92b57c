import type { BarRange } from './trial.ts';

export type WalkForwardMode = 'rolling' | 'anchored';

export interface WalkForwardPlan {
  readonly mode: WalkForwardMode;
  /** In-sample length in calendar months (anchored: the first window's). */
  readonly inSampleMonths: number;
  readonly outOfSampleMonths: number;
}

export interface WalkForwardWindow {
  readonly inSample: BarRange;
  readonly outOfSample: BarRange;
  /** UTC month starts bounding the segments as planned: IS from, IS to = OOS from, OOS to. */
  readonly isFrom: number;
  readonly oosFrom: number;
  readonly oosTo: number;
  /** True when the data ends more than a week before `oosTo`: the segment is short and its WFE not annualised. */
  readonly partial: boolean;
}

/** The time span every symbol's bars cover: from the latest first bar to the earliest last bar (open times). */
export interface CommonSpan {
  readonly from: number;
  readonly to: number;
}

/** A segment whose data stop more than this before its planned end is partial (a weekend or a holiday is not). */
const PARTIAL_SLACK_MS = 7 * 86_400_000;

/**
 * Parses `--walk-forward rolling:24:6` or `anchored:24:6` (in-sample and out-of-sample months).
 *
 * @example
 * parseWalkForward('rolling:24:6'); // { mode: 'rolling', inSampleMonths: 24, outOfSampleMonths: 6 }
 */
export function parseWalkForward(text: string): WalkForwardPlan {
  const m = /^(rolling|anchored):(\d+)m?:(\d+)m?$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[3]) < 1) {
    throw new Error(`--walk-forward "${text}": expected rolling:IS:OOS or anchored:IS:OOS in whole months, e.g. rolling:24:6`);
  }
  return { mode: m[1] as WalkForwardMode, inSampleMonths: Number(m[2]), outOfSampleMonths: Number(m[3]) };
}

/**
 * The windows over bars opening at `time[0..length-1]` within `span` (the time every symbol
 * covers; all the bars when absent): out-of-sample segments of `outOfSampleMonths` back to
 * back from the end of the first in-sample period to the span's last bar (a last short
 * segment counts if it holds bars, marked `partial`), each preceded by its in-sample period
 * (rolling: the `inSampleMonths` before it; anchored: everything since the span's start).
 * Every out-of-sample bar opens at or after its in-sample period's end, so nothing leaks.
 */
export function walkForwardWindows(time: Float64Array, length: number, plan: WalkForwardPlan, span?: CommonSpan): WalkForwardWindow[] {
  if (length === 0) return [];
  const start = span ? firstAtOrAfter(time, length, span.from) : 0;
  const end = span ? firstAtOrAfter(time, length, span.to + 1) : length;
  if (end <= start) return [];
  const first = new Date(time[start]);
  const origin = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1);
  const month = (k: number) => {
    const d = new Date(origin);
    d.setUTCMonth(d.getUTCMonth() + k);
    return d.getTime();
  };
  const indexAt = (t: number) => Math.min(end, Math.max(start, firstAtOrAfter(time, length, t)));
  const last = time[end - 1];
  const windows: WalkForwardWindow[] = [];
  for (let k = plan.inSampleMonths; ; k += plan.outOfSampleMonths) {
    const isFrom = plan.mode === 'anchored' ? origin : month(k - plan.inSampleMonths);
    const oosFrom = month(k);
    const oosTo = month(k + plan.outOfSampleMonths);
    const o = { from: indexAt(oosFrom), to: indexAt(oosTo) };
    if (o.from >= end) break;
    const i = { from: indexAt(isFrom), to: o.from };
    if (i.to - i.from > 0 && o.to > o.from) windows.push({ inSample: i, outOfSample: o, isFrom, oosFrom, oosTo, partial: oosTo - last > PARTIAL_SLACK_MS });
  }
  return windows;
}

/**
 * Why no window fits, with the months needed and the months there:
 * `the data covers 20.9 months (1996-04-01..1997-12-30); rolling:24:6 needs more than 24 (24 in-sample months, then out-of-sample bars; 30 for a whole first window)`.
 */
export function tooShortMessage(time: Float64Array, length: number, plan: WalkForwardPlan, text: string, span?: CommonSpan): string {
  const from = span ? span.from : time[0];
  const to = span ? span.to : time[length - 1];
  const months = length === 0 ? 0 : (to - from) / (365.25 / 12 * 86_400_000);
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const covered = length === 0 ? 'there are no bars' : `the data${span ? ' every symbol covers' : ''} spans ${months.toFixed(1)} months (${day(from)}..${day(to)})`;
  return `--walk-forward ${text}: ${covered}; one window needs more than ${plan.inSampleMonths} (${plan.inSampleMonths} in-sample months, then out-of-sample bars; ${plan.inSampleMonths + plan.outOfSampleMonths} for a whole first window)`;
}

/**
 * The span all the series cover, or null when they do not overlap.
 *
 * @example
 * commonSpan([usdchf, eurusd]); // { from: latest first bar, to: earliest last bar }
 */
export function commonSpan(series: readonly { readonly time: Float64Array; readonly length: number }[]): CommonSpan | null {
  let from = -Infinity;
  let to = Infinity;
  for (const s of series) {
    if (s.length === 0) return null;
    from = Math.max(from, s.time[0]);
    to = Math.min(to, s.time[s.length - 1]);
  }
  return from <= to ? { from, to } : null;
}

function firstAtOrAfter(time: Float64Array, length: number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
