import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimBroker } from '../../../engine/broker/sim-broker.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';
import { DEAL_ENTRY_OUT, DEAL_REASON_SO, ORDER_TYPE_BUY, marketOrder, type Deal } from '../../../engine/model/mt5.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { createBarSeries, appendBar } from '../../../engine/model/bar.ts';
import { scripted, eventLog } from '../../kit/engine-builders.ts';

/**
 * Margin and stop-out as MT5's tester applies them: margin level = equity / margin × 100; at
 * or below the stop-out level (50 %) positions are closed, the largest loss first, until the
 * level is above it again. Numbers worked out by hand (no spread, leverage 1:100, USD account).
 */
const T = Date.UTC(1999, 0, 4, 10);
const HOUR = 3_600_000;

test('the largest loss is closed first, and only as many positions as bring the level back above stop-out', () => {
  const broker = new SimBroker([resolveSymbolSpec('EURUSD'), resolveSymbolSpec('GBPUSD')],
    { balance: 1_000, spreadPoints: { EURUSD: 0, GBPUSD: 0 } });
  const exits: Deal[] = [];
  broker.deals$.subscribe((d) => d.entry === DEAL_ENTRY_OUT && exits.push({ ...d }));
  broker.setMid('EURUSD', T, 1.0);
  broker.setMid('GBPUSD', T, 1.25);
  // Margins: 0.4 × 100,000 × 1.00 / 100 = 400 and 0.4 × 100,000 × 1.25 / 100 = 500: 900 in all.
  broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.4, type: ORDER_TYPE_BUY }));
  broker.orderSend(marketOrder({ symbol: 'GBPUSD', volume: 0.4, type: ORDER_TYPE_BUY }));
  assert.is(broker.accountInfo().margin, 900);
  // GBPUSD falls 120 pips: -480 USD; equity 520, level 57.78 %: above 50 %, nothing closes.
  broker.setMid('GBPUSD', T + HOUR, 1.238);
  broker.refreshRisk();
  assert.is(broker.accountInfo().margin_level, 57.78);
  assert.is(exits.length, 0);
  // Stop-out at equity 450 (50 % of 900): EURUSD at 1.0 - 70 / 40,000 = 0.99825. A bar down to
  // 0.998 reaches it; GBPUSD's -480 is the largest loss, so it closes first at its bid 1.238;
  // then equity 450 over EURUSD's margin of 400 is 112.5 %: EURUSD stays open.
  broker.checkStops('EURUSD', T + 2 * HOUR, 1.0, 1.0, 0.998);
  assert.is(exits.length, 1);
  assert.is(exits[0].symbol, 'GBPUSD');
  assert.is(exits[0].reason, DEAL_REASON_SO);
  assert.is(exits[0].price, 1.238);
  assert.is(exits[0].profit, -480);
  assert.match(exits[0].comment, 'margin level 50.00% <= stop-out level 50.00% (equity 450.00, margin 900.00');
  assert.is(broker.positionsGet().map((p) => p.symbol).join(), 'EURUSD');
  assert.is(broker.accountInfo().balance, 520);
});

test('a backtest stopped out says so: TRADE_EXIT "Stop out" at the stop-out price and an ERROR with the levels', () => {
  // 1,000 USD, EURUSD bought at 1.0000 with a stop 1,000 pips away and 1,000 % risk:
  // 10,000 / (0.1 × 100,000) = 1 lot, margin 1,000 (level 100 %). Stop-out at equity 500:
  // a 500 USD loss, 50 pips, at 0.9950; the next bar falls to 0.9900.
  const series = createBarSeries('EURUSD', 'H1', 3);
  appendBar(series, { time: T, open: 1, high: 1, low: 1, close: 1, volume: 1 });
  appendBar(series, { time: T + HOUR, open: 1, high: 1, low: 1, close: 1, volume: 1 });
  appendBar(series, { time: T + 2 * HOUR, open: 0.999, high: 0.999, low: 0.99, close: 0.991, volume: 1 });
  const log = eventLog();
  const result = runBacktest({
    symbol: 'EURUSD', series, strategy: scripted({ 0: { direction: 'buy', stopLoss: 0.9 } }), balance: 1_000, riskPercent: 1_000,
    governor: { minTradesPerWeek: 0 }, broker: { spreadPoints: { EURUSD: 0 } }, onEvent: log.push,
  });
  const [entry] = log.of('TRADE_ENTRY');
  const [exit] = log.of('TRADE_EXIT');
  assert.is(entry.data.lot_size, 1);
  assert.is(exit.data.exit_reason, 'Stop out');
  assert.is(exit.data.exit_price, 0.995);
  assert.is(exit.data.pnl, -500);
  assert.is(result.complete.final_balance, 500);
  const [error] = log.of('ERROR');
  assert.match(error.data.error, 'margin level 50.00% <= stop-out level 50.00%');
});

test.run();
