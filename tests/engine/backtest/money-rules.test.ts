import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runBacktest, type BacktestOptions } from '../../../engine/backtest/backtest-runner.ts';
import { createBarSeries, appendBar, type BarSeries } from '../../../engine/model/bar.ts';
import { resolveSymbolSpec } from '../../../engine/model/symbol-spec.ts';
import type { Signal } from '../../../engine/plugin-api.ts';
import { scripted, eventLog } from '../../kit/engine-builders.ts';

/**
 * The money rules on hand-made H1 bars, each number worked out by hand below: sizing at the
 * price the order executes at, the governor in the week of execution, a reversal sized after
 * the reversed trade's loss, a triple swap across a Wednesday, cent booking.
 */
type Row = readonly [iso: string, open: number, high: number, low: number, close: number];

function bars(symbol: string, rows: readonly Row[]): BarSeries {
  const s = createBarSeries(symbol, 'H1', rows.length);
  for (const [iso, open, high, low, close] of rows) appendBar(s, { time: Date.parse(`${iso}Z`), open, high, low, close, volume: 1 });
  return s;
}

function run(symbol: string, rows: readonly Row[], script: Record<number, Signal>, extra: Partial<BacktestOptions> = {}) {
  const log = eventLog();
  const result = runBacktest({
    symbol, series: bars(symbol, rows), strategy: scripted(script), balance: 10_000, riskPercent: 1,
    governor: { minTradesPerWeek: 0 }, onEvent: log.push, ...extra,
  });
  return { log, result };
}

const flat = (iso: string, p: number): Row => [iso, p, p, p, p];

test('lots are sized from the price the order fills at, not the signal close', () => {
  // Signal at the close 1.2000 with the stop at 1.1950; the next bar opens at 1.1980, so the
  // buy fills at the ask 1.1981 (spread 2 pips): 31 pips to the stop. Loss per lot at the stop
  // = 0.0031 × 100,000 CHF / 1.1950 = 259.41 USD; 1 % of 10,000 = 100 USD -> 0.3855 -> 0.38
  // lots (sized from the close it would have been 100 / (500 / 1.195) = 0.239 -> 0.23).
  const { log } = run('USDCHF', [flat('1999-01-04T10:00:00', 1.2), ['1999-01-04T11:00:00', 1.198, 1.1985, 1.1975, 1.198]],
    { 0: { direction: 'buy', stopLoss: 1.195 } });
  const [entry] = log.of('TRADE_ENTRY');
  assert.is(entry.data.price, 1.1981);
  assert.is(entry.data.lot_size, 0.38);
  assert.is(entry.data.stop_loss, 1.195);
});

test('a stop on the wrong side of the fill price is refused with 10016 and the reason, and the summary says all orders were refused', () => {
  // The next bar opens at 1.1940: the bid 1.1939 is already below the stop 1.1950.
  const { log, result } = run('USDCHF', [flat('1999-01-04T10:00:00', 1.2), flat('1999-01-04T11:00:00', 1.194)],
    { 0: { direction: 'buy', stopLoss: 1.195 } });
  assert.is(log.of('TRADE_ENTRY').length, 0);
  const [rejected] = log.of('DECISION').filter((d) => d.data.decision === 'order_rejected');
  assert.is(rejected.data.retcode, 10016);
  assert.match(rejected.data.reason, 'buy stop-loss 1.195 is not below the bid 1.1939');
  assert.equal(result.complete.orders?.refused_by_reason, { '10016 Invalid stops in the request': 1 });
  assert.is(result.complete.orders?.sent, 1);
});

test('a Friday signal filled on Sunday belongs to the new week: its count, its multiplier, and the old week\'s maximum does not refuse it', () => {
  // Exactly 1 entry a week. Fri 17:00 buy fills at 18:00 (the week's one entry, multiplier 1.3:
  // the first pace check of the run, at Fri 17:00's open, found 0 of 1 × 118/120 = 0.98 expected);
  // Fri 18:00 closes it at 19:00. Fri 20:00 buys again: the order executes at Sunday 21:00's
  // open, in the new week (count 0, multiplier 1), so it is taken as that week's first entry.
  const rows: Row[] = [
    flat('1999-01-08T17:00:00', 1.2), flat('1999-01-08T18:00:00', 1.2), flat('1999-01-08T19:00:00', 1.2),
    flat('1999-01-08T20:00:00', 1.2), flat('1999-01-10T21:00:00', 1.2), flat('1999-01-10T22:00:00', 1.2),
  ];
  const { log } = run('USDCHF', rows, {
    0: { direction: 'buy', stopLoss: 1.19 }, 1: { direction: 'close' }, 3: { direction: 'buy', stopLoss: 1.19 },
  }, { governor: { minTradesPerWeek: 1, maxTradesPerWeek: 1 } });
  const entries = log.of('TRADE_ENTRY');
  assert.is(entries.length, 2);
  assert.is(entries[0].data.aggression_multiplier, 1.3);
  assert.is(entries[1].data.time, '1999-01-10T21:00:00');
  assert.is(entries[1].data.trades_this_week, 1);
  assert.is(entries[1].data.aggression_multiplier, 1);
  assert.is(log.of('DECISION').filter((d) => d.data.decision === 'skip_max_trades_reached').length, 0);
  const [week1] = log.of('WEEKLY_SUMMARY');
  assert.is(week1.data.trades, 1);
});

test('at the weekly maximum the entry is refused when it would execute in the same week, stamped then', () => {
  // Max 1: the Mon 10:00 buy fills at 11:00; the Mon 12:00 reversal's close runs at 13:00 and
  // its entry is refused there (skip_max_trades_reached at 13:00), the symbol parks in throttled.
  const rows: Row[] = [0, 1, 2, 3, 4].map((h) => flat(`1999-01-04T${10 + h}:00:00`, 1.2));
  const { log } = run('USDCHF', rows, { 0: { direction: 'buy', stopLoss: 1.19 }, 2: { direction: 'sell', stopLoss: 1.21 } },
    { governor: { minTradesPerWeek: 0, maxTradesPerWeek: 1 } });
  assert.is(log.of('TRADE_ENTRY').length, 1);
  assert.is(log.of('TRADE_EXIT')[0].data.exit_reason, 'Signal reversal');
  const [skip] = log.of('DECISION').filter((d) => d.data.decision === 'skip_max_trades_reached');
  assert.is(skip.data.time, '1999-01-04T13:00:00');
  const throttled = log.of('STATE_TRANSITION').find((e) => e.data.to === 'throttled');
  assert.is(throttled?.data.time, '1999-01-04T13:00:00');
});

test('a signal made while the symbol is throttled is judged where it executes: in the new week it is that week\'s first entry', () => {
  // Max 1. Fri 17:00 buy fills at 18:00 (the week's one entry); Fri 18:00 closes it at 19:00.
  // Fri 19:00 sells: refused at 20:00 at the weekly maximum, the symbol throttled. Fri 20:00 buys:
  // the order would execute at Sunday 21:00's open, in the new week, so it is kept and taken
  // there as that week's first entry. (It was dropped when made, the symbol being throttled.)
  const rows: Row[] = [
    flat('1999-01-08T17:00:00', 1.2), flat('1999-01-08T18:00:00', 1.2), flat('1999-01-08T19:00:00', 1.2),
    flat('1999-01-08T20:00:00', 1.2), flat('1999-01-10T21:00:00', 1.2), flat('1999-01-10T22:00:00', 1.2),
  ];
  const { log } = run('USDCHF', rows, {
    0: { direction: 'buy', stopLoss: 1.19 }, 1: { direction: 'close' }, 2: { direction: 'sell', stopLoss: 1.21 }, 3: { direction: 'buy', stopLoss: 1.19 },
  }, { governor: { minTradesPerWeek: 0, maxTradesPerWeek: 1 } });
  const skips = log.of('DECISION').filter((d) => d.data.decision === 'skip_max_trades_reached');
  assert.equal(skips.map((d) => d.data.time), ['1999-01-08T20:00:00']);
  const entries = log.of('TRADE_ENTRY');
  assert.equal(entries.map((e) => [e.data.time, e.data.direction, e.data.trades_this_week]), [
    ['1999-01-08T18:00:00', 'buy', 1], ['1999-01-10T21:00:00', 'buy', 1],
  ]);
  const moves = log.of('STATE_TRANSITION').map((e) => `${e.data.from}->${e.data.to}@${(e.data.time ?? '').slice(8, 16)}`);
  // Then the end of the run closes the position and stops the symbol.
  assert.equal(moves.slice(-5), ['scanning->throttled@08T20:00', 'throttled->scanning@10T21:00', 'scanning->in-trade@10T21:00', 'in-trade->scanning@10T23:00', 'scanning->idle@10T23:00']);
});

test('a signal made while throttled that would execute in the same week is dropped, as the refusal said it would be', () => {
  // Max 1: Mon 10:00 buy fills at 11:00, closed at 12:00; Mon 12:00 sells, refused at 13:00
  // (throttled); Mon 13:00 buys: it would execute at 14:00, the same week: nothing is sent and
  // no second refusal is logged (the first one said the symbol is throttled until the week rolls).
  const rows: Row[] = [0, 1, 2, 3, 4, 5].map((h) => flat(`1999-01-04T${10 + h}:00:00`, 1.2));
  const { log, result } = run('USDCHF', rows, {
    0: { direction: 'buy', stopLoss: 1.19 }, 1: { direction: 'close' }, 2: { direction: 'sell', stopLoss: 1.21 }, 3: { direction: 'buy', stopLoss: 1.19 },
  }, { governor: { minTradesPerWeek: 0, maxTradesPerWeek: 1 } });
  assert.is(log.of('TRADE_ENTRY').length, 1);
  assert.is(log.of('DECISION').filter((d) => d.data.decision === 'skip_max_trades_reached').length, 1);
  assert.is(result.complete.orders?.sent, 1);
  assert.is(log.of('STATE_TRANSITION').at(-2)?.data.to, 'throttled');
});

test('a reversal is sized from the balance after the reversed trade\'s loss is booked', () => {
  // 10 % risk. Buy signal at 1.2000, stop 1.1950: fills at the ask 1.2001, 51 pips to the stop:
  // loss per lot 510 / 1.195 = 426.78 USD, 1,000 / 426.78 = 2.343 -> 2.34 lots.
  // Sell signal at 1.1960 (stop 1.2010): the long closes at the next open's bid 1.1959:
  // (1.1959 - 1.2001) × 234,000 CHF = -982.80 CHF / 1.1959 = -821.81 USD -> balance 9,178.19.
  // The short fills at the bid 1.1959, 51 pips to the stop: loss per lot 510 / 1.201 = 424.65,
  // 917.819 / 424.65 = 2.161 -> 2.16 lots (from the balance before the loss: 2.35).
  const rows: Row[] = [
    flat('1999-01-04T10:00:00', 1.2), ['1999-01-04T11:00:00', 1.2, 1.2, 1.196, 1.196], flat('1999-01-04T12:00:00', 1.196),
  ];
  const { log } = run('USDCHF', rows, { 0: { direction: 'buy', stopLoss: 1.195 }, 1: { direction: 'sell', stopLoss: 1.201 } },
    { riskPercent: 10 });
  const [first, second] = log.of('TRADE_ENTRY');
  const [exit] = log.of('TRADE_EXIT');
  assert.is(first.data.lot_size, 2.34);
  assert.is(exit.data.pnl, -821.81);
  assert.is(exit.data.balance_after, 9_178.19);
  assert.is(second.data.price, 1.1959);
  assert.is(second.data.lot_size, 2.16);
});

test('a long held from Tuesday to Thursday pays four nights of swap: one for Tuesday, three for Wednesday', () => {
  // EURUSD with a -10 point long swap, no spread, 100 % risk with a 1,000-pip stop: 10,000 /
  // (0.1 × 100,000) = 1 lot. One night = -10 × 0.00001 × 100,000 × 1 = -10.00 USD; the
  // rollovers at Wed 00:00 (Tuesday: 1 night) and Thu 00:00 (Wednesday: 3 nights) make -40.00.
  const spec = resolveSymbolSpec('EURUSD', { EURUSD: { swapLong: -10, swapShort: 0, swapMode: 1, swapRollover3Days: 3 } });
  const rows: Row[] = [];
  for (let h = 0; h <= 48; h++) {
    const t = Date.UTC(1999, 0, 5, 11 + h);
    rows.push(flat(new Date(t).toISOString().slice(0, 19), 1.2));
  }
  const { log } = run('EURUSD', rows, { 0: { direction: 'buy', stopLoss: 1.1 }, 48: { direction: 'close' } },
    { spec, riskPercent: 100, broker: { spreadPoints: { EURUSD: 0 } } });
  const [entry] = log.of('TRADE_ENTRY');
  const [exit] = log.of('TRADE_EXIT');
  assert.is(entry.data.time, '1999-01-05T12:00:00');
  assert.is(entry.data.lot_size, 1);
  assert.is(exit.data.swap, -40);
  assert.is(exit.data.profit, 0);
  assert.is(exit.data.pnl, -40);
  assert.is(exit.data.balance_after, 9_960);
});

test('each deal is booked in cents: TRADE_EXIT pnl = profit + commission (both sides) + swap, balance_after = balance + pnl', () => {
  // USDCHF, no spread, commission 3.50 per lot per side. Stop 27 pips below 1.2000: loss per
  // lot 2,700 CHF / 1.1973 = 225.51 USD, 100 / 225.51 = 0.443 -> 0.44 lots; commission
  // 0.44 × 3.50 = 1.54 a side. Closed at 1.20123: 0.00123 × 44,000 CHF = 54.12 CHF / 1.20123
  // = 45.0538 USD, booked 45.05; pnl 45.05 - 3.08 = 41.97; balance 10,041.97.
  const rows: Row[] = [flat('1999-01-04T10:00:00', 1.2), flat('1999-01-04T11:00:00', 1.2), flat('1999-01-04T12:00:00', 1.20123)];
  const { log, result } = run('USDCHF', rows, { 0: { direction: 'buy', stopLoss: 1.1973 }, 1: { direction: 'close' } },
    { broker: { spreadPoints: { USDCHF: 0 }, commissionPerLot: 3.5 } });
  const [entry] = log.of('TRADE_ENTRY');
  const [exit] = log.of('TRADE_EXIT');
  assert.is(entry.data.lot_size, 0.44);
  assert.is(exit.data.profit, 45.05);
  assert.is(exit.data.commission, -3.08);
  assert.is(exit.data.swap, 0);
  assert.is(exit.data.pnl, 41.97);
  assert.is(exit.data.balance_after, 10_041.97);
  assert.is(result.complete.final_balance, 10_041.97);
});

test('negative stops are refused: a strategy\'s negative stop-loss is an invalid signal, a negative take-profit gets 10016', () => {
  const rows: Row[] = [0, 1, 2, 3].map((h) => flat(`1999-01-04T${10 + h}:00:00`, 1.2));
  const { log } = run('USDCHF', rows, { 0: { direction: 'sell', stopLoss: -1.21 }, 1: { direction: 'buy', stopLoss: 1.19, takeProfit: -5 } });
  assert.is(log.of('TRADE_ENTRY').length, 0);
  assert.match(log.of('ERROR')[0].data.error, 'without a valid stopLoss (-1.21)');
  const [rejected] = log.of('DECISION').filter((d) => d.data.decision === 'order_rejected');
  assert.is(rejected.data.retcode, 10016);
  assert.match(rejected.data.reason, 'take-profit -5 is negative');
});

test('a strategy\'s support and resistance levels are prices in TRADE_ENTRY: normalised to the symbol\'s digits', () => {
  // 1.1 + 0.2 is 1.3000000000000003 as a double; USDCHF has 4 digits.
  const { log } = run('USDCHF', [flat('1999-01-04T10:00:00', 1.2), flat('1999-01-04T11:00:00', 1.2)],
    { 0: { direction: 'buy', stopLoss: 1.19, srLevels: { support: 1.1 + 0.09000000000000001, resistance: 1.1 + 0.2 } } });
  const [entry] = log.of('TRADE_ENTRY');
  assert.equal(entry.data.sr_levels, { support: 1.19, resistance: 1.3 });
  assert.is(JSON.stringify(entry.data.sr_levels), '{"support":1.19,"resistance":1.3}');
});

test.run();
