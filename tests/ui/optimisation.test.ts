import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { OptimisationTrialRow } from '../../protocol/index.ts';
import { reduceAll } from '../../ui/src/core/reducer.ts';
import { initialState, type WorkbenchInput } from '../../ui/src/core/state.ts';
import { heatmapOf, sortRows, trialColumns } from '../../ui/src/features/optimisation/optimisation-model.ts';

const row = (id: string, fast: number, slow: number, value: number | null): OptimisationTrialRow => ({
  id, params: { fast, slow }, value, net_profit: value ?? 0, profit_factor: null, sharpe: value ?? 0, max_drawdown_pct: 0.1, trades: 10, weeks_within_target: 1, weeks_total: 2,
});
const objective = { id: 'sharpe', label: 'Sharpe', direction: 'max' as const };
const progress = (rows: OptimisationTrialRow[], done: number): WorkbenchInput => ({ type: 'optimisation_progress', optimisation_id: 'o1', objective, done, planned: 4, trials_per_second: 2, eta_seconds: 1, rows });

test('progress messages add each trial row once; the end keeps them and takes the recording', () => {
  const state = reduceAll(initialState(), [
    progress([row('a', 5, 20, 1), row('b', 5, 40, 2)], 2),
    progress([row('c', 10, 20, null)], 3),
    { type: 'optimisation_complete', optimisation_id: 'o1', stopped: true, done: 3, planned: 4, recording: { id: 'o1', trials: [] } },
  ]);
  const o = state.optimisations.o1;
  assert.equal(o.rows.map((r) => r.id), ['a', 'b', 'c']);
  assert.is(o.finished, true);
  assert.is(o.stopped, true);
  assert.equal(state.optimisationOrder, ['o1']);
});

test('a client that joined late takes the recording\'s trials as its rows, the objective by its direction', () => {
  const state = reduceAll(initialState(), [{
    type: 'optimisation_complete', optimisation_id: 'o2', stopped: false, done: 2, planned: 2,
    recording: { id: 'o2', objective: { id: 'drawdown', label: 'Max drawdown %', direction: 'min' }, trials: [
      { id: 'x', params: { fast: 5 }, score: -0.1, metrics: { netProfit: 5, profitFactor: 1.2, sharpe: 0.3, maxDrawdownPct: 0.1, trades: 4, weeksWithinTarget: 1, weeksTotal: 3 } },
      { id: 'y', params: { fast: 9 }, score: null, metrics: { netProfit: 0, profitFactor: null, sharpe: 0, maxDrawdownPct: 0, trades: 0, weeksWithinTarget: 0, weeksTotal: 3 } },
    ] },
  }]);
  assert.equal(state.optimisations.o2.rows.map((r) => [r.id, r.value]), [['x', 0.1], ['y', null]]);
});

test('issue m4: the objective\'s column is named as the score, never a second "Net profit"', () => {
  const labels = trialColumns(['fast'], 'Net profit').map((c) => c.label);
  assert.equal(labels.filter((l) => l === 'Net profit'), ['Net profit']);
  assert.ok(labels.includes('Score: Net profit'));
});

test('the weeks column is named by the configured weekly band when the server says it, generic for an older server', () => {
  const weeks = (band?: { min: number; max: number } | null) => trialColumns(['fast'], 'Sharpe', band).find((c) => c.key === 'weeks')!.label;
  assert.is(weeks({ min: 1, max: 4 }), 'Weeks 1-4');
  assert.is(weeks(null), 'Weeks in band');
  assert.is(weeks(), 'Weeks in band');
});

test('sorting puts missing values last in either direction and breaks ties by trial id', () => {
  const rows = [row('d', 5, 20, 1), row('a', 10, 20, null), row('c', 5, 40, 3), row('b', 10, 40, 1)];
  const value = trialColumns(['fast', 'slow'], 'Sharpe').find((c) => c.key === 'value')!;
  assert.equal(sortRows(rows, value, true).map((r) => r.id), ['c', 'b', 'd', 'a']);
  assert.equal(sortRows(rows, value, false).map((r) => r.id), ['b', 'd', 'c', 'a']);
});

test('the heatmap has a cell per pair of values holding the best trial over the other parameters', () => {
  const rows = [
    { ...row('a', 5, 20, 1), params: { fast: 5, slow: 20, stop: 1 } },
    { ...row('b', 5, 20, 4), params: { fast: 5, slow: 20, stop: 2 } },
    { ...row('c', 10, 20, null), params: { fast: 10, slow: 20, stop: 1 } },
    { ...row('d', 10, 40, -2), params: { fast: 10, slow: 40, stop: 1 } },
  ];
  const map = heatmapOf(rows, 'fast', 'slow', 'max');
  assert.equal(map.xs, [5, 10]);
  assert.equal(map.ys, [20, 40]);
  const cell = (x: number, y: number) => map.cells.find((c) => c.x === x && c.y === y)!;
  assert.is(cell(5, 20).value, 4);
  assert.is(cell(5, 20).best!.id, 'b');
  assert.is(cell(5, 20).trials, 2);
  assert.is(cell(10, 20).value, null, 'no ranked trial');
  assert.is(map.min, -2);
  assert.is(heatmapOf(rows, 'fast', 'slow', 'min').cells.find((c) => c.x === 5 && c.y === 20)!.best!.id, 'a', 'minimised: the lowest wins');
});

test.run();
