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

// One trade held for 40,000 bars: the window (16,384 bars, keeping the newest 4,096 when it moves)
// drops most of the trade's bars before it closes. Its MFE and MAE must still come from every bar
// it was open over, as in the whole-series run (they once came only from the bars still in the window).
test('a trade held far longer than the bar window: its MFE and MAE come from all its bars, as in the whole-series run', () => {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  const holdOne = (): Strategy => {
    let bars = 0;
    return {
      ...smaCrossover,
      id: 'hold-one',
      onBar: (ctx: StrategyContext<never, never>) => {
        bars++;
        const close = ctx.bars.close[ctx.index];
        if (bars === 50) return { direction: 'buy', stopLoss: close * 0.2, reason: 'long hold' };
        if (bars === 40_050) return { direction: 'close' };
        return null;
      },
    } as Strategy;
  };
  const total = 60_000;
  const report = (streamed: boolean) => runBacktest({
    symbol: 'USDCHF', strategy: holdOne(), totalBars: total,
    series: streamed ? tileChunks(series, total, 5_000) : tileSeries(series, total),
  }).complete.report!;
  const whole = report(false);
  const streamed = report(true);
  assert.is(whole.stats.total_trades, 1);
  assert.equal(streamed.mfe_mae, whole.mfe_mae);
  assert.equal(streamed.stats, whole.stats);
  // The trade's excursions really reach back past the window: its highest high or lowest low is
  // in the bars the window dropped (checked against the bars themselves).
  const all = tileSeries(series, total);
  const extremes = (from: number, to: number) => {
    let high = 0, low = Infinity;
    for (let i = from; i < to; i++) { high = Math.max(high, all.high[i]); low = Math.min(low, all.low[i]); }
    return { high, low };
  };
  const held = extremes(50, 40_050), last = extremes(40_050 - 16_384, 40_050);
  assert.ok(held.high > last.high || held.low < last.low, 'an extreme of the trade lies in the bars the window dropped');
});

test.run();
