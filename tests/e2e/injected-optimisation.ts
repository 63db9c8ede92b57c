import type { Page } from 'playwright-core';
import type { TrialRecord } from '../../engine/optimize/optimizer.ts';
import { InlineExecutor } from '../../engine/optimize/executor.ts';
import { optimisationRecording, runNotes } from '../../engine/optimize/optimisation-output.ts';
import { prepareRun } from '../../engine/optimize/prepare-run.ts';
import { planSearch, runOptimisation } from '../../engine/optimize/run-optimisation.ts';

/**
 * The messages a server sends for three real optimisations of sma-crossover on USDCHF H4 (run
 * here, in this thread): a plain grid (with PBO/DSR), a walk-forward one and a genetic one. A page with no
 * server folds them like messages off the socket.
 */
export async function optimisationMessages(): Promise<{ ids: string[]; messages: unknown[] }> {
  const prepared = await prepareRun({ bot: { symbols: [{ symbol: 'USDCHF', timeframe: 'H4' }], strategy: 'sma-crossover' }, where: 'test', configDir: process.cwd(), from: '1997-01-01', to: '1999-12-31' });
  const messages: unknown[] = [];
  const ids: string[] = [];
  // A grid, a walk-forward, and a genetic search asked for more trials than the grid holds (it says why it ran fewer).
  for (const [id, walkForward, method] of [['usdchf-grid', undefined, 'grid'], ['usdchf-walk-forward', 'rolling:12:6', 'grid'], ['usdchf-genetic', undefined, 'genetic']] as const) {
    const plan = planSearch(prepared.inputs.bot, { params: ['fast=4:16:4', 'slow=20,30,40'], objective: 'sharpe', walkForward, method, ...(method === 'genetic' ? { trials: 40 } : {}) });
    const objective = { id: plan.objective.id, label: plan.objective.label, direction: plan.objective.direction };
    const rows: unknown[] = [];
    const row = (r: TrialRecord) => ({
      id: r.id, params: r.params, value: Number.isFinite(r.metrics.sharpe) ? r.metrics.sharpe : null, net_profit: r.metrics.netProfit, profit_factor: r.metrics.profitFactor,
      sharpe: r.metrics.sharpe, max_drawdown_pct: r.metrics.maxDrawdownPct, trades: r.metrics.trades, weeks_within_target: r.metrics.weeksWithinTarget, weeks_total: r.metrics.weeksTotal,
    });
    const result = await runOptimisation(prepared.inputs, plan, new InlineExecutor(prepared.inputs), prepared.run, { onTrial: (r) => rows.push(row(r)) });
    messages.push({ type: 'optimisation_progress', optimisation_id: id, objective, done: rows.length, planned: rows.length, trials_per_second: 10, eta_seconds: 0, rows });
    const recording = optimisationRecording({
      id, axes: plan.axes, createdFrom: { symbol: 'USDCHF', timeframe: 'H4', strategy: 'sma-crossover', method }, objective, band: plan.band,
      planned: result.planned, stopped: false, overfitting: result.overfitting, ...runNotes(prepared.warnings, result.note),
    }, result.ranked, result.walkForward);
    messages.push({ type: 'optimisation_complete', optimisation_id: id, stopped: false, done: rows.length, planned: result.planned, recording });
    ids.push(id);
  }
  return { ids, messages };
}

export async function injectOptimisations(page: Page, messages: readonly unknown[]): Promise<void> {
  await page.evaluate((inputs) => (window as unknown as { __tradeloom: { inject(i: unknown[]): void } }).__tradeloom.inject(inputs), messages as unknown[]);
}
