import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { buildReport } from '../../../engine/report/build-report.ts';
import { TradeTable } from '../../../engine/report/trade-table.ts';
import type { ReportTrade } from '../../../engine/report/tester-stats.ts';

const H = 3_600_000;
const trade = (symbol: string, entry: number, pnl: number): ReportTrade => ({
  symbol, direction: pnl >= 0 ? 1 : -1, entryTime: entry, exitTime: entry + 2 * H, pnl, mfe: Math.max(pnl, 0), mae: Math.min(pnl, 0),
});
const noDrawdown = { absolute: 0, maximal: 0, maximalPercent: 0, relative: 0, relativePercent: 0 };

test('entries and profit by hour, weekday and month, from the entry time (UTC), across month and year ends and out of order', () => {
  // 2024-01-31 is a Wednesday, 2024-02-29 a Thursday (leap day), 2023-12-31 a Sunday.
  const trades = [
    trade('USDCHF', Date.UTC(2024, 0, 31, 23), 10),  // Jan, Wed, 23h
    trade('USDCHF', Date.UTC(2024, 1, 1, 0), -4),    // Feb, Thu, 0h
    trade('EURUSD', Date.UTC(2024, 1, 29, 13), 7),   // Feb, Thu, 13h
    trade('USDCHF', Date.UTC(2023, 11, 31, 22), 3),  // Dec (an earlier entry closing later), Sun, 22h
    trade('EURUSD', Date.UTC(2024, 2, 1, 0), -1),    // Mar, Fri, 0h
  ];
  const r = buildReport(10_000, TradeTable.from(trades), noDrawdown, { starts: [], closes: [] });
  assert.equal(r.by_month.entries, [1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(r.by_month.profit, [10, 3, -1, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
  // Sunday = 0 ... Saturday = 6.
  assert.equal(r.by_weekday.entries, [1, 0, 0, 1, 2, 1, 0]);
  assert.equal(r.by_weekday.profit, [3, 0, 0, 10, 3, -1, 0]);
  assert.equal(r.by_hour.entries.filter((n) => n > 0).length, 4);
  assert.is(r.by_hour.entries[0], 2);
  assert.is(r.by_hour.profit[0], -5);
  assert.is(r.by_hour.profit[23], 10);
  assert.equal(Object.keys(r.per_symbol), ['EURUSD', 'USDCHF']);
  assert.is(r.per_symbol.USDCHF.trades, 3);
  assert.is(r.per_symbol.EURUSD.net_profit, 6);
});

test('the month, weekday and hour buckets agree with the calendar (Date) for any entry times, 1900-2199, leap days and pre-1970 included', () => {
  const start = Date.UTC(1900, 0, 1), end = Date.UTC(2199, 11, 31, 23);
  fc.assert(fc.property(fc.array(fc.integer({ min: start, max: end }), { minLength: 1, maxLength: 60 }), (times) => {
    const r = buildReport(10_000, TradeTable.from(times.map((t) => trade('USDCHF', t, 1))), noDrawdown, { starts: [], closes: [] });
    const months = new Array(12).fill(0), weekdays = new Array(7).fill(0), hours = new Array(24).fill(0);
    for (const t of times) {
      const d = new Date(t);
      months[d.getUTCMonth()]++;
      weekdays[d.getUTCDay()]++;
      hours[d.getUTCHours()]++;
    }
    assert.equal(r.by_month.entries, months);
    assert.equal(r.by_weekday.entries, weekdays);
    assert.equal(r.by_hour.entries, hours);
  }));
});

test('the buckets agree with the calendar for entries in time order that step from month to month (each month found from the one before)', () => {
  const start = Date.UTC(1899, 11, 1);
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40 * 24 * 60 }), { minLength: 1, maxLength: 200 }), (steps) => {
    let t = start;
    const times = steps.map((minutes) => (t += minutes * 60_000));
    const r = buildReport(10_000, TradeTable.from(times.map((x) => trade('USDCHF', x, 1))), noDrawdown, { starts: [], closes: [] });
    const months = new Array(12).fill(0), weekdays = new Array(7).fill(0), hours = new Array(24).fill(0);
    for (const x of times) {
      const d = new Date(x);
      months[d.getUTCMonth()]++;
      weekdays[d.getUTCDay()]++;
      hours[d.getUTCHours()]++;
    }
    assert.equal(r.by_month.entries, months);
    assert.equal(r.by_weekday.entries, weekdays);
    assert.equal(r.by_hour.entries, hours);
  }));
});

test('each symbol\'s sums and curve (a point every ceil(n / 400)-th trade and at the last) for any trades of up to three symbols', () => {
  const round2 = (x: number) => Math.round(x * 100) / 100;
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.constantFrom('USDCHF', 'EURUSD', 'XAUUSD'), fc.double({ min: -50, max: 50, noNaN: true })), { minLength: 1, maxLength: 1_500 }),
    (rows) => {
      const trades = rows.map(([symbol, pnl], i) => trade(symbol, Date.UTC(2020, 0, 1) + i * H, pnl));
      const r = buildReport(10_000, TradeTable.from(trades), noDrawdown, { starts: [], closes: [] });
      const names = [...new Set(rows.map(([symbol]) => symbol))].sort();
      assert.equal(Object.keys(r.per_symbol), names);
      for (const name of names) {
        const own = trades.filter((t) => t.symbol === name);
        const step = Math.max(1, Math.ceil(own.length / 400));
        let gp = 0, gl = 0, net = 0;
        const curve: Array<[number, number]> = [];
        own.forEach((t, j) => {
          if (t.pnl > 0) gp += t.pnl; else gl += t.pnl;
          net += t.pnl;
          if ((j + 1) % step === 0 || j === own.length - 1) curve.push([Math.floor(t.exitTime / 1000), round2(net)]);
        });
        const s = r.per_symbol[name];
        assert.equal([s.trades, s.gross_profit, s.gross_loss, s.long_trades], [own.length, round2(gp), round2(gl), own.filter((t) => t.direction === 1).length]);
        assert.equal(s.curve, curve);
      }
    }), { numRuns: 60 });
});

test('the equity curve keeps each bucket\'s lowest day (the first, on a tie to the cent) and its last day, for any daily closes', () => {
  const DAY = 86_400_000;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: -2, max: 2 }), fc.constantFrom(0, 0.004, 0.0049, 0.005, 0.0051, -0.005, 1e-9)), { minLength: 1, maxLength: 2_500, size: 'max' }),
    (steps) => {
      let cents = 1_000_000;
      const closes = steps.map(([step, jitter]) => (cents += step) / 100 + jitter);
      const starts = closes.map((_, i) => Date.UTC(2020, 0, 1) + i * DAY);
      const r = buildReport(10_000, new TradeTable(), noDrawdown, { starts, closes });
      // The rule, written out plainly: buckets of ceil(n / 300) days once there are more than 600.
      const n = closes.length;
      const size = n <= 600 ? 1 : Math.ceil(n / 300);
      const want: Array<[number, number, number]> = [];
      for (let i = 0; i < n; i += size) {
        const end = Math.min(n, i + size);
        let low = i;
        for (let j = i + 1; j < end; j++) if (round2(closes[j]) < round2(closes[low])) low = j;
        for (const k of low === end - 1 ? [low] : [low, end - 1]) want.push([Math.floor(starts[k] / 1000), 10_000, round2(closes[k])]);
      }
      assert.equal(r.curve, want);
    }), { numRuns: 100, endOnFailure: true });
});

test.run();
