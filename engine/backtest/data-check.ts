import type { BarSeries } from '../model/bar.ts';
import type { SymbolSpec } from '../model/symbol-spec.ts';
import { formatSeconds } from '../../protocol/envelope.ts';

export interface DataCheck {
  /** Prices no run can trade on (not a positive number): the run must not start. */
  readonly errors: string[];
  /** Prices that do not fit the spec's scale: the run may give nonsense (orders refused, tiny stops). */
  readonly warnings: string[];
}

/**
 * Checks bars against the symbol spec before a backtest: every price positive and finite
 * (else an error); warnings when prices carry more decimals than the spec's digits, when they
 * carry 3 or more fewer (a 150.00 stock under a 5-digit forex spec: strategies that place
 * stops in points then put them inside a bar's noise, and orders are refused), or when a typical
 * bar's move (median of high - low, or of the close-to-close step for single-price bars) is
 * under 1 point or over 1,000,000 points.
 */
export function checkSeriesAgainstSpec(s: BarSeries, spec: SymbolSpec, source = spec.name,
  /** Where the user declares the instrument's own spec: the backtest's flags, or a config's `bot.symbolSpecs`. */
  declare = '--spec-file or --spec digits=...'): DataCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const columns = ['open', 'high', 'low', 'close'] as const;
  const scale = 10 ** spec.digits;
  let extraDecimals = -1;
  let decimals = 0;
  for (let i = 0; i < s.length && errors.length < 5; i++) {
    for (const c of columns) {
      const v = s[c][i];
      if (i < 10_000) decimals = Math.max(decimals, decimalsOf(v));
      if (!(v > 0) || !Number.isFinite(v)) {
        errors.push(`${source}: bar ${i + 1} (${formatSeconds(s.time[i])}): ${c} ${v} is not a positive price`);
      } else if (extraDecimals < 0 && Math.abs(v * scale - Math.round(v * scale)) > 1e-6 * Math.max(1, v * scale)) {
        extraDecimals = i;
        warnings.push(`${source}: ${c} ${v} at ${formatSeconds(s.time[i])} has more decimals than ${spec.name}'s ${spec.digits} digits; prices are rounded to them when orders are sent (set the spec's "digits" if the data is right)`);
      }
    }
  }
  if (errors.length > 0 || s.length === 0) return { errors, warnings };
  if (decimals <= spec.digits - 3) {
    warnings.push(`${source}: prices have at most ${decimals} decimals but ${spec.name}'s spec has ${spec.digits} digits: the price scale is far from the spec's (stops in points would be ${10 ** (spec.digits - decimals)}x closer than meant); declare the instrument's own spec (${declare})`);
  }
  const n = Math.min(s.length, 10_000);
  const ranges = new Float64Array(n);
  // A bar's move: its range, or the step from the previous close when the bar is a single
  // price (bars built from one sample each).
  for (let i = 0; i < n; i++) ranges[i] = Math.max(s.high[i] - s.low[i], i > 0 ? Math.abs(s.close[i] - s.close[i - 1]) : 0) / spec.point;
  ranges.sort();
  const median = ranges[n >> 1];
  if (median > 1_000_000) {
    warnings.push(`${source}: a typical bar moves ${Math.round(median).toLocaleString('en-US')} points of ${spec.name} (point ${spec.point}): the spec's ${spec.digits} digits look too many for these prices (stops in points would sit inside a bar's noise); declare the instrument's own spec (${declare})`);
  } else if (median > 0 && median < 1) {
    warnings.push(`${source}: a typical bar moves less than one point of ${spec.name} (point ${spec.point}): the spec's ${spec.digits} digits look too few for these prices`);
  }
  return { errors, warnings };
}

/** Decimals of a price as written (up to 10): 1.1926 -> 4, 153.06 -> 2. */
function decimalsOf(v: number): number {
  for (let d = 0; d <= 10; d++) {
    const scaled = v * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-7 * Math.max(1, Math.abs(scaled))) return d;
  }
  return 10;
}

/**
 * Why `series` cannot run under the real-ticks model (`SimBrokerConfig.model: 'ticks'`): bars
 * without the ticks they were built from (an MT5 bar export) have nothing inside a bar to walk.
 * Null when it can. `what` names the data for the message.
 */
export function ticksProblem(series: BarSeries, what: string): string | null {
  return series.ticks ? null : `"ticks": ${what} holds bars, not ticks or time,price samples, so there is nothing inside a bar to walk; use "bars" (the default) or a tick export`;
}
