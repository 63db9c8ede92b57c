import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createBarSeries } from '../../../engine/model/bar.ts';
import { BUILTIN_SYMBOL_SPECS } from '../../../engine/model/symbol-spec.ts';
import { TradeLedger } from '../../../engine/report/trade-ledger.ts';

// EURUSD in a USD account: profit = (price - entry) x 100,000 x lots, no conversion.
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 8);

function ledgerOn(highs: readonly number[], lows: readonly number[]) {
  const series = createBarSeries('EURUSD', 'H1', highs.length);
  for (let i = 0; i < highs.length; i++) {
    series.time[i] = T0 + i * H;
    series.high[i] = highs[i];
    series.low[i] = lows[i];
    series.open[i] = series.close[i] = (highs[i] + lows[i]) / 2;
  }
  series.length = highs.length;
  const ledger = new TradeLedger(new Map([['EURUSD', { spec: BUILTIN_SYMBOL_SPECS.EURUSD, series }]]), 'USD');
  return { ledger, book: ledger.recorder('EURUSD') };
}

/** MFE and MAE worked out the plain way: the highest high and lowest low of the bars from the fill bar that open before the exit. */
function expected(highs: readonly number[], lows: readonly number[], from: number, exitBar: number, direction: 1 | -1, entry: number, exit: number, lots: number) {
  let top = exit, bottom = exit;
  for (let i = from; i < exitBar; i++) {
    if (highs[i] > top) top = highs[i];
    if (lows[i] < bottom) bottom = lows[i];
  }
  const spec = BUILTIN_SYMBOL_SPECS.EURUSD;
  const money = (p: number) => direction * (p - entry) * (spec.tickValueProfit / spec.tickSize) * lots;
  return { mfe: Math.max(0, money(exit), money(direction === 1 ? top : bottom)), mae: Math.min(0, money(exit), money(direction === 1 ? bottom : top)) };
}

test('a buy\'s MFE and MAE are its highest high and lowest low, worked out by hand', () => {
  const highs = [1.1010, 1.1050, 1.1030, 1.1080, 1.1020];
  const lows = [1.0990, 1.0970, 1.0950, 1.1000, 1.1000];
  const { ledger, book } = ledgerOn(highs, lows);
  // Filled in bar 0 at 1.1000, closed 30 minutes into bar 3 at 1.1040: bars 0..3 count.
  book({ direction: 'buy', entryPrice: 1.1, lotSize: 0.1, entryTime: T0, entryIndex: 0 }, { time: T0 + 3 * H + 1_800_000, price: 1.104 }, 40);
  const t = ledger.trades.row(0);
  // Highest 1.1080: +0.0080 x 10,000 = 80.00; lowest 1.0950: -0.0050 x 10,000 = -50.00.
  assert.is(Math.round(t.mfe * 100) / 100, 80);
  assert.is(Math.round(t.mae * 100) / 100, -50);
});

test('prices that more than double, or go negative, within a trade: the same extremes as the comparisons', () => {
  // A CFD whose price went below zero (as oil did in 2020), then recovered past twice its fill.
  const highs = [0.5, 0.2, -0.1, 0.3, 1.4, 0.9];
  const lows = [0.3, -0.4, -0.9, 0.1, 0.8, 0.6];
  const { ledger, book } = ledgerOn(highs, lows);
  book({ direction: 'sell', entryPrice: 0.4, lotSize: 0.01, entryTime: T0, entryIndex: 0 }, { time: T0 + 5 * H, price: 0.7 }, -300);
  const t = ledger.trades.row(0);
  // Sell: best at the lowest low -0.9 (+1.3 x 1,000 = 1,300), worst at the highest high 1.4 (-1.0 x 1,000 = -1,000).
  assert.is(Math.round(t.mfe * 100) / 100, 1300);
  assert.is(Math.round(t.mae * 100) / 100, -1000);
});

test('for any bars (zeros, negatives, NaN, huge moves), MFE and MAE equal the plain comparisons', () => {
  const price = fc.oneof(
    fc.double({ min: 0.5, max: 2, noNaN: true }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, 1, 2, 0.5, 2 + 4.440892098500626e-16, 0.49999999999999994, 1.99999999, 2.00000001),
  );
  fc.assert(fc.property(
    fc.array(fc.tuple(price, price), { minLength: 1, maxLength: 60 }),
    fc.nat(), fc.nat(), fc.boolean(), price, price,
    (bars, a, b, buy, entry, exit) => {
      const highs = bars.map(([h]) => h);
      const lows = bars.map(([, l]) => l);
      const from = a % bars.length;
      const exitBar = from + (b % (bars.length - from + 1));
      const { ledger, book } = ledgerOn(highs, lows);
      const direction = buy ? 1 : -1;
      // The exit opens bar `exitBar` (its exact open time): the bars before it count.
      book({ direction: buy ? 'buy' : 'sell', entryPrice: entry, lotSize: 0.01, entryTime: T0 + from * H, entryIndex: from }, { time: T0 + exitBar * H, price: exit }, 0);
      const t = ledger.trades.row(0);
      const want = expected(highs, lows, from, exitBar, direction, entry, exit, 0.01);
      assert.equal([t.mfe, t.mae], [want.mfe, want.mae]);
    },
  ), { numRuns: 20_000 });
});

test.run();
