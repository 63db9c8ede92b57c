import type { TrialMetrics } from '../strategy/strategy.ts';
import type { TrialOutcome } from './trial.ts';

/** The metrics in the order `runTrial` builds them (so decoded objects print and serialise the same). */
const METRICS: readonly (keyof TrialMetrics)[] = [
  'netProfit', 'grossProfit', 'grossLoss', 'profitFactor', 'expectedPayoff', 'sharpe', 'sortino', 'recoveryFactor',
  'maxDrawdown', 'maxDrawdownPct', 'trades', 'winRate', 'weeksWithinTarget', 'weeksTotal', 'finalBalance',
  'ordersSent', 'ordersRefused', 'mainRefusal',
];
/** The metrics outcomes held before the order figures: a mask without EXTENDED has only these. */
const BASE_METRICS = 15;
/** Set in the null mask when the outcome holds every metric of METRICS (older workers stored BASE_METRICS). */
const EXTENDED = 1 << 30;

/** Outcomes without the order figures (built elsewhere than `runTrial`) keep the base layout, so they decode as they were. */
const extended = (o: TrialOutcome) => o.metrics.ordersSent !== undefined && o.metrics.ordersRefused !== undefined && o.metrics.mainRefusal !== undefined;

/** Doubles one outcome takes: a null mask, the metrics, the week count, the weekly returns. */
const sizeOf = (o: TrialOutcome) => 2 + (extended(o) ? METRICS.length : BASE_METRICS) + o.weeklyReturns.length;

/**
 * Trial outcomes as one Float64Array: what a pool thread sends back for a task (transferred,
 * not cloned) and what a queue worker stores per trial in Redis. Float64 keeps every number
 * bit for bit (NaN, infinities and -0 included), so decoded outcomes equal the originals;
 * structured clone of thousands of small objects and JSON text per trial cost the coordinator
 * and Redis far more than this.
 *
 * Layout per outcome: [bit k set: metric k is null, ...metrics, n, ...n weekly returns]; the
 * mask's bit 30 says the metrics include the order figures (outcomes stored before them have 15).
 */
export function encodeOutcomes(outcomes: readonly TrialOutcome[]): Float64Array {
  const out = new Float64Array(outcomes.reduce((n, o) => n + sizeOf(o), 0));
  let at = 0;
  for (const o of outcomes) {
    const count = extended(o) ? METRICS.length : BASE_METRICS;
    let nulls = count === METRICS.length ? EXTENDED : 0;
    const m = o.metrics as unknown as Record<string, number | null>;
    for (let k = 0; k < count; k++) {
      const v = m[METRICS[k]];
      if (v === null) nulls |= 1 << k;
      out[at + 1 + k] = v ?? 0;
    }
    out[at] = nulls;
    at += 1 + count;
    out[at++] = o.weeklyReturns.length;
    out.set(o.weeklyReturns, at);
    at += o.weeklyReturns.length;
  }
  return out;
}

/** The inverse of `encodeOutcomes`. */
export function decodeOutcomes(data: Float64Array): TrialOutcome[] {
  const outcomes: TrialOutcome[] = [];
  let at = 0;
  while (at < data.length) {
    const nulls = data[at];
    const count = nulls & EXTENDED ? METRICS.length : BASE_METRICS;
    const metrics: Record<string, number | null> = {};
    for (let k = 0; k < count; k++) metrics[METRICS[k]] = nulls & (1 << k) ? null : data[at + 1 + k];
    at += 1 + count;
    const n = data[at++];
    if (!Number.isInteger(n) || n < 0 || at + n > data.length) throw new Error(`trial outcome data is damaged: ${n} weekly returns at offset ${at - 1} of ${data.length}`);
    outcomes.push({ metrics: metrics as unknown as TrialMetrics, weeklyReturns: data.subarray(at, at + n) });
    at += n;
  }
  return outcomes;
}

/** One outcome as bytes (a queue worker's Redis value). */
export function outcomeBytes(outcome: TrialOutcome): Buffer {
  const data = encodeOutcomes([outcome]);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * An outcome stored in Redis: the bytes of `outcomeBytes`, or the JSON text workers before
 * them stored (a coordinator continuing a run such a worker began reads both).
 */
export function outcomeFromBytes(bytes: Buffer): TrialOutcome {
  if (bytes[0] === 0x7b) return JSON.parse(bytes.toString('utf8')) as TrialOutcome; // '{'
  if (bytes.length % 8 !== 0) throw new Error(`trial outcome data is damaged: ${bytes.length} bytes is not a whole number of doubles`);
  // Copied to an aligned buffer: a Redis reply's bytes may start at any offset.
  const data = new Float64Array(bytes.length / 8);
  new Uint8Array(data.buffer).set(bytes);
  const [outcome, ...rest] = decodeOutcomes(data);
  if (!outcome || rest.length > 0) throw new Error(`trial outcome data is damaged: ${rest.length + (outcome ? 1 : 0)} outcomes in one value`);
  return outcome;
}
