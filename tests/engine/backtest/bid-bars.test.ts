import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBacktest, type BacktestOptions } from '../../../engine/backtest/backtest-runner.ts';
import { loadHistory } from '../../../engine/data/load-history.ts';
import type { Signal } from '../../../engine/plugin-api.ts';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';
import { eventLog, scripted } from '../../kit/engine-builders.ts';

// An MT5 bar export holds bids and a spread per bar: the simulator quotes each bar as MT5's
// Strategy Tester does, bid = the bar's price, ask = bid + that bar's spread x point. EURUSD
// (5 digits, point 0.00001, 100,000 a lot, profit in USD: the account's), 1 % of 10,000 USD risked.
// Monday 1999-01-04, no rollover inside the run (no swap).

type Row = readonly [time: string, open: number, high: number, low: number, close: number, spread: number];

const dir = makeTempDir('tradeloom-bid-bars-');
test.after(() => dir.remove());

let files = 0;
function exportOf(rows: readonly Row[], date = '1999.01.04'): string {
  const lines = [MT5_BARS_HEADER, ...rows.map(([time, o, h, l, c, spread]) => mt5BarRow(date, time, o.toFixed(5), h.toFixed(5), l.toFixed(5), c.toFixed(5), 10, 0, spread))];
  return dir.write(`EURUSD_H1_${files++}.csv`, encodeLines(lines, 'utf16le-bom'));
}

function run(rows: readonly Row[], script: Record<number, Signal>, extra: Partial<BacktestOptions> = {}) {
  const { series } = loadHistory({ symbol: 'EURUSD', timeframe: 'H1', file: exportOf(rows) });
  const log = eventLog();
  const result = runBacktest({
    symbol: 'EURUSD', series, strategy: scripted(script), balance: 10_000, riskPercent: 1,
    governor: { minTradesPerWeek: 0 }, onEvent: log.push, ...extra,
  });
  return { log, result };
}

const ROWS: readonly Row[] = [
  ['10:00', 1.1, 1.1005, 1.0995, 1.1, 10],
  ['11:00', 1.1002, 1.1006, 1.1, 1.1004, 15],
];

test('a buy fills at the next bar\'s open + that bar\'s spread, and ends at the last close\'s bid', () => {
  // Ask at 11:00 = 1.10020 + 15 points = 1.10035. Stop 1.09500: 53.5 USD a lot per 0.0001...
  // loss per lot (1.10035 - 1.095) x 100,000 = 535 USD; 100 / 535 = 0.187 -> 0.18 lots.
  // The end closes it at the bid 1.10040: (1.10040 - 1.10035) x 100,000 x 0.18 = 0.90 USD.
  const { log, result } = run(ROWS, { 0: { direction: 'buy', stopLoss: 1.095 } });
  const [entry] = log.of('TRADE_ENTRY');
  assert.is(entry.data.price, 1.10035);
  assert.is(entry.data.lot_size, 0.18);
  const [exit] = log.of('TRADE_EXIT');
  assert.is(exit.data.exit_price, 1.1004);
  assert.is(exit.data.pnl, 0.9);
  assert.is(result.complete.final_balance, 10_000.9);
});

test('a sell fills at the open\'s bid, and ends at the last close\'s ask (close + its spread)', () => {
  // Bid at 11:00 = 1.10020. Stop 1.10500: 480 USD a lot; 100 / 480 = 0.208 -> 0.20 lots.
  // The end buys it back at the ask 1.10040 + 15 points = 1.10055: -35 points x 0.20 lots = -7.00 USD.
  const { log, result } = run(ROWS, { 0: { direction: 'sell', stopLoss: 1.105 } });
  const [entry] = log.of('TRADE_ENTRY');
  assert.is(entry.data.price, 1.1002);
  assert.is(entry.data.lot_size, 0.2);
  const [exit] = log.of('TRADE_EXIT');
  assert.is(exit.data.exit_price, 1.10055);
  assert.is(exit.data.pnl, -7);
  assert.is(result.complete.final_balance, 9_993);
});

test('a long\'s stop-loss triggers when the bar\'s low (the bid) reaches it, not a point before, and fills at the stop', () => {
  // Buy at 11:00's ask 1.10035, stop 1.09900: 135 USD a lot; 100 / 135 = 0.74 lots. At 12:00 the
  // low 1.09901 is a point above the stop (a mid model with any spread would have stopped it):
  // held. At 13:00 the low is 1.09900: stopped at 1.09900, -135 points x 0.74 = -99.90 USD.
  const { log, result } = run([
    ...ROWS,
    ['12:00', 1.1003, 1.1004, 1.09901, 1.1, 40],
    ['13:00', 1.1, 1.1001, 1.099, 1.0995, 40],
    ['14:00', 1.0995, 1.1, 1.099, 1.0998, 10],
  ], { 0: { direction: 'buy', stopLoss: 1.099 } });
  assert.is(log.of('TRADE_ENTRY')[0].data.lot_size, 0.74);
  const [exit] = log.of('TRADE_EXIT');
  assert.is(exit.data.exit_reason, 'Stop loss hit');
  assert.is(exit.data.timestamp, '1999-01-04T13:00:00');
  assert.is(exit.data.exit_price, 1.099);
  assert.is(exit.data.pnl, -99.9);
  assert.is(result.complete.final_balance, 9_900.1);
});

test('a short\'s stop-loss triggers when the bar\'s high + that bar\'s spread (the ask) reaches it', () => {
  // Sell at 11:00's bid 1.10020, stop 1.10100: 80 USD a lot; 100 / 80 = 1.25 lots. At 12:00 the
  // high 1.10080 + 19 points = 1.10099: held. At 13:00 the same high + 20 points = 1.10100:
  // stopped at 1.10100 (its open's ask 1.10070 is below it), -80 points x 1.25 = -100.00 USD.
  const { log, result } = run([
    ...ROWS,
    ['12:00', 1.1005, 1.1008, 1.1003, 1.1005, 19],
    ['13:00', 1.1005, 1.1008, 1.1003, 1.1005, 20],
    ['14:00', 1.1005, 1.1006, 1.1003, 1.1005, 10],
  ], { 0: { direction: 'sell', stopLoss: 1.101 } });
  assert.is(log.of('TRADE_ENTRY')[0].data.lot_size, 1.25);
  const [exit] = log.of('TRADE_EXIT');
  assert.is(exit.data.exit_reason, 'Stop loss hit');
  assert.is(exit.data.timestamp, '1999-01-04T13:00:00');
  assert.is(exit.data.exit_price, 1.101);
  assert.is(exit.data.pnl, -100);
  assert.is(result.complete.final_balance, 9_900);
});

test('a short\'s take-profit fills when the ask (low + the bar\'s spread) reaches it; a bar with spread 0 quotes ask = bid', () => {
  // Sell at 11:00's bid 1.10020 with target 1.09900, stop 1.10500 (0.20 lots as above). At 12:00 the
  // low 1.09890 + 11 points = 1.09901: not reached. At 13:00 the low 1.09890 with spread 0: the
  // ask is 1.09890, so the target fills at 1.09900: +120 points x 0.20 = +24.00 USD.
  const { log, result } = run([
    ...ROWS,
    ['12:00', 1.1, 1.1001, 1.0989, 1.0995, 11],
    ['13:00', 1.0995, 1.0996, 1.0989, 1.0992, 0],
    ['14:00', 1.0992, 1.0995, 1.099, 1.0993, 10],
  ], { 0: { direction: 'sell', stopLoss: 1.105, takeProfit: 1.099 } });
  const [exit] = log.of('TRADE_EXIT');
  assert.is(exit.data.exit_reason, 'Take profit hit');
  assert.is(exit.data.timestamp, '1999-01-04T13:00:00');
  assert.is(exit.data.exit_price, 1.099);
  assert.is(exit.data.pnl, 24);
  assert.is(result.complete.final_balance, 10_024);
});

test('a spread fixed by the user (--spread, bot.broker.spreadPoints) replaces every bar\'s own', () => {
  // 3 points fixed: the buy fills at 1.10020 + 3 points = 1.10023 (the bar's own 15 ignored), and
  // the short of the stop test above is no longer stopped at 13:00 (1.10080 + 3 points < 1.10100).
  const buy = run(ROWS, { 0: { direction: 'buy', stopLoss: 1.095 } }, { broker: { spreadPoints: { EURUSD: 3 } } });
  assert.is(buy.log.of('TRADE_ENTRY')[0].data.price, 1.10023);
  const sell = run([
    ...ROWS,
    ['12:00', 1.1005, 1.1008, 1.1003, 1.1005, 19],
    ['13:00', 1.1005, 1.1008, 1.1003, 1.1005, 20],
  ], { 0: { direction: 'sell', stopLoss: 1.101 } }, { broker: { spreadPoints: { EURUSD: 3 } } });
  const [exit] = sell.log.of('TRADE_EXIT');
  assert.is(exit.data.exit_reason, 'End of backtest');
  // Bought back at the last close's bid 1.10050 + 3 points = 1.10053: -33 points x 1.25 lots = -41.25 USD.
  assert.is(exit.data.exit_price, 1.10053);
  assert.is(exit.data.pnl, -41.25);
});

test('an H1 export resampled to H4 stays bid bars, each with its bucket\'s smallest spread, and fills at the H4 open + that spread', () => {
  // Eight H1 bars from 00:00: two H4 bars. The second (04:00-08:00) has spreads 30, 18, 25, 40:
  // its spread is 18. A buy on the first H4 bar's close fills at 04:00's open 1.10100 + 18 points.
  const rows: Row[] = [
    ['00:00', 1.1, 1.1004, 1.0998, 1.1002, 12], ['01:00', 1.1002, 1.1006, 1.1, 1.1004, 9],
    ['02:00', 1.1004, 1.1008, 1.1002, 1.1006, 14], ['03:00', 1.1006, 1.101, 1.1004, 1.1008, 11],
    ['04:00', 1.101, 1.1014, 1.1008, 1.1012, 30], ['05:00', 1.1012, 1.1016, 1.101, 1.1014, 18],
    ['06:00', 1.1014, 1.1018, 1.1012, 1.1016, 25], ['07:00', 1.1016, 1.102, 1.1014, 1.1018, 40],
  ];
  const { series } = loadHistory({ symbol: 'EURUSD', timeframe: 'H4', file: exportOf(rows) });
  assert.is(series.prices, 'bid');
  assert.is(series.length, 2);
  assert.equal(Array.from(series.spread!.subarray(0, 2)), [9, 18]);
  assert.equal([series.open[1], series.high[1], series.low[1], series.close[1]], [1.101, 1.102, 1.1008, 1.1018]);
  const log = eventLog();
  runBacktest({ symbol: 'EURUSD', series, strategy: scripted({ 0: { direction: 'buy', stopLoss: 1.095 } }), governor: { minTradesPerWeek: 0 }, onEvent: log.push });
  assert.is(log.of('TRADE_ENTRY')[0].data.price, 1.10118);
  // Ended at the last close's bid.
  assert.is(log.of('TRADE_EXIT')[0].data.exit_price, 1.1018);
});

test('the same bars streamed in chunks through the bar window give the same trades as the whole series', () => {
  const rows: Row[] = [];
  let price = 1.1;
  for (let i = 0; i < 200; i++) {
    const next = price + 0.0009 * Math.sin(i / 4);
    rows.push([`${String(i % 24).padStart(2, '0')}:00`, price, Math.max(price, next) + 0.0003, Math.min(price, next) - 0.0003, next, 5 + (i % 7) * 3]);
    price = next;
  }
  // 200 hours from Monday 1999-01-04: one file per day (the export's date column).
  const lines = [MT5_BARS_HEADER, ...rows.map(([time, o, h, l, c, spread], i) => mt5BarRow(`1999.01.${String(4 + Math.floor(i / 24)).padStart(2, '0')}`, time, o.toFixed(5), h.toFixed(5), l.toFixed(5), c.toFixed(5), 10, 0, spread))];
  const file = dir.write('EURUSD_H1_stream.csv', encodeLines(lines));
  const { series } = loadHistory({ symbol: 'EURUSD', timeframe: 'H1', file });
  const script: Record<number, Signal> = {};
  for (let i = 3; i < 190; i += 6) script[i] = i % 12 === 3 ? { direction: 'buy', stopLoss: series.close[i] - 0.002, takeProfit: series.close[i] + 0.0015 } : { direction: 'sell', stopLoss: series.close[i] + 0.002, takeProfit: series.close[i] - 0.0015 };
  const trades = (s: BacktestOptions['series'], totalBars?: number) => {
    const log = eventLog();
    runBacktest({ symbol: 'EURUSD', series: s, totalBars, strategy: scripted(script), governor: { minTradesPerWeek: 0, maxTradesPerWeek: 100 }, onEvent: log.push });
    return [...log.of('TRADE_ENTRY').map((e) => `${e.data.time} ${e.data.direction} ${e.data.price}`), ...log.of('TRADE_EXIT').map((e) => `${e.data.timestamp} ${e.data.exit_reason} ${e.data.exit_price} ${e.data.pnl}`)];
  };
  const whole = trades(series);
  assert.ok(whole.length > 20, `traded (${whole.length})`);
  const chunks = [0, 70, 140, 200].slice(1).map((to, k, ends) => {
    const from = k === 0 ? 0 : ends[k - 1];
    return { ...series, length: to - from, time: series.time.subarray(from, to), open: series.open.subarray(from, to), high: series.high.subarray(from, to),
      low: series.low.subarray(from, to), close: series.close.subarray(from, to), volume: series.volume.subarray(from, to), spread: series.spread!.subarray(from, to) };
  });
  assert.equal(trades(chunks, 200), whole);
});

test('the backtest CLI on an MT5 bar export: every entry at its bar\'s open, a buy at the open + that bar\'s spread, a sell at the open', () => {
  const lines = [MT5_BARS_HEADER];
  const opens = new Map<string, { open: number; spread: number }>();
  let price = 1.1;
  for (let i = 0; i < 300; i++) {
    const t = new Date(Date.UTC(1999, 0, 4) + i * 3_600_000);
    if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
    const next = price + 0.0012 * Math.sin(i / 5) + 0.0004 * Math.cos(i / 2);
    const spread = 5 + (i % 11) * 2;
    const open = Number(price.toFixed(5));
    opens.set(t.toISOString().slice(0, 19), { open, spread });
    lines.push(mt5BarRow(t.toISOString().slice(0, 10).replaceAll('-', '.'), t.toISOString().slice(11, 16), price.toFixed(5),
      (Math.max(price, next) + 0.0003).toFixed(5), (Math.min(price, next) - 0.0003).toFixed(5), next.toFixed(5), 100, 0, spread));
    price = next;
  }
  const file = dir.write('EURUSD_H1_cli.csv', encodeLines(lines, 'utf16le-bom'));
  const record = join(dir.path, 'rec');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'EURUSD', '--timeframe', 'H1', '--file', file,
    '--strategy', 'sma-crossover', '--set', 'fast=2', '--set', 'slow=5', '--max-trades', '50', '--record', record, '--json'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const events = readFileSync(join(record, readdirSync(record)[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const entries = events.filter((e) => e.event_type === 'TRADE_ENTRY');
  assert.ok(entries.length > 5, `the crossover traded (${entries.length} entries)`);
  for (const e of entries) {
    const bar = opens.get(e.data.time)!;
    assert.ok(bar, `entry at ${e.data.time} is at a bar's open`);
    const expected = e.data.direction === 'buy' ? Number((bar.open + bar.spread * 0.00001).toFixed(5)) : bar.open;
    assert.is(e.data.price, expected, `${e.data.direction} at ${e.data.time}`);
  }
});

test.run();
