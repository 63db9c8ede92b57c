import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../../../engine/data/data-error.ts';
import { importMt5Bars } from '../../../engine/data/mt5-bars.ts';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow, utc } from '../../kit/data-builders.ts';

const dir = makeTempDir();
test.after(() => dir.remove());

const rows = [
  MT5_BARS_HEADER,
  mt5BarRow('2024.01.02', '00:00', 1.1, 1.102, 1.099, 1.101, 120, 0, 12),
  mt5BarRow('2024.01.02', '00:30', 1.101, 1.103, 1.1, 1.1025, 95, 0, 14),
  mt5BarRow('2024.01.02', '01:00:00', 1.1025, 1.104, 1.102, 1.103, 80, 0, 11),
];

function expectDataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

test('a UTF-16LE export with BOM and CRLF reads as bars with per-bar spread', () => {
  const file = dir.write('EURUSD_M30.csv', encodeLines(rows, 'utf16le-bom'));
  const r = importMt5Bars(file);
  assert.is(r.encoding, 'utf-16le');
  assert.is(r.series.symbol, 'EURUSD');
  assert.is(r.series.timeframe, 'M30');
  assert.is(r.series.length, 3);
  assert.is(r.series.time[0], utc('2024-01-02T00:00:00'));
  assert.is(r.series.time[2], utc('2024-01-02T01:00:00'));
  assert.is(r.series.open[1], 1.101);
  assert.is(r.series.high[1], 1.103);
  assert.is(r.series.low[1], 1.1);
  assert.is(r.series.close[1], 1.1025);
  assert.is(r.series.volume[0], 120, 'volume is the tick volume');
  assert.equal(Array.from(r.spread), [12, 14, 11]);
  assert.equal(r.skipped, []);
});

test('UTF-8 with and without BOM, LF endings, and UTF-16LE without BOM read the same bars', () => {
  const reference = importMt5Bars(encodeLines(rows, 'utf16le-bom')).series;
  for (const enc of ['utf8', 'utf8-bom', 'utf16le'] as const) {
    const s = importMt5Bars(encodeLines(rows, enc, '\n'), { symbol: 'EURUSD' }).series;
    assert.equal(Array.from(s.close.subarray(0, s.length)), Array.from(reference.close.subarray(0, 3)), enc);
    assert.equal(Array.from(s.time.subarray(0, s.length)), Array.from(reference.time.subarray(0, 3)), enc);
  }
});

test('a D1 export without a <TIME> column reads as daily bars at 00:00 UTC', () => {
  const d1 = ['<DATE>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>', '2024.01.02\t1.1\t1.11\t1.09\t1.105\t5000\t0\t10', '2024.01.03\t1.105\t1.12\t1.1\t1.115\t5200\t0\t9'];
  const r = importMt5Bars(encodeLines(d1), { symbol: 'EURUSD' });
  assert.is(r.series.timeframe, 'D1');
  assert.is(r.series.time[1], utc('2024-01-03T00:00:00'));
});

test('a server-time export converts to UTC with the timezone option', () => {
  // Europe/Athens is UTC+2 in January: 00:00 server time is 22:00Z the day before.
  const r = importMt5Bars(encodeLines(rows), { symbol: 'EURUSD', timezone: 'Europe/Athens' });
  assert.is(r.series.time[0], utc('2024-01-01T22:00:00'));
});

test('server time across the autumn overlap: the repeated hour maps to its second occurrence', () => {
  // Europe/Athens falls back from 04:00 EEST to 03:00 EET on 2023-10-29 (01:00Z); 03:00 happens twice.
  const overlap = [
    rows[0],
    mt5BarRow('2023.10.29', '02:00', 1, 1, 1, 1),
    mt5BarRow('2023.10.29', '03:00', 1, 1, 1, 1),
    mt5BarRow('2023.10.29', '03:00', 1, 1, 1, 1),
    mt5BarRow('2023.10.29', '04:00', 1, 1, 1, 1),
  ];
  const s = importMt5Bars(encodeLines(overlap), { symbol: 'EURUSD', timezone: 'Europe/Athens' }).series;
  assert.equal(Array.from(s.time.subarray(0, s.length)), [utc('2023-10-28T23:00:00'), utc('2023-10-29T00:00:00'), utc('2023-10-29T01:00:00'), utc('2023-10-29T02:00:00')]);
  assert.is(s.timeframe, 'H1');
});

test('a day a zone skipped outright (Pacific/Apia, 2011-12-30) is refused naming both dates and the change of standard time, not "daylight saving time" nor "from 00:00 to 00:00" (review 2, finding 9)', () => {
  const apia = [
    MT5_BARS_HEADER,
    mt5BarRow('2011.12.29', '23:00', 1.2, 1.21, 1.19, 1.2),
    mt5BarRow('2011.12.30', '12:00', 1.2, 1.21, 1.19, 1.2),
    mt5BarRow('2011.12.31', '01:00', 1.2, 1.21, 1.19, 1.2),
  ];
  const file = dir.write('USDWST_H1_apia.csv', encodeLines(apia));
  const e = expectDataError(() => importMt5Bars(file, { timezone: 'Pacific/Apia' }));
  assert.equal([e.line, e.column], [3, '<TIME>']);
  assert.is(e.message, 'USDWST_H1_apia.csv:3: column "<TIME>": 2011-12-30 12:00:00 does not exist in Pacific/Apia: the clocks went forward from 2011-12-30 00:00 to 2011-12-31 00:00 '
    + "(a change of the zone's standard time, from UTC-10:00 to UTC+14:00), so no row can be stamped in between; the file's times are not Pacific/Apia times (check the timezone it is read with) or the row is wrong");
  assert.not.match(e.message, /daylight saving/);
});

test('review finding 13: a server time in the spring-forward gap is refused at its own row, naming the zone and the skipped hour (not blamed on the next row)', () => {
  // Europe/Athens springs from 03:00 EET to 04:00 EEST on 2021-03-28: 03:00 never happens there.
  const spring = [
    rows[0],
    mt5BarRow('2021.03.28', '01:00', 46447.5, 46733.42, 46401.05, 46686.74),
    mt5BarRow('2021.03.28', '02:00', 46686.74, 46733.42, 46563.08, 46609.69),
    mt5BarRow('2021.03.28', '03:00', 46609.69, 46670.1, 46563.08, 46623.48),
    mt5BarRow('2021.03.28', '04:00', 46623.48, 46824.26, 46576.85, 46777.48),
  ];
  const file = dir.write('BTCUSD_H1_spring.csv', encodeLines(spring, 'utf16le-bom'));
  const e = expectDataError(() => importMt5Bars(file, { timezone: 'Europe/Athens' }));
  assert.equal([e.line, e.column], [4, '<TIME>']);
  assert.is(e.message, 'BTCUSD_H1_spring.csv:4: column "<TIME>": 2021-03-28 03:00:00 does not exist in Europe/Athens: the clocks went forward from 03:00 to 04:00 that day '
    + "(daylight saving time), so no row can be stamped in between; the file's times are not Europe/Athens times (check the timezone it is read with) or the row is wrong");
  // Skipped, the rows around it keep their instants: 02:00 EET = 00:00Z, 04:00 EEST = 01:00Z.
  const r = importMt5Bars(file, { timezone: 'Europe/Athens', skipInvalid: true });
  assert.equal(r.skipped.map((x) => x.line), [4]);
  assert.equal(Array.from(r.series.time.subarray(0, r.series.length)), [utc('2021-03-27T23:00:00'), utc('2021-03-28T00:00:00'), utc('2021-03-28T01:00:00')]);
  // In UTC (no --timezone) the same rows are fine.
  assert.is(importMt5Bars(file).series.length, 4);
});

test('a non-numeric price is an error naming file, line and column', () => {
  const bad = [...rows.slice(0, 2), mt5BarRow('2024.01.02', '00:30', 1.101, 'abc', 1.1, 1.1025), rows[3]];
  const file = dir.write('bad_prices.csv', encodeLines(bad, 'utf16le-bom'));
  const e = expectDataError(() => importMt5Bars(file));
  assert.is(e.file, 'bad_prices.csv');
  assert.is(e.line, 3);
  assert.is(e.column, '<HIGH>');
  assert.is(e.message, 'bad_prices.csv:3: column "<HIGH>": "abc" is not a number');
});

test('OHLC inconsistency and time going backwards are errors with their line', () => {
  const highBelowClose = [rows[0], mt5BarRow('2024.01.02', '00:00', 1.1, 1.1, 1.099, 1.101)];
  let e = expectDataError(() => importMt5Bars(encodeLines(highBelowClose), { timeframe: 'M30' }));
  assert.is(e.line, 2);
  assert.is(e.column, '<HIGH>');
  assert.match(e.message, /below max\(open 1.1, close 1.101\)/);

  const lowAboveOpen = [rows[0], mt5BarRow('2024.01.02', '00:00', 1.1, 1.102, 1.1005, 1.101)];
  e = expectDataError(() => importMt5Bars(encodeLines(lowAboveOpen), { timeframe: 'M30' }));
  assert.is(e.column, '<LOW>');

  const backwards = [rows[0], rows[2], rows[1]];
  e = expectDataError(() => importMt5Bars(encodeLines(backwards), { timeframe: 'M30' }));
  assert.is(e.line, 3);
  assert.is(e.column, '<TIME>');
  assert.match(e.message, /not after the previous bar/);
});

test('a bad date names the <DATE> column; a missing header column is an error on line 1', () => {
  const e = expectDataError(() => importMt5Bars(encodeLines([rows[0], mt5BarRow('2024.13.02', '00:00', 1, 1, 1, 1)]), { timeframe: 'M30' }));
  assert.is(e.column, '<DATE>');
  assert.match(e.message, /"2024.13.02" is not a date/);
  const h = expectDataError(() => importMt5Bars(encodeLines(['<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>', '2024.01.02\t00:00\t1\t1\t1'])));
  assert.is(h.line, 1);
  assert.match(h.message, /lacks the CLOSE column/);
});

test('skipInvalid keeps the good rows and lists every skipped one with line, column and reason', () => {
  const mixed = [rows[0], rows[1], mt5BarRow('2024.01.02', '00:30', 'x', 1.103, 1.1, 1.1025), rows[3], mt5BarRow('2024.01.02', '01:30', 1.1, 1.09, 1.08, 1.1)];
  const r = importMt5Bars(encodeLines(mixed), { symbol: 'EURUSD', timeframe: 'M30', skipInvalid: true });
  assert.is(r.series.length, 2);
  assert.equal(r.skipped.map((s) => [s.line, s.column]), [[3, '<OPEN>'], [5, '<HIGH>']]);
  assert.match(r.skipped[0].reason, /"x" is not a number/);
  assert.is(r.spread.length, 2);
});

test('a price that is not positive is an error naming file, line and column', () => {
  const negative = dir.write('neg.csv', encodeLines([...rows.slice(0, 2), mt5BarRow('2024.01.02', '00:30', -1.1, 1.2, -1.2, 1.1), rows[3]]));
  assert.is(expectDataError(() => importMt5Bars(negative)).message, 'neg.csv:3: column "<OPEN>": open -1.1 is not a positive price');
  const zero = dir.write('zero.csv', encodeLines([...rows.slice(0, 3), mt5BarRow('2024.01.02', '01:00', 0, 1.2, 0, 1.1)]));
  const e = expectDataError(() => importMt5Bars(zero));
  assert.equal([e.line, e.column], [4, '<OPEN>']);
  const skipped = importMt5Bars(negative, { skipInvalid: true });
  assert.is(skipped.series.length, 2);
  assert.equal(skipped.skipped.map((s) => [s.line, s.column]), [[3, '<OPEN>']]);
});

test('a header without data rows is an error on line 1 naming the file', () => {
  const empty = dir.write('EURUSD_H1.csv', encodeLines([MT5_BARS_HEADER, '']));
  assert.is(expectDataError(() => importMt5Bars(empty)).message, 'EURUSD_H1.csv:1: the file has a header but no data rows');
});

test.run();
