import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveBot, type BotConfig } from '../../../engine/config/index.ts';
import { loadBotHistories, runPortfolioBacktest, runPortfolioBacktestYielding } from '../../../engine/backtest/config-backtest.ts';
import { runBacktest, runBacktestYielding } from '../../../engine/backtest/backtest-runner.ts';
import { loadHistory } from '../../../engine/data/load-history.ts';
import type { Strategy } from '../../../engine/strategy/strategy.ts';
import { smaCrossover } from '../../../plugins/sma-crossover/index.ts';
import type { LogEvent } from '../../../protocol/index.ts';

/**
 * The server runs backtests in slices, letting its sockets and the bot through between them
 * (`run_backtest`, a trial's backtest): the run must be the same run, event for event, wherever
 * the slices fall, and other work must really get in between.
 */
const strategies = new Map<string, Strategy>([['sma-crossover', smaCrossover as Strategy]]);

test('a single-symbol run in slices of 100 bars gives the same events and result as in one go, with the loop let through between them', async () => {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1998-01-01', to: '1998-12-31' });
  const whole: LogEvent[] = [];
  const sliced: LogEvent[] = [];
  const one = runBacktest({ symbol: 'USDCHF', series, strategy: smaCrossover, sessionId: 's', onEvent: (e) => whole.push(e) });
  let pauses = 0;
  const other = runBacktestYielding({ symbol: 'USDCHF', series, strategy: smaCrossover, sessionId: 's', onEvent: (e) => sliced.push(e) }, 100,
    async () => { pauses++; await new Promise((r) => setImmediate(r)); });
  // The run returns a promise at once: nothing after its first slice has run yet.
  assert.ok(sliced.length < whole.length);
  const result = await other;
  assert.is(pauses, Math.ceil(series.length / 100) - 1);
  assert.equal(sliced, whole);
  assert.equal(result.complete, one.complete);
});

test('a three-symbol portfolio on mixed timeframes in slices gives the same events and result as in one go', async () => {
  const bot = resolveBot({
    strategy: 'sma-crossover', params: { fast: 3, slow: 8 }, timeframe: 'H1', maxTradesPerWeek: 4, minTradesPerWeek: 1,
    symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD' }, { symbol: 'XAUUSD', timeframe: 'H4' }],
  } satisfies BotConfig, { where: 'test-bot.json', baseDir: '.', strategies });
  const histories = loadBotHistories(bot, { from: '1998-03-01', to: '1998-06-30' });
  const whole: LogEvent[] = [];
  const sliced: LogEvent[] = [];
  const one = runPortfolioBacktest(bot, { histories, sessionId: 'p', onEvent: (e) => whole.push(e) });
  const running = runPortfolioBacktestYielding(bot, { histories, sessionId: 'p', onEvent: (e) => sliced.push(e) }, 100);
  assert.ok(sliced.length < whole.length, 'the first slice only, before the loop is let through');
  const other = await running;
  assert.ok(whole.filter((e) => e.event_type === 'TRADE_ENTRY').length > 50);
  assert.equal(sliced, whole);
  assert.equal(other.complete, one.complete);
});

test.run();
