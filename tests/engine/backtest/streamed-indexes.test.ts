import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { tileChunks, tileSeries } from '../../../engine/data/tile.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import type { Strategy, StrategyContext } from '../../../engine/strategy/strategy.ts';

// A streamed backtest keeps a window of bars and drops the oldest as it moves on, shifting every
// stored bar index. A position filled on the first bar after such a shift once recorded an entry
// index past its bar (the last closed bar's index was not shifted): a strategy counting bars in
// the trade was off by thousands, and the report's MFE for that trade read no bars at all.
const BARS = 200_000;

function run(streamed: boolean) {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  let checked = 0;
  const wrong: string[] = [];
  const checking: Strategy = {
    ...smaCrossover,
    onBar: (ctx: StrategyContext<never, never>) => {
      const p = ctx.position;
      if (p) {
        checked++;
        if (ctx.bars.time[p.entryIndex] !== p.entryTime && wrong.length < 5) {
          wrong.push(`at ${new Date(ctx.bars.time[ctx.index]).toISOString()}: entry ${new Date(p.entryTime).toISOString()} but bar ${p.entryIndex} opens ${ctx.bars.time[p.entryIndex]}`);
        }
      }
      return smaCrossover.onBar!(ctx as never);
    },
  } as Strategy;
  const r = runBacktest({
    symbol: 'USDCHF', strategy: checking, totalBars: BARS,
    series: streamed ? tileChunks(series, BARS, 5_000) : tileSeries(series, BARS),
  });
  return { checked, wrong, report: r.complete.report! };
}

test('streamed in chunks through a moving bar window, every open position points at the bar it was filled in, and the report matches the whole-series run', () => {
  const streamed = run(true);
  assert.ok(streamed.checked > 100_000, 'positions were open over most of the bars');
  assert.equal(streamed.wrong, []);
  const whole = run(false);
  assert.equal(whole.wrong, []);
  // MFE/MAE come from each trade's bars: same trades, same excursions.
  assert.equal(streamed.report.stats, whole.report.stats);
  assert.equal(streamed.report.mfe_mae, whole.report.mfe_mae);
});

test.run();
