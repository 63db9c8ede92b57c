import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { tileChunks } from '../../../engine/data/tile.ts';
import { runBacktest, type BacktestOptions } from '../../../engine/backtest/backtest-runner.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import type { LogEvent } from '../../../protocol/index.ts';

// `report: false` (as the portfolio runner takes it) skips the trade ledger and the Strategy
// Tester report, and nothing else: a caller sweeping parameters itself reads the same trades,
// metrics and events, only BACKTEST_COMPLETE has no `report`.
function run(extra: Partial<BacktestOptions>, streamed: boolean) {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  const events: LogEvent[] = [];
  const r = runBacktest({
    symbol: 'USDCHF', strategy: smaCrossover, series: streamed ? tileChunks(series, 60_000, 7_000) : series,
    totalBars: streamed ? 60_000 : undefined, onEvent: (e) => events.push(e), ...extra,
  });
  return { r, events };
}

for (const streamed of [false, true]) {
  test(`report: false gives the same events, trades and metrics with no report (${streamed ? 'streamed through the bar window' : 'one series'})`, () => {
    const full = run({}, streamed);
    const bare = run({ report: false }, streamed);
    assert.ok(full.r.complete.report, 'the default run has its report');
    assert.ok(full.r.complete.total_trades > 500, `trades: ${full.r.complete.total_trades}`);
    assert.is(bare.r.complete.report, undefined);
    assert.is(bare.events.length, full.events.length);
    const { report: _report, ...rest } = full.r.complete;
    assert.equal(bare.r.complete, rest);
    assert.equal(bare.r.metrics, full.r.metrics);
    // Every event but the last (BACKTEST_COMPLETE, compared above) is the same, field for field.
    assert.equal(bare.events.slice(0, -1), full.events.slice(0, -1));
    const last = bare.events.at(-1)!;
    assert.is(last.event_type, 'BACKTEST_COMPLETE');
    assert.not.ok('report' in (last.data as object), 'no report key on the wire');
  });
}

test.run();
