import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { barAt } from '../../../engine/model/bar.ts';
import { FIXTURES_DIR, loadHistory, rowSpacing } from '../../../engine/data/load-history.ts';
import { HistoryOptionError } from '../../../engine/data/history-option-error.ts';
import { inferTimeframe } from '../../../engine/data/mt5-bars.ts';
import { tickSeriesFrom } from '../../../engine/data/tick-series.ts';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, MT5_TICKS_HEADER, mt5BarRow, mt5TickRow, utc } from '../../kit/data-builders.ts';

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

test('an MT5 tick export becomes bars of the mid of bid and ask, the price the simulator spreads its quotes around', () => {
  // Bid 1.10000 and ask 1.10030 every 10 minutes, then bid 1.10100 and ask 1.10120 from 01:00:
  // H1 bars at the mids 1.10015 and 1.10110 (they had been built from the bids, so a buy filled
  // half a spread under the file's own ask).
  const rows = [MT5_TICKS_HEADER];
  for (let m = 0; m < 60; m += 10) rows.push(mt5TickRow('2024.01.08', `00:${String(m).padStart(2, '0')}:00.000`, '1.10000', '1.10030'));
  for (let m = 0; m < 60; m += 10) rows.push(mt5TickRow('2024.01.08', `01:${String(m).padStart(2, '0')}:00.000`, '1.10100', '1.10120'));
  const file = dir.write('EURUSD_ticks.csv', encodeLines(rows, 'utf16le-bom'));
  const { series } = loadHistory({ symbol: 'EURUSD', timeframe: 'H1', file });
  assert.is(series.length, 2);
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-12;
  for (const column of [series.open, series.high, series.low, series.close]) {
    assert.ok(near(column[0], 1.10015), `${column[0]}`);
    assert.ok(near(column[1], 1.1011), `${column[1]}`);
  }
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

/** `YYYY.MM.DD` and `HH:MM` of a wall-clock time given as epoch-style ms. */
function mt5Cells(wall: number): [string, string] {
  const iso = new Date(wall).toISOString();
  return [iso.slice(0, 10).replaceAll('-', '.'), iso.slice(11, 16)];
}

test('an MT5 D1 or H4 export in server time keeps each bar at its real open in UTC, never the UTC day or 4-hour grid', () => {
  const days = ['2024.03.25', '2024.03.26', '2024.03.27', '2024.03.28', '2024.03.29', '2024.04.01', '2024.04.02'];
  const d1 = dir.write('EURUSD_D1_athens.csv', encodeLines([MT5_BARS_HEADER, ...days.map((d) => mt5BarRow(d, '00:00', 1.08, 1.085, 1.075, 1.082))], 'utf16le-bom'));
  const { series } = loadHistory({ symbol: 'EURUSD', timeframe: 'D1', file: d1, timezone: 'Europe/Athens' });
  // 00:00 Athens is 22:00Z in winter (EET) and 21:00Z from 2024-03-31 (EEST).
  assert.equal(Array.from(series.time.subarray(0, series.length)), [
    '2024-03-24T22:00:00', '2024-03-25T22:00:00', '2024-03-26T22:00:00', '2024-03-27T22:00:00', '2024-03-28T22:00:00',
    '2024-03-31T21:00:00', '2024-04-01T21:00:00',
  ].map(utc));
  const h4 = dir.write('EURUSD_H4_athens.csv', encodeLines([MT5_BARS_HEADER, ...['00:00', '04:00', '08:00'].map((t) => mt5BarRow('2024.01.08', t, 1.1, 1.1, 1.1, 1.1))]));
  const h4Series = loadHistory({ symbol: 'EURUSD', timeframe: 'H4', file: h4, timezone: 'Europe/Athens' }).series;
  assert.equal(Array.from(h4Series.time.subarray(0, h4Series.length)), ['2024-01-07T22:00:00', '2024-01-08T02:00:00', '2024-01-08T06:00:00'].map(utc));
});

test('an H1 export in server time resampled to H4 and D1 gives the server\'s own H4 and D1 bars (buckets on its clock)', () => {
  // Athens H1 bars, Monday 2024-03-25 to Tuesday 2024-04-02 (weekends closed; DST starts Sunday 03-31).
  const h1Rows: string[] = [];
  const byTf: Record<'H4' | 'D1', Map<number, string[]>> = { H4: new Map(), D1: new Map() };
  let price = 1.08;
  for (let wall = Date.UTC(2024, 2, 25); wall < Date.UTC(2024, 3, 3); wall += 3_600_000) {
    const day = new Date(wall).getUTCDay();
    if (day === 0 || day === 6) continue;
    const next = price + 0.001 * Math.sin(wall / 7e6);
    const [date, time] = mt5Cells(wall);
    h1Rows.push(mt5BarRow(date, time, price.toFixed(5), (Math.max(price, next) + 0.0002).toFixed(5), (Math.min(price, next) - 0.0002).toFixed(5), next.toFixed(5), 10));
    for (const tf of ['H4', 'D1'] as const) {
      const step = tf === 'H4' ? 4 * 3_600_000 : 86_400_000;
      const bucket = Math.floor(wall / step) * step;
      byTf[tf].set(bucket, [...(byTf[tf].get(bucket) ?? []), h1Rows[h1Rows.length - 1]]);
    }
    price = next;
  }
  const h1 = dir.write('EURUSD_H1_athens.csv', encodeLines([MT5_BARS_HEADER, ...h1Rows]));
  for (const tf of ['H4', 'D1'] as const) {
    // The server's own export: one row per bucket of its clock, OHLCV of the H1 rows in it.
    const rows = [...byTf[tf]].map(([bucket, group]) => {
      const cells = group.map((r) => r.split('\t'));
      const [date, time] = mt5Cells(bucket);
      return mt5BarRow(date, time, cells[0][2], Math.max(...cells.map((c) => +c[3])).toFixed(5), Math.min(...cells.map((c) => +c[4])).toFixed(5), cells[cells.length - 1][5], 10 * group.length);
    });
    const own = dir.write(`EURUSD_${tf}_athens_own.csv`, encodeLines([MT5_BARS_HEADER, ...rows]));
    const built = loadHistory({ symbol: 'EURUSD', timeframe: tf, file: h1, timezone: 'Europe/Athens' }).series;
    const expected = loadHistory({ symbol: 'EURUSD', timeframe: tf, file: own, timezone: 'Europe/Athens' }).series;
    assert.is(built.length, expected.length, tf);
    for (let i = 0; i < built.length; i++) assert.equal(barAt(built, i), barAt(expected, i), `${tf} bar ${i}`);
  }
});

test('an MT5 tick export in server time makes the server\'s own H4 and D1 bars (buckets on its clock, across the spring change); a time,price file keeps the UTC grid', () => {
  // Athens ticks every 20 minutes of wall time, Monday 2024-0325 to Tuesday 2024-04-02 (weekends
  // closed; DST starts Sunday 03-31, so the week's bars shift from 22:00Z to 21:00Z).
  const tickRows: string[] = [];
  const priceRows: string[] = ['time,price'];
  const byTf: Record<'H4' | 'D1', Map<number, number[]>> = { H4: new Map(), D1: new Map() };
  let i = 0;
  for (let wall = Date.UTC(2024, 2, 25); wall < Date.UTC(2024, 3, 3); wall += 20 * 60_000) {
    const day = new Date(wall).getUTCDay();
    if (day === 0 || day === 6) continue;
    const price = Number((1.08 + 0.002 * Math.sin(i++ / 9)).toFixed(5));
    const [date, time] = mt5Cells(wall);
    tickRows.push(mt5TickRow(date, `${time}:00.000`, price.toFixed(5), price.toFixed(5)));
    priceRows.push(`${new Date(wall).toISOString().slice(0, 19)},${price.toFixed(5)}`);
    for (const tf of ['H4', 'D1'] as const) {
      const step = tf === 'H4' ? 4 * 3_600_000 : 86_400_000;
      const bucket = Math.floor(wall / step) * step;
      byTf[tf].set(bucket, [...(byTf[tf].get(bucket) ?? []), price]);
    }
  }
  const ticks = dir.write('EURUSD_ticks_athens.csv', encodeLines([MT5_TICKS_HEADER, ...tickRows], 'utf16le-bom'));
  for (const tf of ['H4', 'D1'] as const) {
    // What the server's own export holds: one bar per bucket of its clock, OHLC of its ticks.
    const rows = [...byTf[tf]].map(([bucket, prices]) => {
      const [date, time] = mt5Cells(bucket);
      return mt5BarRow(date, time, prices[0].toFixed(5), Math.max(...prices).toFixed(5), Math.min(...prices).toFixed(5), prices[prices.length - 1].toFixed(5), prices.length);
    });
    const own = dir.write(`EURUSD_${tf}_athens_ticks_own.csv`, encodeLines([MT5_BARS_HEADER, ...rows]));
    const built = loadHistory({ symbol: 'EURUSD', timeframe: tf, file: ticks, timezone: 'Europe/Athens' }).series;
    const expected = loadHistory({ symbol: 'EURUSD', timeframe: tf, file: own, timezone: 'Europe/Athens' }).series;
    assert.is(built.length, expected.length, tf);
    const ohlc = (s: typeof built, k: number) => { const b = barAt(s, k); return [b.time, b.open, b.high, b.low, b.close].map((x) => Math.round(x * 1e6) / 1e6); };
    for (let k = 0; k < built.length; k++) assert.equal(ohlc(built, k), ohlc(expected, k), `${tf} bar ${k}`);
  }
  const d1 = loadHistory({ symbol: 'EURUSD', timeframe: 'D1', file: ticks, timezone: 'Europe/Athens' }).series;
  assert.is(d1.time[0], utc('2024-03-24T22:00:00'), 'Monday from 00:00 Athens (EET)');
  assert.is(d1.time[d1.length - 1], utc('2024-04-01T21:00:00'), 'Tuesday from 00:00 Athens (EEST)');
  // A time,price file (no server behind it) keeps the UTC grid, whatever its zone.
  const prices = dir.write('EURUSD_prices_athens.csv', priceRows.join('\n') + '\n');
  const utcDays = loadHistory({ symbol: 'EURUSD', timeframe: 'D1', file: prices, timezone: 'Europe/Athens' }).series;
  for (let k = 0; k < utcDays.length; k++) assert.is(utcDays.time[k] % 86_400_000, 0, `D1 bar ${k} at a UTC midnight`);
});

test('a file\'s row spacing is the median gap between rows on the same UTC day: nights, weekends, bursts and equal times do not move it', () => {
  const at = (times: number[]) => tickSeriesFrom(times.map((time) => ({ time, bid: 1, ask: 1, last: 0, volume: 0 })));
  const MIN = 60_000;
  // 30-minute rows over a Friday and a Monday, with the weekend between them and one missing row.
  const halfHours = [...[0, 30, 60, 120, 150].map((m) => utc('2024-01-05T20:00:00') + m * MIN), ...[0, 30, 60].map((m) => utc('2024-01-08T00:00:00') + m * MIN)];
  assert.is(rowSpacing(at(halfHours)), 30 * MIN);
  // Ticks: bursts in one millisecond and a quiet minute; the median is the typical gap.
  assert.is(rowSpacing(at([0, 0, 0, 1000, 2000, 2000, 3000, 63_000, 64_000].map((t) => utc('2024-01-08T10:00:00') + t))), 1000);
  // Daily prices have no two rows on one day: the median of all gaps, a day.
  assert.is(rowSpacing(at([2, 3, 4, 5, 8, 9].map((d) => utc(`2024-01-0${d}T00:00:00`)))), 86_400_000);
  assert.is(rowSpacing(at([utc('2024-01-08T00:00:00')])), 0);
});

test('the loader names the option a refusal is about: a timeframe finer than the rows, a bad date, an empty range', () => {
  const hourly = dir.write('hourly.csv', encodeLines(['time,price', ...Array.from({ length: 48 }, (_, h) => `${new Date(utc('2024-01-08T00:00:00') + h * 3_600_000).toISOString().slice(0, 19)},1.1`)]));
  assert.is(loadHistory({ symbol: 'EURUSD', timeframe: 'H1', file: hourly }).series.length, 48);
  const option = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof HistoryOptionError) return [e.option, e.message, e.worded((o) => `--${o}`)];
      throw e;
    }
    throw new Error('no refusal');
  };
  assert.equal(option(() => loadHistory({ symbol: 'EURUSD', timeframe: 'M30', file: hourly })).slice(0, 2),
    ['timeframe', 'hourly.csv: its rows are 1 hour apart (the median gap between consecutive rows on the same UTC day); cannot make finer M30 bars from them (each would hold one price): use H1 or coarser']);
  assert.equal(option(() => loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1998-06-01', to: '1998-01-01' })),
    ['to', "'to' (1998-01-01) must be after 'from' (1998-06-01)", '--to (1998-01-01) must be after --from (1998-06-01)']);
  assert.equal(option(() => loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1998-02-30' }))[0], 'from');
});

test('a bar file whose timeframe cannot be read is named by file and line, without an option the caller may not have', () => {
  assert.throws(() => inferTimeframe('one.csv', [utc('2024-01-08T00:00:00')], [2]), (e: Error) => e.message === "one.csv:2: the file holds one bar, and a bar file's timeframe is read from the gap between its bars: export two bars or more");
  assert.throws(() => inferTimeframe('odd.csv', [0, 7_200_000, 14_400_000].map((t) => utc('2024-01-08T00:00:00') + t), [2, 3, 5]),
    (e: Error) => e.message === "odd.csv:3: cannot tell the bars' timeframe: the smallest gap between two bars (lines 2 and 3) is 120 min, not one of M1, M5, M15, M30, H1, H4, D1");
});

test('review finding 11: a time,price file edited in place to the same length is read again, not served from the cache', () => {
  const rows = (first: string) => encodeLines(['time,price', `2024-01-08T00:00:00,${first}`, '2024-01-08T00:30:00,1.194', '2024-01-08T01:00:00,1.195', '2024-01-08T01:30:00,1.196']);
  const file = dir.write('edited.csv', rows('1.193'));
  assert.is(loadHistory({ symbol: 'USDCHF', timeframe: 'H1', file }).series.open[0], 1.193);
  writeFileSync(file, rows('1.999'));
  const again = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', file });
  assert.is(again.series.open[0], 1.999, 'the edited price, not the cached one');
  assert.is(again.series.high[0], 1.999);
});

test.run();
