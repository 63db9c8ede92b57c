import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClosedTrade } from '../../ui/src/core/state.ts';
import { DEFAULT_QUERY, formatDuration, profitByDay, profitBySymbol, queryTrades } from '../../ui/src/features/trades/trade-table.ts';
import { labelSpacing, markerStyle } from '../../ui/src/features/charts/chart-markers.ts';
import { formatMetric } from '../../ui/src/features/backtests/report-rows.ts';
import { noTradeExplanation, reportTitle, runProblems } from '../../ui/src/features/backtests/report-title.ts';

const trade = (key: number, symbol: string, pnl: number, entryTime: number | null, exitTime: number, reason = 'Stop loss hit'): ClosedTrade => ({
  key, symbol, direction: key % 2 ? 'buy' : 'sell', lots: 0.1, entryPrice: 1.1, exitPrice: 1.2, entryTime, exitTime, pnl, reason,
});
const TRADES = [trade(1, 'USDCHF', 30, 0, 3600, 'Take profit hit'), trade(2, 'EURUSD', -10, 0, 7200), trade(3, 'USDCHF', -5, null, 9000)];

test('closed trades sort by any column (unknown durations last) and filter by text and outcome', () => {
  assert.equal(queryTrades(TRADES, DEFAULT_QUERY).map((t) => t.key), [3, 2, 1]);
  assert.equal(queryTrades(TRADES, { ...DEFAULT_QUERY, sort: 'pnl', descending: false }).map((t) => t.key), [2, 3, 1]);
  assert.equal(queryTrades(TRADES, { ...DEFAULT_QUERY, sort: 'duration', descending: true }).map((t) => t.key), [2, 1, 3]);
  assert.equal(queryTrades(TRADES, { ...DEFAULT_QUERY, text: 'usdchf' }).map((t) => t.key), [3, 1]);
  assert.equal(queryTrades(TRADES, { ...DEFAULT_QUERY, outcome: 'losses' }).map((t) => t.key), [3, 2]);
  assert.equal(queryTrades(TRADES, { ...DEFAULT_QUERY, text: 'take profit' }).map((t) => t.key), [1]);
});

test('profit adds up per symbol (best first) and days list newest first', () => {
  assert.equal(profitBySymbol(TRADES), [{ symbol: 'USDCHF', trades: 2, wins: 1, pnl: 25 }, { symbol: 'EURUSD', trades: 1, wins: 0, pnl: -10 }]);
  assert.equal(profitByDay({ 0: { pnl: 1, trades: 1, wins: 1 }, 86400: { pnl: -2, trades: 1, wins: 0 } }).map((d) => d.day), [86400, 0]);
  assert.is(formatDuration(3 * 86400 + 4 * 3600), '3d 4h');
  assert.is(formatDuration(null), '—');
});

test('exits are coloured by outcome and shaped apart; labels keep their distance and stay off the price axis', () => {
  const win = markerStyle({ time: 1, kind: 'exit', price: 1, text: '+1', pnl: 1 });
  const loss = markerStyle({ time: 1, kind: 'exit', price: 1, text: '-1', pnl: -1 });
  assert.is.not(win.color, loss.color);
  assert.is.not(win.shape, loss.shape);
  // 1000 px for 1000 s: markers 10 px apart share one label per 64 px; none within 72 px of the right edge.
  const times = Array.from({ length: 100 }, (_, i) => i * 10);
  const keep = labelSpacing(times, [0, 1000], 1000);
  const kept = times.filter((_, i) => keep[i]);
  assert.ok(kept.length >= 10 && kept.length <= 16, `${kept.length} labels`);
  for (let i = 1; i < kept.length; i++) assert.ok(kept[i] - kept[i - 1] >= 64);
  assert.ok(Math.max(...kept) <= 1000 - 72);
});

test('labels are spaced by where the chart draws them: a Friday and a Monday label one bar apart do not both keep their text', () => {
  // H1 bars, evenly spaced 10 px by the chart whatever the time between them: Friday 20:00,
  // 21:00, then Monday 00:00 and 01:00 (51 hours later). Linearly, Monday sits hundreds of
  // pixels away; on the chart, 10 px.
  const H = 3600;
  const times = [0, H, 52 * H, 53 * H];
  const x = new Map(times.map((t, i) => [t, 100 + i * 10]));
  const keep = labelSpacing(times, [0, 60 * H], 1000, (t) => x.get(t) ?? null);
  assert.equal(keep.filter(Boolean).length, 1, 'one label for four markers 10 px apart');
  const linear = labelSpacing(times, [0, 60 * H], 1000);
  assert.equal(linear.filter(Boolean).length, 2, 'the linear placement (the old rule) keeps two, which overlap on the chart');
});

test('the report cards show money as the Strategy Tester table does (13,198.00), counts whole with separators, ratios to 2 decimals', () => {
  assert.is(formatMetric('final_balance', 13198), '13,198.00');
  assert.is(formatMetric('max_drawdown', 3499.04), '3,499.04');
  assert.is(formatMetric('total_return', -3280.08), '-3,280.08');
  assert.is(formatMetric('total_trades', 1172), '1,172');
  assert.is(formatMetric('profit_factor', 1.5), '1.50');
  assert.is(formatMetric('win_rate', 0.4123), '41.23%');
  assert.is(formatMetric('recovery_factor', null), '—');
});

test('reports are titled apart and a run with no trades says why', () => {
  const start = { session_id: 'abcd1234', symbol: 'USDCHF', data_points: 62496, starting_balance: 10000, trade_constraints: { min_trades_per_week: 3, max_trades_per_week: 10 }, timeframe: 'M30', strategy: 'patterns-sr' };
  assert.is(reportTitle(start), 'USDCHF M30 patterns-sr · abcd');
  assert.is(reportTitle({ ...start, from: '1999-01-01', to: '1999-06-30' }), 'USDCHF M30 patterns-sr 1999-01-01→1999-06-30 · abcd');
  const complete = { session_id: 'abcd1234', final_balance: 10000, total_return: 0, total_trades: 0, max_drawdown: 0, weekly_stats: {} };
  const base = { sessionId: 'abcd1234', start, weeks: [], equity: [], trades: 0, wins: 0, balance: 10000, complete };
  assert.match(noTradeExplanation({ ...base, refusals: {} })!, /no entry signal over 62,496 bars/);
  // A strategy that stopped part way is not "no entry signal": its own line says what happened.
  const faulted = { ...base, refusals: {}, complete: { ...complete, faults: [{ symbol: 'USDCHF', time: '1999-01-12T12:00:00', error: 'strategy x failed in onBar on USDCHF: boom' }] } };
  assert.is(noTradeExplanation(faulted), null);
  assert.match(runProblems(faulted)[0], /^USDCHF stopped at 1999-01-12T12:00:00: strategy x failed in onBar on USDCHF: boom\. It traded no more after that/);
  assert.match(runProblems({ ...base, refusals: {}, complete: { ...complete, error: 'boom' } })[0], /^The run failed: boom\. The figures cover the bars before the failure\.$/);
  assert.is(noTradeExplanation({ ...base, refusals: { '10016 Invalid stops': 118 } }), 'No trades: all 118 entries were refused (118× 10016 Invalid stops).');
  assert.is(noTradeExplanation({ ...base, complete: { ...complete, total_trades: 3 }, refusals: {} }), null);
});

test.run();
