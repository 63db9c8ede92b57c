import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIXTURES_DIR } from '../../../engine/data/load-history.ts';
import { importPriceTicks } from '../../../engine/data/price-ticks.ts';
import { encodeLines, makeTempDir, utc } from '../../kit/data-builders.ts';

const dir = makeTempDir();
test.after(() => dir.remove());
const fixture = importPriceTicks(`${FIXTURES_DIR}usdchf_m30.csv`, { timezone: 'Europe/Zurich' });

test('the USDCHF fixture loads all 62,496 rows as mid ticks, first row 1996-04-01T00:00 Zurich = 1996-03-31T22:00Z', () => {
  const { ticks, skipped, dstNotes } = fixture;
  assert.is(ticks.length, 62_496);
  assert.equal(skipped, []);
  assert.equal(dstNotes, [], 'the file has no rows on DST Sundays');
  assert.is(ticks.time[0], utc('1996-03-31T22:00:00'));
  assert.is(ticks.bid[0], 1.193);
  assert.is(ticks.ask[0], 1.193);
  // Last row 2001-03-30T23:30 Zurich, already summer time (CEST since 2001-03-25), UTC+2.
  assert.is(ticks.time[ticks.length - 1], utc('2001-03-30T21:30:00'));
  assert.is(ticks.bid[ticks.length - 1], 1.7429);
});

test('the fixture crosses DST correctly: Friday before and Monday after the 1997 spring change', () => {
  const { ticks } = fixture;
  const times = Array.from(ticks.time.subarray(0, ticks.length));
  // Fri 1997-03-28 23:30 CET = 22:30Z; Mon 1997-03-31 00:00 CEST = 1997-03-30 22:00Z.
  const i = times.indexOf(utc('1997-03-28T22:30:00'));
  assert.ok(i > 0);
  assert.is(times[i + 1], utc('1997-03-30T22:00:00'));
});

test('a local file with a row in the spring gap is refused at that row (review finding 13); the autumn overlap maps to increasing UTC instants', () => {
  const file = dir.write(
    'dst.csv',
    encodeLines([
      'time,price',
      '1997-03-30T01:30:00,1.00',
      '1997-03-30T02:30:00,1.01', // does not exist in Zurich: a bad row (shifted forward it would be 01:30Z, as the next row)
      '1997-03-30T03:30:00,1.02', // 03:30 CEST = 01:30Z
      '1997-10-26T01:30:00,1.03',
      '1997-10-26T02:00:00,1.04', // first 02:00 (CEST) = 00:00Z
      '1997-10-26T02:30:00,1.05', // 00:30Z
      '1997-10-26T02:00:00,1.06', // again: second occurrence (CET) = 01:00Z
      '1997-10-26T02:30:00,1.07', // 01:30Z
      '1997-10-26T03:00:00,1.08', // 02:00Z
    ]),
  );
  assert.throws(() => importPriceTicks(file, { timezone: 'Europe/Zurich' }),
    /^dst.csv:3: column "time": 1997-03-30 02:30:00 does not exist in Europe\/Zurich: the clocks went forward from 02:00 to 03:00 that day \(daylight saving time\)/);
  const r = importPriceTicks(file, { timezone: 'Europe/Zurich', skipInvalid: true });
  assert.equal(Array.from(r.ticks.time.subarray(0, r.ticks.length)), [
    utc('1997-03-30T00:30:00'),
    utc('1997-03-30T01:30:00'),
    utc('1997-10-25T23:30:00'),
    utc('1997-10-26T00:00:00'),
    utc('1997-10-26T00:30:00'),
    utc('1997-10-26T01:00:00'),
    utc('1997-10-26T01:30:00'),
    utc('1997-10-26T02:00:00'),
  ]);
  assert.equal(r.skipped.map((s) => s.line), [3]);
  assert.is(r.ticks.bid[1], 1.02, '01:30Z is the 03:30 CEST row');
  assert.equal(
    r.dstNotes.map((n) => [n.line, n.kind, n.resolution]),
    [
      [6, 'ambiguous', 'first-occurrence'],
      [7, 'ambiguous', 'first-occurrence'],
      [8, 'ambiguous', 'second-occurrence'],
      [9, 'ambiguous', 'second-occurrence'],
    ],
  );
});

test('without a timezone times are UTC; an explicit offset in the cell wins', () => {
  const r = importPriceTicks(encodeLines(['time,price', '2024-01-02T10:00:00,1.5', '2024-01-02T12:00:00+01:00,1.6', '2024-01-02 12:00Z,1.7']), { timezone: 'Europe/Zurich' });
  assert.equal(Array.from(r.ticks.time.subarray(0, 3)), [utc('2024-01-02T09:00:00'), utc('2024-01-02T11:00:00'), utc('2024-01-02T12:00:00')]);
  const plain = importPriceTicks(encodeLines(['2024-01-02T10:00:00,1.5', '2024-01-02T10:30:00,1.6']));
  assert.is(plain.ticks.length, 2, 'a file without a header reads its first line as data');
  assert.is(plain.ticks.time[0], utc('2024-01-02T10:00:00'));
});

test('a bad price names file, line and column; a bad time likewise', () => {
  const file = dir.write('usdchf.csv', encodeLines(['time,price', '1996-04-01T00:00:00,1.193', '1996-04-01T00:30:00,abc']));
  assert.throws(() => importPriceTicks(file), (e: Error) => e.message === 'usdchf.csv:3: column "price": "abc" is not a number');
  const badTime = encodeLines(['time,price', '1996-04-31T00:00:00,1.193']);
  assert.throws(() => importPriceTicks(badTime, { fileName: 'x.csv' }), /x.csv:2: column "time": "1996-04-31T00:00:00" is not an ISO date-time/);
  assert.throws(() => importPriceTicks(encodeLines(['when,value', '1,2']), { fileName: 'y.csv' }), /y.csv:1: header needs "time" and "price" columns/);
});

test.run();
