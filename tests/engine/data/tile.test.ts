import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { barAt, barSeriesFrom, type BarSeries } from '../../../engine/model/bar.ts';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { tileChunks, tileSeries } from '../../../engine/data/tile.ts';
import { utc } from '../../kit/data-builders.ts';

const WEEK = 7 * 86_400_000;
const small = barSeriesFrom('T', 'H1', [
  { time: utc('2024-01-01T00:00:00'), open: 1.0, high: 1.2, low: 0.9, close: 1.1, volume: 3 },
  { time: utc('2024-01-01T01:00:00'), open: 1.1, high: 1.3, low: 1.0, close: 1.2, volume: 4 },
  { time: utc('2024-01-01T02:00:00'), open: 1.2, high: 1.5, low: 1.2, close: 1.5, volume: 5 },
]);
const all = (s: BarSeries) => Array.from({ length: s.length }, (_, i) => barAt(s, i));
const round = (b: ReturnType<typeof barAt>) => ({ ...b, open: +b.open.toFixed(10), high: +b.high.toFixed(10), low: +b.low.toFixed(10), close: +b.close.toFixed(10) });

test('tiling moves each copy a whole week on and opens it at the previous close', () => {
  const t = tileSeries(small, 7);
  assert.is(t.length, 7);
  // Shift per copy: last close 1.5 - first open 1.0 = +0.5.
  assert.equal(all(t).map(round), [
    ...all(small),
    { time: utc('2024-01-08T00:00:00'), open: 1.5, high: 1.7, low: 1.4, close: 1.6, volume: 3 },
    { time: utc('2024-01-08T01:00:00'), open: 1.6, high: 1.8, low: 1.5, close: 1.7, volume: 4 },
    { time: utc('2024-01-08T02:00:00'), open: 1.7, high: 2.0, low: 1.7, close: 2.0, volume: 5 },
    { time: utc('2024-01-15T00:00:00'), open: 2.0, high: 2.2, low: 1.9, close: 2.1, volume: 3 },
  ]);
});

test('the chunk stream yields the same bars in chunks of the asked size; reuseBuffer keeps one buffer', () => {
  const chunks = [...tileChunks(small, 7, 3)];
  assert.equal(chunks.map((c) => c.length), [3, 3, 1]);
  assert.equal(chunks.flatMap(all), all(tileSeries(small, 7)));
  const seen = new Set<BarSeries>();
  let total = 0;
  for (const c of tileChunks(small, 7, 3, { reuseBuffer: true })) {
    seen.add(c);
    total += c.length;
  }
  assert.is(seen.size, 1);
  assert.is(total, 7);
  assert.throws(() => tileSeries(barSeriesFrom('T', 'H1', []), 10), /empty series/);
});

test('USDCHF H1 tiled to 1,000,000 bars: increasing times, weekdays kept, seamless prices', () => {
  const h1 = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' }).series;
  const t = tileSeries(h1, 1_000_000);
  assert.is(t.length, 1_000_000);
  for (let i = 1; i < t.length; i++) if (!(t.time[i] > t.time[i - 1])) assert.unreachable(`time not increasing at ${i}`);
  const n = h1.length;
  for (let k = 1; k * n < t.length; k++) {
    const start = k * n;
    assert.ok(Math.abs(t.open[start] - t.close[start - 1]) < 1e-9, `copy ${k} opens at the previous close`);
    assert.is(new Date(t.time[start]).getUTCDay(), new Date(h1.time[0]).getUTCDay());
    assert.is((t.time[start] - h1.time[0]) % WEEK, 0);
  }
});

test.run();
