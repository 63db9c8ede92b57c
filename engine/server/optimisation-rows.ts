import type { OptimisationTrialRow } from '../../protocol/index.ts';
import type { TrialRecord } from '../optimize/optimizer.ts';
import type { SearchPlan } from '../optimize/run-optimisation.ts';
import { noTradesNote } from '../optimize/no-trades.ts';

/** A finished trial as the workbench's table row (`optimisation_progress`). */
export function rowOf(r: TrialRecord, plan: SearchPlan, window?: number): OptimisationTrialRow {
  const m = r.metrics;
  // A trial without trades has no value to rank by (a flat 0.00 must not sort above a loss).
  const value = m.trades > 0 ? plan.objective.value(m) : NaN;
  return {
    id: r.id, params: { ...r.params }, value: Number.isFinite(value) ? value : null, net_profit: m.netProfit, profit_factor: m.profitFactor,
    sharpe: m.sharpe, max_drawdown_pct: m.maxDrawdownPct, trades: m.trades, weeks_within_target: m.weeksWithinTarget, weeks_total: m.weeksTotal,
    ...(window ? { window } : {}),
    ...(m.trades === 0 ? { note: noTradesNote(m)! } : {}),
  };
}

/** `--param fast=-1: ...` as the message's field: `ranges.fast (-1): ...`. */
export function fieldOf(message: string): string {
  return message
    .replace(/^--param "([^"=]+)=[^"]*": /, 'ranges.$1: ')
    .replace(/^--param ([^\s=:]+)=(\S+): /, 'ranges.$1 ($2): ')
    .replace(/^--param ([^\s=:]+): /, 'ranges.$1: ')
    .replace(/^--constraint /, 'constraints: ')
    .replace(/^--objective /, 'objective: ')
    .replace(/^--walk-forward /, 'walk_forward: ')
    .replace(/^--trials /, 'trials: ')
    .replace(/^--population /, 'population: ')
    .replace(/^no --param given/, 'ranges: none given');
}

export function round(x: number): number {
  return Math.round(x * 10) / 10;
}
