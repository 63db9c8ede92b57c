import type { Strategy, TrialMetrics } from '../strategy/strategy.ts';
import { ParamError } from './param-space.ts';

/**
 * What the search maximises. `score` is higher-is-better for every objective (drawdown is
 * scored negated), so searches and rankings never need to know the direction; `value` is the
 * number shown to the user. A trial without trades, or a non-finite value (undefined ratio),
 * scores -Infinity and ranks last: a flat trial must not beat every losing one on net profit.
 */
export interface Objective {
  readonly id: string;
  readonly label: string;
  readonly direction: 'max' | 'min';
  value(metrics: TrialMetrics): number;
}

/** The governor's weekly trade band (min and max trades a week), for labels: `Weeks within 1-2`. */
export interface WeeklyBand {
  readonly min: number;
  readonly max: number;
}

export const DEFAULT_BAND: WeeklyBand = { min: 3, max: 10 };

const builtin = (band: WeeklyBand): readonly Objective[] => [
  { id: 'net-profit', label: 'Net profit', direction: 'max', value: (m) => m.netProfit },
  // No losing trade: MT5 shows the profit factor as undefined; a search must not prefer two lucky trades.
  { id: 'profit-factor', label: 'Profit factor', direction: 'max', value: (m) => m.profitFactor ?? NaN },
  { id: 'sharpe', label: 'Sharpe', direction: 'max', value: (m) => m.sharpe },
  { id: 'recovery-factor', label: 'Recovery factor', direction: 'max', value: (m) => m.recoveryFactor ?? NaN },
  { id: 'expected-payoff', label: 'Expected payoff', direction: 'max', value: (m) => (m.trades > 0 ? m.expectedPayoff : NaN) },
  { id: 'drawdown', label: 'Max drawdown %', direction: 'min', value: (m) => (m.trades > 0 ? m.maxDrawdownPct : NaN) },
  { id: 'weeks-in-band', label: `Weeks within ${band.min}-${band.max}`, direction: 'max', value: (m) => m.weeksWithinTarget },
];

export const BUILTIN_OBJECTIVES: readonly string[] = builtin(DEFAULT_BAND).map((o) => o.id);

/** Higher is better; -Infinity for a value that cannot be ranked. */
export function scoreOf(objective: Objective, metrics: TrialMetrics): number {
  if (metrics.trades === 0) return -Infinity;
  const v = objective.value(metrics);
  if (!Number.isFinite(v)) return -Infinity;
  return objective.direction === 'max' ? v : -v;
}

/**
 * A built-in objective by id, or one the strategy exports under `objectives` (scored higher
 * is better). An unknown name is an error listing the choices. `band` is the governor's weekly
 * band, which `weeks-in-band` counts and names.
 *
 * @example
 * resolveObjective('sharpe', smaCrossover).value(metrics);
 */
export function resolveObjective(id: string, strategy: Strategy, band: WeeklyBand = DEFAULT_BAND): Objective {
  const found = builtin(band).find((o) => o.id === id);
  if (found) return found;
  const custom = strategy.objectives?.[id];
  if (custom) return { id, label: id, direction: 'max', value: custom };
  const own = Object.keys(strategy.objectives ?? {});
  throw new ParamError(`--objective "${id}": not one of ${[...BUILTIN_OBJECTIVES, ...own].join(', ')}${own.length ? '' : ` ("${strategy.id}" exports no objectives of its own)`}`);
}
