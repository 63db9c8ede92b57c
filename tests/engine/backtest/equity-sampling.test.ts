import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { tileChunks } from '../../../engine/data/tile.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { runPortfolio } from '../../../engine/backtest/portfolio-backtest.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import { patternsSr } from '../../../plugins/patterns-sr/index.ts';
import type { Strategy } from '../../../engine/strategy/strategy.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';

// The engine samples equity only where it can move the metrics (a new equity peak, a new
// largest drawdown, each day's last bar, each deal). Sampling every bar must give the very
// same events.
function events(strategy: Strategy, timeframe: 'H1' | 'H4', equityEveryBar: boolean, streamed = false, symbol = 'USDCHF'): string[] {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe });
  const out: string[] = [];
  runBacktest({
    symbol, spec: resolveSymbolSpec(symbol), strategy: strategy as Strategy, equityEveryBar, totalBars: series.length,
    series: streamed ? tileChunks(series, series.length, 5_000) : series,
    onEvent: (e) => out.push(JSON.stringify(e)),
  });
  return out;
}

for (const timeframe of ['H1', 'H4'] as const) {
  for (const strategy of [smaCrossover, patternsSr] as Strategy[]) {
    test(`${strategy.id} on USDCHF ${timeframe} 1996-2001: sampling equity every bar gives identical events, drawdowns and ratios`, () => {
      const every = events(strategy, timeframe, true);
      const sparse = events(strategy, timeframe, false);
      assert.ok(every.length > 1_000);
      assert.equal(sparse, every);
      const complete = JSON.parse(every[every.length - 1]).data;
      assert.ok(complete.max_drawdown > 0 && complete.metrics.sharpe !== 0, 'the comparison covers real drawdowns and daily returns');
    });
  }
}

test('a USD-profit symbol (profit as is, not divided by the price): sampling every bar gives identical events (USDCHF prices as EURUSD, H1)', () => {
  const every = events(smaCrossover as Strategy, 'H1', true, false, 'EURUSD');
  assert.equal(events(smaCrossover as Strategy, 'H1', false, false, 'EURUSD'), every);
  assert.ok(JSON.parse(every[every.length - 1]).data.max_drawdown > 0);
});

test('a portfolio (bars run whole and bars split into open and close steps, one position or several): sampling every bar gives identical events', () => {
  // USDCHF's prices under other specs: H1 beside H1 splits every bar (every open before any
  // close), H1 beside H4 runs the H1 bars inside an H4 bar whole, with the H4 symbol at its open;
  // the H4 symbol configured first charges the night's swaps at its open, before the H1 bars of
  // 00:00-04:00 run whole (their equity band must be solved again for the swap).
  const h1 = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' }).series;
  const h4 = loadHistory({ symbol: 'USDCHF', timeframe: 'H4' }).series;
  const portfolio = (names: readonly (readonly [string, typeof h1])[], equityEveryBar: boolean, report = false) => {
    const out: string[] = [];
    runPortfolio({
      symbols: names.map(([name, series]) => ({ spec: resolveSymbolSpec(name), series, strategy: smaCrossover as Strategy, strategyConfig: smaCrossover.defaultConfig })),
      governor: { minTradesPerWeek: 3, maxTradesPerWeek: 20 }, equityEveryBar, report, onEvent: (e) => out.push(JSON.stringify(e)),
    });
    return out;
  };
  for (const names of [[['USDCHF', h1], ['EURUSD', h4]], [['EURUSD', h4], ['USDCHF', h1]], [['USDCHF', h1], ['GBPUSD', h1], ['EURUSD', h4]]] as const) {
    const every = portfolio(names, true);
    assert.ok(every.length > 1_000);
    assert.equal(portfolio(names, false), every, names.map(([n, s]) => `${n} ${s.timeframe}`).join(', '));
    assert.ok(JSON.parse(every[every.length - 1]).data.max_drawdown > 0);
  }
  // With the Strategy Tester report: each trade's MFE and MAE come from its held range, which the
  // bar loop keeps in locals while H1 bars run whole inside an H4 bar, and which `processBar`
  // (every bar, when equity is sampled at each) folds in through the actor.
  const names = [['EURUSD', h4], ['USDCHF', h1]] as const;
  const every = portfolio(names, true, true);
  const complete = JSON.parse(every[every.length - 1]).data;
  assert.ok(complete.report.mfe_mae.length > 100 && complete.report.mfe_mae.some(([mfe]: number[]) => mfe > 0));
  assert.equal(portfolio(names, false, true), every, 'with the report');
});

test('streamed in chunks, a history gives the same events as in one series (H1 and H4, the timeframe read from the chunks)', () => {
  const withoutSession = (lines: string[]) => lines.map((line) => line.replace(/"session_id":"[^"]+"/g, '"session_id":""'));
  for (const timeframe of ['H1', 'H4'] as const) {
    const streamed = events(smaCrossover as Strategy, timeframe, false, true);
    assert.equal(withoutSession(streamed), withoutSession(events(smaCrossover as Strategy, timeframe, false, false)));
    assert.is(JSON.parse(streamed[0]).data.timeframe, timeframe);
  }
});

test.run();
