import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { barAt } from '../../../engine/model/bar.ts';
import { FIXTURES_DIR, loadHistory } from '../../../engine/data/load-history.ts';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow, utc } from '../../kit/data-builders.ts';

const dir = makeTempDir();
test.after(() => dir.remove());

test('USDCHF H1 comes from the real fixture: 31,248 bars, the first at 1996-03-31T22:00Z', () => {
  const { series, synthetic, source } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1' });
  assert.is(synthetic, false);
  assert.ok(source.endsWith('fixtures/usdchf_m30.csv'));
  // 62,496 half hours, and Zurich's offsets are whole hours, so every UTC hour holds two rows.
  assert.is(series.length, 31_248);
  assert.equal(barAt(series, 0), { time: utc('1996-03-31T22:00:00'), open: 1.193, high: 1.1941, low: 1.193, close: 1.1941, volume: 2 });
  for (let i = 0; i < series.length; i++) assert.is(series.volume[i], 2);
});

test('USDCHF M30, H4 and D1 bar counts follow from the UTC-aligned buckets', () => {
  assert.is(loadHistory({ symbol: 'USDCHF', timeframe: 'M30' }).series.length, 62_496);
  const d1 = loadHistory({ symbol: 'USDCHF', timeframe: 'D1' }).series;
  // Monday 00:00 Zurich is Sunday 22:00/23:00 UTC, so each week also has a short Sunday candle.
  const sundays = Array.from(d1.time.subarray(0, d1.length)).filter((t) => new Date(t).getUTCDay() === 0).length;
  // One D1 bar per Zurich trading day (1,302), plus one stub on Wednesday 1996-12-25: the file
  // skips Christmas Day, so Thursday 00:00 CET opens on Wednesday 23:00 UTC.
  assert.is(d1.length - sundays, 62_496 / 48 + 1);
  assert.ok(d1.time.includes(utc('1996-12-25T00:00:00')));
  assert.ok(sundays > 250 && sundays < 265, `about one Sunday stub per week (${sundays})`);
  const h4 = loadHistory({ symbol: 'USDCHF', timeframe: 'H4' }).series;
  for (let i = 0; i < h4.length; i++) assert.is(new Date(h4.time[i]).getUTCHours() % 4, 0);
});

test('from/to clip in UTC, a date-only `to` including its whole day; USDCHFm maps to the fixture', () => {
  const { series } = loadHistory({ symbol: 'USDCHFm', timeframe: 'H1', from: '1997-01-01', to: '1997-12-31' });
  assert.is(series.symbol, 'USDCHFm');
  assert.is(series.time[0], utc('1997-01-01T00:00:00'));
  assert.is(series.time[series.length - 1], utc('1997-12-31T23:00:00'));
  assert.is(series.length, 261 * 24, '261 weekdays in 1997, 24 bars each');
  assert.throws(() => loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1997-13-01' }), /option from: "1997-13-01" is not an ISO date/);
  assert.throws(() => loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1998-01-01', to: '1997-01-01' }), /must be after/);
});

test('symbols without real data get a seeded synthetic series, marked synthetic', () => {
  const a = loadHistory({ symbol: 'EURUSDm', timeframe: 'H1', from: '2023-01-01', to: '2023-03-01' });
  const b = loadHistory({ symbol: 'EURUSDm', timeframe: 'H1', from: '2023-01-01', to: '2023-03-01' });
  assert.is(a.synthetic, true);
  assert.match(a.source, /^synthetic:EURUSDm:seed=\d+$/);
  assert.ok(a.series.length > 800);
  assert.equal(Array.from(a.series.close.subarray(0, a.series.length)), Array.from(b.series.close.subarray(0, b.series.length)));
  const c = loadHistory({ symbol: 'EURUSDm', timeframe: 'H1', from: '2023-01-01', to: '2023-03-01', seed: 99 });
  assert.not.equal(c.series.close[100], a.series.close[100]);
});

test('an unknown symbol without a file is an error naming the symbol and the way out', () => {
  assert.throws(() => loadHistory({ symbol: 'FOOBAR', timeframe: 'H1' }), /no history for symbol "FOOBAR": no data file was given/);
});

test('a given MT5 bar file is read and resampled; asking for a finer timeframe is refused', () => {
  const file = dir.write(
    'EURUSD_M30.csv',
    encodeLines(
      [MT5_BARS_HEADER, mt5BarRow('2024.01.02', '10:00', 1.1, 1.2, 1.0, 1.15, 5), mt5BarRow('2024.01.02', '10:30', 1.15, 1.3, 1.1, 1.25, 7), mt5BarRow('2024.01.02', '11:00', 1.25, 1.26, 1.2, 1.22, 3)],
      'utf16le-bom',
    ),
  );
  const { series, synthetic, source } = loadHistory({ symbol: 'EURUSD', timeframe: 'H1', file });
  assert.is(synthetic, false);
  assert.is(source, file);
  assert.equal(barAt(series, 0), { time: utc('2024-01-02T10:00:00'), open: 1.1, high: 1.3, low: 1.0, close: 1.25, volume: 12 });
  assert.is(series.length, 2);
  const d1 = dir.write('EURUSD_D1.csv', encodeLines([MT5_BARS_HEADER, mt5BarRow('2024.01.02', '00:00', 1, 1, 1, 1), mt5BarRow('2024.01.03', '00:00', 1, 1, 1, 1)]));
  assert.throws(() => loadHistory({ symbol: 'EURUSD', timeframe: 'H1', file: d1 }), /holds D1 bars; cannot make finer H1 bars/);
});

test('the fixture is found from any working directory (resolved from the source file, not the cwd)', () => {
  const cwd = process.cwd();
  try {
    process.chdir(dir.path);
    assert.is(loadHistory({ symbol: 'USDCHF', timeframe: 'D1', from: '1996-04-01', to: '1996-04-05' }).series.length, 5);
  } finally {
    process.chdir(cwd);
  }
  assert.not.match(FIXTURES_DIR, /shared/);
});

test.run();
