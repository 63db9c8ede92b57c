import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rowOf } from '../../engine/server/optimisation-rows.ts';
import { resolveObjective } from '../../engine/optimize/objectives.ts';
import type { TrialRecord } from '../../engine/optimize/optimizer.ts';
import type { SearchPlan } from '../../engine/optimize/run-optimisation.ts';
import { OptimisationTrialRowCodec } from '../../protocol/index.ts';
import { trialColumns, sortRows } from '../../ui/src/features/optimisation/optimisation-model.ts';
import { smaCrossover } from '../../plugins/sma-crossover/index.ts';

// Reviewer finding 1 in the workbench: a flat trial's net profit 0.00 was its value, so the
// table sorted it above every losing trial, with nothing saying it never traded.
const metrics = { netProfit: -1107.32, grossProfit: 1000, grossLoss: 2107.32, profitFactor: 0.47, expectedPayoff: -25, sharpe: -2.38, sortino: -2, recoveryFactor: -0.8, maxDrawdown: 1348, maxDrawdownPct: 0.13, trades: 44, winRate: 0.3, weeksWithinTarget: 10, weeksTotal: 14, finalBalance: 8892.68, ordersSent: 44, ordersRefused: 0, mainRefusal: null };
const record = (index: number, m: TrialRecord['metrics']): TrialRecord => ({ id: `t${index}`, index, params: { fast: 10, slow: 12 + index }, metrics: m, score: 0, weeklyReturns: [] });

test('a trial without trades goes on the wire with no value and a note saying why, and the workbench lists it last with the note', () => {
  const plan = { objective: resolveObjective('net-profit', smaCrossover) } as SearchPlan;
  const flat = rowOf(record(1, { ...metrics, netProfit: 0, profitFactor: null, trades: 0, ordersSent: 76, ordersRefused: 76, mainRefusal: 10019 }), plan);
  const losing = rowOf(record(0, metrics), plan);
  assert.is(flat.value, null);
  assert.is(flat.note, 'no trades: 76 of 76 orders refused, 10019 there is not enough money to complete the request');
  assert.is(losing.note, undefined);
  assert.ok(OptimisationTrialRowCodec.is(flat));
  const columns = trialColumns(['fast', 'slow'], plan.objective.label);
  const ranked = sortRows([flat, losing], columns.find((c) => c.key === 'value')!, true);
  assert.equal(ranked.map((r) => r.id), ['t0', 't1']);
  assert.is(columns.find((c) => c.key === 'trades')!.format(flat), '0 (no trades: 76 of 76 orders refused, 10019 there is not enough money to complete the request)');
  assert.is(rowOf(record(2, { ...metrics, trades: 0, ordersSent: 0, ordersRefused: 0 }), plan).note, 'no trades');
});

test.run();
