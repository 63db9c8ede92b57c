import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { appendBar, createBarSeries } from '../../../engine/model/bar.ts';
import { BUILTIN_SYMBOL_SPECS } from '../../../engine/model/symbol-spec.ts';
import { TradeLedger } from '../../../engine/report/trade-ledger.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import type { Signal } from '../../../engine/plugin-api.ts';
import { eventLog, scripted } from '../../kit/engine-builders.ts';

// EURUSD in a USD account: profit = (price - entry) x 100,000 x lots, no conversion.
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 8);
const EURUSD = BUILTIN_SYMBOL_SPECS.EURUSD;
const round2 = (v: number) => Math.round(v * 100) / 100;

function ledger() {
  const l = new TradeLedger(new Map([['EURUSD', { spec: EURUSD }]]), 'USD');
  return { ledger: l, book: l.recorder('EURUSD') };
}

test('a buy\'s MFE and MAE come from the highest high and lowest low it was held through, worked out by hand', () => {
  const { ledger: l, book } = ledger();
  // Filled at 1.1000, held through bars whose highest high is 1.1080 and lowest low 1.0950,
  // closed at 1.1040 with 0.1 lots: +0.0080 x 10,000 = 80.00 and -0.0050 x 10,000 = -50.00.
  book({ direction: 'buy', entryPrice: 1.1, lotSize: 0.1, entryTime: T0 }, { time: T0 + 3 * H, price: 1.104 }, 40, { heldHigh: 1.108, heldLow: 1.095 });
  const t = l.trades.row(0);
  assert.is(round2(t.mfe), 80);
  assert.is(round2(t.mae), -50);
  assert.is(t.pnl, 40);
  assert.is(t.entryTime, T0);
  assert.is(t.exitTime, T0 + 3 * H);
});

test('the exit price counts too: a stop gapped through below every bar held, and a trade closed in its fill bar', () => {
  const { ledger: l, book } = ledger();
  // Held through lows down to 1.0990, stopped out at the gap's 1.0950: MAE -0.0050 x 10,000 = -50.00; never above 1.1020: MFE 20.00.
  book({ direction: 'buy', entryPrice: 1.1, lotSize: 0.1, entryTime: T0 }, { time: T0 + 2 * H, price: 1.095 }, -50, { heldHigh: 1.102, heldLow: 1.099 });
  // Closed in the bar it was filled in: held through no bar (the empty range), only the exit price counts.
  book({ direction: 'sell', entryPrice: 1.1, lotSize: 0.1, entryTime: T0 }, { time: T0, price: 1.103 }, -30, { heldHigh: Number.NEGATIVE_INFINITY, heldLow: Number.POSITIVE_INFINITY });
  assert.equal([l.trades.row(0).mfe, l.trades.row(0).mae].map(round2), [20, -50]);
  assert.equal([l.trades.row(1).mfe, l.trades.row(1).mae].map(round2), [0, -30]);
});

test('prices that go negative and then past twice the fill within a trade', () => {
  const { ledger: l, book } = ledger();
  // A CFD whose price went below zero (as oil did in 2020), then recovered past twice its fill.
  // Sell 0.01 lots at 0.4: best at the lowest low -0.9 (+1.3 x 1,000 = 1,300), worst at the highest high 1.4 (-1.0 x 1,000 = -1,000).
  book({ direction: 'sell', entryPrice: 0.4, lotSize: 0.01, entryTime: T0 }, { time: T0 + 5 * H, price: 0.7 }, -300, { heldHigh: 1.4, heldLow: -0.9 });
  assert.is(round2(l.trades.row(0).mfe), 1300);
  assert.is(round2(l.trades.row(0).mae), -1000);
});

/** An H1 EURUSD series from [open, high, low, close] rows, Monday 2024-01-08 00:00 on. */
function bars(rows: readonly (readonly [number, number, number, number])[]) {
  const s = createBarSeries('EURUSD', 'H1', rows.length);
  rows.forEach(([open, high, low, close], i) => appendBar(s, { time: T0 + i * H, open, high, low, close, volume: 1 }));
  return s;
}

function backtest(rows: readonly (readonly [number, number, number, number])[], script: Record<number, Signal>) {
  const log = eventLog();
  const { complete } = runBacktest({
    symbol: 'EURUSD', series: bars(rows), strategy: scripted(script), balance: 10_000, riskPercent: 1,
    governor: { minTradesPerWeek: 0, maxTradesPerWeek: 1_000 }, broker: { spreadPoints: { EURUSD: 0 } }, onEvent: log.push,
  });
  return { log, report: complete.report! };
}

test('in a backtest, the held range is the bars from the fill bar to the one before the exit bar, worked out by hand', () => {
  // Bar 0 signals a buy with its stop at 1.0950; it fills at bar 1's open 1.1000 (no spread). Bars
  // 1-3 are held through their close (highest high 1.1060 in bar 2, lowest low 1.0980 in bar 3);
  // bar 4 falls through the stop (low 1.0900): the stop fills at 1.0950 in bar 4, whose own
  // high 1.1200 does not count (it is not held through its close).
  const { log, report } = backtest([
    [1.1, 1.1, 1.1, 1.1],
    [1.1, 1.103, 1.099, 1.102],
    [1.102, 1.106, 1.1, 1.101],
    [1.101, 1.102, 1.098, 1.1],
    [1.1, 1.12, 1.09, 1.095],
    [1.095, 1.095, 1.095, 1.095],
  ], { 0: { direction: 'buy', stopLoss: 1.095 } });
  const [entry] = log.of('TRADE_ENTRY');
  const [exit] = log.of('TRADE_EXIT');
  assert.is(entry.data.price, 1.1);
  assert.is(exit.data.exit_price, 1.095);
  const lots = entry.data.lot_size;
  // 1 % of 10,000 over 50 pips: 100 / (0.0050 x 100,000) = 0.2 lots.
  assert.is(lots, 0.2);
  // MFE: (1.1060 - 1.1000) x 100,000 x 0.2 = 120.00; MAE at the exit: (1.0950 - 1.1000) x 100,000 x 0.2 = -100.00.
  assert.equal(report.mfe_mae, [[120, -100, exit.data.pnl]]);
});

/** The old rule, plainly: the bars from the fill bar that open before the exit, and the exit price. */
function expectedExcursions(s: ReturnType<typeof bars>, entryTime: number, exitTime: number, buy: boolean, entry: number, exit: number, lots: number) {
  let top = exit, bottom = exit;
  for (let i = 0; i < s.length; i++) {
    if (s.time[i] < entryTime || s.time[i] >= exitTime) continue;
    if (s.high[i] > top) top = s.high[i];
    if (s.low[i] < bottom) bottom = s.low[i];
  }
  const d = buy ? 1 : -1;
  const money = (p: number) => d * (p - entry) * (EURUSD.tickValueProfit / EURUSD.tickSize) * lots;
  return [round2(Math.max(0, money(exit), money(buy ? top : bottom))), round2(Math.min(0, money(exit), money(buy ? bottom : top)))];
}

test('for any bars and signals (reversals, closes, stops hit and gapped through, prices doubling), each trade\'s MFE and MAE are those of the bars it was held through', () => {
  const step = fc.tuple(fc.double({ min: -0.004, max: 0.004, noNaN: true }), fc.double({ min: 0, max: 0.003, noNaN: true }), fc.double({ min: 0, max: 0.003, noNaN: true }),
    fc.constantFrom(1, 1, 1, 1, 1, 2.5, 0.4));
  const signal = fc.option(fc.constantFrom<'buy' | 'sell' | 'close'>('buy', 'sell', 'close'), { freq: 3 });
  fc.assert(fc.property(fc.array(fc.tuple(step, signal), { minLength: 5, maxLength: 80 }), (steps) => {
    let price = 1.1;
    const rows: Array<[number, number, number, number]> = [];
    const script: Record<number, Signal> = {};
    steps.forEach(([[move, up, down, jump], sig], i) => {
      // Opens gap from the last close; now and then the price jumps (x2.5 or x0.4 at the open).
      const open = Math.round(price * jump * 1e5) / 1e5;
      const close = Math.max(0.01, Math.round((open + move) * 1e5) / 1e5);
      const high = Math.round((Math.max(open, close) + up) * 1e5) / 1e5;
      const low = Math.max(0.005, Math.round((Math.min(open, close) - down) * 1e5) / 1e5);
      rows.push([open, high, low, close]);
      price = close;
      if (sig === 'close') script[i] = { direction: 'close' };
      else if (sig) script[i] = { direction: sig, stopLoss: sig === 'buy' ? close * 0.997 : close * 1.003 };
    });
    const { log, report } = backtest(rows, script);
    const s = bars(rows);
    const entries = new Map(log.of('TRADE_ENTRY').map((e) => [e.data.position_id, e.data]));
    const want = log.of('TRADE_EXIT').map((x) => {
      const e = entries.get(x.data.position_id)!;
      return [...expectedExcursions(s, Date.parse(`${e.time}Z`), Date.parse(`${x.data.timestamp}Z`), e.direction === 'buy', e.price, x.data.exit_price, e.lot_size), x.data.pnl];
    });
    assert.equal(report.mfe_mae, want);
  }), { numRuns: 400 });
});

test.run();
