import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { parseParam, ParamSpace } from '../../../engine/optimize/param-space.ts';
import { resolveObjective } from '../../../engine/optimize/objectives.ts';
import { optimise } from '../../../engine/optimize/optimizer.ts';
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

test('shared bars read back exactly and hash the same as the originals', () => {
  const shared = shareSeries(series);
  assert.instance(shared.buffer, SharedArrayBuffer);
  const view = seriesOf(shared);
  assert.equal(Array.from(view.close), Array.from(series.close.subarray(0, series.length)));
  assert.is(hashSeries(view), hashSeries(series));
});

test.run();
