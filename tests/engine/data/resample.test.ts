import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendBar, barAt, createBarSeries, TIMEFRAME_MS, type BarSeries } from '../../../engine/model/bar.ts';
import { resampleBars, resampleTicks } from '../../../engine/data/resample.ts';
import { tickSeriesFrom } from '../../../engine/data/tick-series.ts';
import { utc } from '../../kit/data-builders.ts';

const mid = (time: string, price: number) => ({ time: utc(time), bid: price, ask: price, last: 0, volume: 0 });
// Monday night to Tuesday morning (UTC), crossing an H1, an H4 and a D1 boundary.
const ticks = tickSeriesFrom([
  mid('2024-01-01T23:10:00', 1.0),
  mid('2024-01-01T23:50:00', 1.04),
  mid('2024-01-02T00:05:00', 1.02),
  mid('2024-01-02T00:20:00', 0.98),
  mid('2024-01-02T00:45:00', 1.01),
  mid('2024-01-02T03:59:59.999', 1.05),
  mid('2024-01-02T04:00:00', 1.03),
  mid('2024-01-02T05:30:00', 1.06),
]);

const bars = (s: BarSeries) => Array.from({ length: s.length }, (_, i) => barAt(s, i));
const bar = (time: string, open: number, high: number, low: number, close: number, volume: number) => ({ time: utc(time), open, high, low, close, volume });

test('H1 candles: open first, high max, low min, close last, volume = tick count; empty hours make no bar', () => {
  const h1 = resampleTicks(ticks, 'H1', { symbol: 'TEST' });
  assert.is(h1.symbol, 'TEST');
  assert.is(h1.timeframe, 'H1');
  assert.equal(bars(h1), [
    bar('2024-01-01T23:00:00', 1.0, 1.04, 1.0, 1.04, 2),
    bar('2024-01-02T00:00:00', 1.02, 1.02, 0.98, 1.01, 3),
    bar('2024-01-02T03:00:00', 1.05, 1.05, 1.05, 1.05, 1),
    bar('2024-01-02T04:00:00', 1.03, 1.03, 1.03, 1.03, 1),
    bar('2024-01-02T05:00:00', 1.06, 1.06, 1.06, 1.06, 1),
  ]);
});

test('H4 candles open at 00, 04, 08 ... UTC and D1 candles at 00:00 UTC', () => {
  assert.equal(bars(resampleTicks(ticks, 'H4', { symbol: 'TEST' })), [
    bar('2024-01-01T20:00:00', 1.0, 1.04, 1.0, 1.04, 2),
    bar('2024-01-02T00:00:00', 1.02, 1.05, 0.98, 1.05, 4),
    bar('2024-01-02T04:00:00', 1.03, 1.06, 1.03, 1.06, 2),
  ]);
  assert.equal(bars(resampleTicks(ticks, 'D1', { symbol: 'TEST' })), [
    bar('2024-01-01T00:00:00', 1.0, 1.04, 1.0, 1.04, 2),
    bar('2024-01-02T00:00:00', 1.02, 1.06, 0.98, 1.06, 6),
  ]);
});

test('M30 bars resampled to H1, H4 and D1 equal candles built from the ticks directly', () => {
  const m30 = resampleTicks(ticks, 'M30', { symbol: 'TEST' });
  assert.is(m30.length, 7);
  for (const tf of ['H1', 'H4', 'D1'] as const) {
    assert.equal(bars(resampleBars(m30, tf)), bars(resampleTicks(ticks, tf, { symbol: 'TEST' })), tf);
  }
  assert.equal(bars(resampleBars(resampleBars(m30, 'H1'), 'D1')), bars(resampleBars(m30, 'D1')));
  assert.equal(bars(resampleBars(m30, 'M30')), bars(m30), 'same timeframe is a copy');
});

test('candles come from the bid by default, or from the ask or the mid on request', () => {
  const quotes = tickSeriesFrom([
    { time: utc('2024-01-02T00:00:00'), bid: 1.0, ask: 1.2, last: 0, volume: 0 },
    { time: utc('2024-01-02T00:10:00'), bid: 1.1, ask: 1.3, last: 0, volume: 0 },
  ]);
  assert.is(resampleTicks(quotes, 'H1', { symbol: 'T' }).close[0], 1.1);
  assert.is(resampleTicks(quotes, 'H1', { symbol: 'T', price: 'ask' }).close[0], 1.3);
  assert.is(resampleTicks(quotes, 'H1', { symbol: 'T', price: 'mid' }).open[0], 1.1);
});

test('finer target timeframes and unsorted ticks are refused with a clear error', () => {
  const h1 = resampleTicks(ticks, 'H1', { symbol: 'TEST' });
  assert.throws(() => resampleBars(h1, 'M30'), /cannot build M30 bars from H1 bars/);
  const unsorted = tickSeriesFrom([mid('2024-01-02T05:00:00', 1), mid('2024-01-02T03:00:00', 1)]);
  assert.throws(() => resampleTicks(unsorted, 'H1', { symbol: 'T' }), /tick 1 .* is earlier than the one before it/);
});

/** Hourly bars at the given UTC hours (flat price 1), as an H1 series. */
function hourly(times: readonly string[]): BarSeries {
  const s = createBarSeries('T', 'H1', times.length);
  for (const t of times) appendBar(s, { time: utc(t), open: 1, high: 1, low: 1, close: 1, volume: 1 });
  return s;
}

test('bars on a server clock (Europe/Athens) make H4 on that clock, across both DST changes; no bar closes after time + timeframe', () => {
  // Spring, 2024-03-31: 03:00 EET -> 04:00 EEST. Local 00, 01, 02 | 04, 05 (22Z, 23Z, 00Z | 01Z, 02Z).
  const spring = resampleBars(hourly(['2024-03-30T22:00:00', '2024-03-30T23:00:00', '2024-03-31T00:00:00', '2024-03-31T01:00:00', '2024-03-31T02:00:00']), 'H4', { timezone: 'Europe/Athens' });
  assert.equal(Array.from(spring.time.subarray(0, spring.length)), [utc('2024-03-30T22:00:00'), utc('2024-03-31T01:00:00')]);
  assert.equal(Array.from(spring.volume.subarray(0, spring.length)), [3, 2]);
  // Autumn, 2024-10-27: 04:00 EEST -> 03:00 EET. The 00:00-04:00 local bucket holds five hours; the
  // fifth (03:00 EET = 01:00Z) would close after 21:00Z + 4 h, so it is a bar of its own at its open.
  const times = ['2024-10-26T21:00:00', '2024-10-26T22:00:00', '2024-10-26T23:00:00', '2024-10-27T00:00:00', '2024-10-27T01:00:00',
    '2024-10-27T02:00:00', '2024-10-27T03:00:00', '2024-10-27T04:00:00', '2024-10-27T05:00:00', '2024-10-27T06:00:00'];
  const source = hourly(times);
  const autumn = resampleBars(source, 'H4', { timezone: 'Europe/Athens' });
  assert.equal(Array.from(autumn.time.subarray(0, autumn.length)),
    [utc('2024-10-26T21:00:00'), utc('2024-10-27T01:00:00'), utc('2024-10-27T02:00:00'), utc('2024-10-27T06:00:00')]);
  assert.equal(Array.from(autumn.volume.subarray(0, autumn.length)), [4, 1, 4, 1]);
  let k = 0;
  for (let i = 0; i < source.length; i++) {
    while (k + 1 < autumn.length && autumn.time[k + 1] <= source.time[i]) k++;
    assert.ok(source.time[i] + TIMEFRAME_MS.H1 <= autumn.time[k] + TIMEFRAME_MS.H4, `source bar ${times[i]} closes within its H4 bar`);
  }
  // Same timeframe: every bar keeps its own time, whatever the zone.
  assert.equal(bars(resampleBars(source, 'H1', { timezone: 'Europe/Athens' })), bars(source));
});

test('ticks on a server clock (Europe/Athens) make the same H4 bars as that clock\'s H1 bars do, across the autumn change', () => {
  // One tick a quarter past each hour, 2024-10-26 21:15Z to 2024-10-27 06:15Z (04:00 EEST -> 03:00 EET).
  const hours = ['2024-10-26T21', '2024-10-26T22', '2024-10-26T23', '2024-10-27T00', '2024-10-27T01', '2024-10-27T02', '2024-10-27T03', '2024-10-27T04', '2024-10-27T05', '2024-10-27T06'];
  const athens = tickSeriesFrom(hours.map((h, k) => mid(`${h}:15:00`, 1 + k / 100)));
  const h4 = resampleTicks(athens, 'H4', { symbol: 'TEST', timezone: 'Europe/Athens' });
  // The 00:00-04:00 local bucket holds five hours; the fifth (03:15 EET = 01:15Z) is a bar of its own, one H4 on.
  assert.equal(Array.from(h4.time.subarray(0, h4.length)), [utc('2024-10-26T21:00:00'), utc('2024-10-27T01:00:00'), utc('2024-10-27T02:00:00'), utc('2024-10-27T06:00:00')]);
  assert.equal(Array.from(h4.volume.subarray(0, h4.length)), [4, 1, 4, 1]);
  const viaBars = resampleBars(resampleTicks(athens, 'H1', { symbol: 'TEST', timezone: 'Europe/Athens' }), 'H4', { timezone: 'Europe/Athens' });
  assert.equal(bars(h4), bars(viaBars), 'ticks -> H4 equals ticks -> H1 -> H4 on the same clock');
  for (let i = 0; i < athens.length; i++) {
    const k = Array.from(h4.time.subarray(0, h4.length)).findLastIndex((t) => t <= athens.time[i]);
    assert.ok(athens.time[i] < h4.time[k] + TIMEFRAME_MS.H4, `tick ${hours[i]} is within its bar`);
  }
  // UTC and no zone are the same grid.
  assert.equal(bars(resampleTicks(ticks, 'D1', { symbol: 'TEST', timezone: 'UTC' })), bars(resampleTicks(ticks, 'D1', { symbol: 'TEST' })));
  assert.throws(() => resampleTicks(tickSeriesFrom([mid('2024-01-02T00:00:00', 1), mid('2024-01-01T00:00:00', 1)]), 'H1', { symbol: 'T', timezone: 'Europe/Athens' }), /earlier than the one before it/);
});

test.run();
