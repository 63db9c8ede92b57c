import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { parseParam, ParamSpace } from '../../../engine/optimize/param-space.ts';
import { resolveObjective } from '../../../engine/optimize/objectives.ts';
import { optimise, type TrialRecord } from '../../../engine/optimize/optimizer.ts';
import { overfittingReport } from '../../../engine/optimize/overfitting/overfitting-report.ts';
import { PoolExecutor } from '../../../engine/optimize/pool-executor.ts';
import { hashSeries, shareAll, shareSeries, seriesOf } from '../../../engine/optimize/shared-series.ts';
import { oneSymbolSpec, resolveRun, runKey } from '../../../engine/optimize/run-spec.ts';
import { runTrial } from '../../../engine/optimize/trial.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { validateStrategyConfig } from '../../../engine/strategy/plugin-loader.ts';

const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H4', from: '1997-01-01', to: '1999-12-31' });
const spec = oneSymbolSpec({ symbol: 'USDCHF', timeframe: 'H4' });
const bars = new Map([['USDCHF', series]]);

test('a grid on two worker threads (bars shared, not copied) equals the same parameter sets run one by one', async () => {
  const inputs = await resolveRun(spec, bars);
  const space = new ParamSpace([parseParam('fast=4:12:4'), parseParam('slow=20,35,50'), parseParam('stopLossPoints=300,600')]);
  const pool = new PoolExecutor(shareAll(bars), spec, 2);
  try {
    const result = await optimise({
      space, valid: (p) => (p.fast as number) < (p.slow as number), search: { method: 'grid' },
      objective: resolveObjective('sharpe', inputs.bot.symbols[0].strategy), executor: pool, run: runKey(spec, hashSeries(series)),
    });
    assert.is(result.ranked.length, 18);
    for (const record of result.ranked) {
      // The reference: the ordinary backtest with the parameters merged over the defaults.
      const alone = runBacktest({ symbol: 'USDCHF', series, strategy: inputs.bot.symbols[0].strategy, strategyConfig: validateStrategyConfig(inputs.bot.symbols[0].strategy, record.params), balance: 10_000, riskPercent: 1 });
      assert.is(record.metrics.netProfit, alone.complete.total_return, JSON.stringify(record.params));
      assert.is(record.metrics.trades, alone.complete.total_trades);
      assert.is(record.metrics.sharpe, alone.metrics.sharpe);
      assert.is(record.metrics.maxDrawdown, alone.complete.max_drawdown);
      // Weekly returns from a thread are a view of the doubles it sent: compared as values.
      const here = runTrial(inputs, record.params);
      assert.equal({ ...record, weeklyReturns: Array.from(record.weeklyReturns) }, { ...record, ...here, weeklyReturns: Array.from(here.weeklyReturns) }, 'identical to the in-thread trial, weekly returns included');
    }
    const ranked = [...result.ranked].sort((a, b) => b.metrics.sharpe - a.metrics.sharpe || a.index - b.index);
    assert.equal(result.ranked.map((r) => r.id), ranked.map((r) => r.id), 'ranked by the objective');
  } finally {
    await pool.close();
  }
});

test('the pool\'s PBO and DSR (what the server reports) equal the CLI\'s, also when no trial traded (DSR n/a, not 0.5)', async () => {
  const pool = new PoolExecutor(shareAll(bars), spec, 1);
  try {
    const record = (index: number, trades: number, weekly: (w: number) => number) => ({
      id: String(index), index, params: {}, score: trades === 0 ? -Infinity : 1 - index,
      weeklyReturns: Float64Array.from({ length: 261 }, (_, w) => weekly(w)), metrics: { trades } as TrialRecord['metrics'],
    }) as TrialRecord;
    const idle = [record(0, 0, () => 0), record(1, 0, () => 0)];
    const served = await pool.overfitting(idle);
    assert.equal(served, overfittingReport(idle));
    assert.is(served.dsr, null);
    assert.ok(served.notes.some((n) => /DSR n\/a: the winner made no trades \(no trial did\)/.test(n)), served.notes.join(' | '));
    const trading = [record(0, 40, (w) => Math.sin(w) / 100 + 0.001), record(1, 35, (w) => Math.cos(w) / 100), record(2, 30, (w) => Math.sin(2 * w) / 100)];
    assert.equal(await pool.overfitting(trading), overfittingReport(trading));
  } finally {
    await pool.close();
  }
});

test('shared bars read back exactly and hash the same as the originals', () => {
  const shared = shareSeries(series);
  assert.instance(shared.buffer, SharedArrayBuffer);
  const view = seriesOf(shared);
  assert.equal(Array.from(view.close), Array.from(series.close.subarray(0, series.length)));
  assert.is(hashSeries(view), hashSeries(series));
});

test.run();
