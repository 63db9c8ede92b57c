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
  /** UTC month starts bounding the segments, for labels: IS from, IS to = OOS from, OOS to. */
  readonly isFrom: number;
  readonly oosFrom: number;
  readonly oosTo: number;
}

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
 * The windows over bars opening at `time[0..length-1]`: out-of-sample segments of
 * `outOfSampleMonths` back to back from the end of the first in-sample period to the last
 * bar (a last partial segment counts if it holds bars), each preceded by its in-sample period
 * (rolling: the `inSampleMonths` before it; anchored: everything since the first bar). Every
 * out-of-sample bar opens at or after its in-sample period's end, so nothing leaks.
 */
export function walkForwardWindows(time: Float64Array, length: number, plan: WalkForwardPlan): WalkForwardWindow[] {
  if (length === 0) return [];
  const first = new Date(time[0]);
  const origin = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1);
  const month = (k: number) => {
    const d = new Date(origin);
    d.setUTCMonth(d.getUTCMonth() + k);
    return d.getTime();
  };
  const indexAt = (t: number) => {
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (time[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const windows: WalkForwardWindow[] = [];
  for (let k = plan.inSampleMonths; ; k += plan.outOfSampleMonths) {
    const isFrom = plan.mode === 'anchored' ? origin : month(k - plan.inSampleMonths);
    const oosFrom = month(k);
    const oosTo = month(k + plan.outOfSampleMonths);
    const o = { from: indexAt(oosFrom), to: indexAt(oosTo) };
    if (o.from >= length) break;
    const i = { from: indexAt(isFrom), to: o.from };
    if (i.to - i.from > 0 && o.to > o.from) windows.push({ inSample: i, outOfSample: o, isFrom, oosFrom, oosTo });
  }
  return windows;
}
