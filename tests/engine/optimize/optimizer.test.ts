import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { InlineExecutor } from '../../../engine/optimize/executor.ts';
import { resolveObjective } from '../../../engine/optimize/objectives.ts';
import { optimise, type TrialRecord } from '../../../engine/optimize/optimizer.ts';
import { parseParam, ParamSpace } from '../../../engine/optimize/param-space.ts';
import { PoolExecutor } from '../../../engine/optimize/pool-executor.ts';
import { oneSymbolSpec, resolveRun, runKey } from '../../../engine/optimize/run-spec.ts';
import { hashSeries, shareAll } from '../../../engine/optimize/shared-series.ts';
import { runTrial } from '../../../engine/optimize/trial.ts';

// Three months of H4: trials are cheap, so a grid spans several of the optimiser's batches (2,048).
const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1998-01-01', to: '1998-03-31' });
const spec = oneSymbolSpec({ symbol: 'USDCHF', timeframe: 'H4' });
const bars = new Map([['USDCHF', series]]);
const space = new ParamSpace([parseParam('fast=2:31:1'), parseParam('slow=40:199:1')]);
const run = runKey(spec, hashSeries(series));

test('a grid over several batches (the next one queued behind the running one) runs every combination once, on the pool as in this thread', async () => {
  const inputs = await resolveRun(spec, bars);
  const objective = resolveObjective('net-profit', inputs.bot.symbols[0].strategy);
  const valid = (p: Record<string, unknown>) => (p.fast as number) * 3 < (p.slow as number);
  const inline = await optimise({ space, valid, search: { method: 'grid' }, objective, executor: new InlineExecutor(inputs), run });
  const expected = [...Array(space.size).keys()].filter((i) => valid(space.at(i)));
  assert.ok(expected.length > 2 * 2_048, `${expected.length} combinations span three batches`);
  assert.is(inline.planned, expected.length);
  assert.is(inline.stopped, false);
  assert.equal(inline.ranked.map((r) => r.index).sort((a, b) => a - b), expected, 'each valid combination exactly once');
  for (const r of [inline.ranked[0], inline.ranked[1_000], inline.ranked.at(-1)!]) assert.equal(r, { ...r, ...runTrial(inputs, r.params) });
  // Weekly returns from a pool thread are a view of the doubles it sent: compared as values.
  const plain = (rs: readonly TrialRecord[]) => rs.map((r) => ({ ...r, weeklyReturns: Array.from(r.weeklyReturns) }));
  const pool = new PoolExecutor(shareAll(bars), spec, 2);
  try {
    const pooled = await optimise({ space, valid, search: { method: 'grid' }, objective, executor: pool, run });
    assert.equal(plain(pooled.ranked), plain(inline.ranked), 'same records in the same ranking');
  } finally {
    await pool.close();
  }
});

test('stopping mid-grid keeps the trials that finished and reports the run as stopped', async () => {
  const inputs = await resolveRun(spec, bars);
  const objective = resolveObjective('net-profit', inputs.bot.symbols[0].strategy);
  const stop = new AbortController();
  const r = await optimise({
    space, valid: () => true, search: { method: 'grid' }, objective, executor: new InlineExecutor(inputs), run, signal: stop.signal,
    onTrial: (_, done) => done === 2_500 && stop.abort(),
  });
  assert.is(r.stopped, true);
  assert.ok(r.ranked.length >= 2_500 && r.ranked.length < space.size, `${r.ranked.length} kept`);
  assert.is(new Set(r.ranked.map((x) => x.index)).size, r.ranked.length, 'none twice');
});

test('a genetic search that ends before the trials asked for says why in the optimiser\'s result (CLI, recording and workbench show it)', async () => {
  const inputs = await resolveRun(spec, bars);
  const objective = resolveObjective('net-profit', inputs.bot.symbols[0].strategy);
  // fast 2..4 x slow 40..42: 9 combinations, 200 trials asked for.
  const tiny = new ParamSpace([parseParam('fast=2:4:1'), parseParam('slow=40:42:1')]);
  const r = await optimise({ space: tiny, valid: () => true, search: { method: 'genetic', trials: 200, seed: 1, genetic: { population: 4, stall: 1_000 } }, objective, executor: new InlineExecutor(inputs), run });
  assert.is(r.ranked.length, 9);
  assert.is(r.note, 'genetic search: stopped after 9 of the 200 trials asked for: no combination that passes the constraints and was not run yet could be bred or drawn (9 combinations in the grid)');
  const all = await optimise({ space: tiny, valid: () => true, search: { method: 'genetic', trials: 5, seed: 1, genetic: { population: 4 } }, objective, executor: new InlineExecutor(inputs), run });
  assert.is(all.ranked.length, 5);
  assert.is(all.note, undefined, 'the trials asked for ran: nothing to explain');
});

test.run();
