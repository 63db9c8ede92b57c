import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataError } from '../../../engine/data/data-error.ts';
import { importMt5Ticks } from '../../../engine/data/mt5-ticks.ts';
import { encodeLines, makeTempDir, MT5_TICKS_HEADER, mt5TickRow, utc } from '../../kit/data-builders.ts';

const dir = makeTempDir();
test.after(() => dir.remove());

test('empty BID or ASK cells carry the previous value forward', () => {
  const file = dir.write(
    'EURUSD_ticks.csv',
    encodeLines(
      [
        MT5_TICKS_HEADER,
        mt5TickRow('2024.01.02', '00:00:00.125', 1.1, 1.1002),
        mt5TickRow('2024.01.02', '00:00:00.250', 1.1001, '', '', '', 2),
        mt5TickRow('2024.01.02', '00:00:00.250', '', 1.1004, '', '', 4),
        mt5TickRow('2024.01.02', '00:00:01.007', '', '', '', 3),
      ],
      'utf16le-bom',
    ),
  );
  const { ticks, skipped, encoding } = importMt5Ticks(file);
  assert.is(encoding, 'utf-16le');
  assert.equal(skipped, []);
  assert.equal(ticks, [
    { time: utc('2024-01-02T00:00:00.125'), bid: 1.1, ask: 1.1002, last: 0, volume: 0 },
    { time: utc('2024-01-02T00:00:00.250'), bid: 1.1001, ask: 1.1002, last: 0, volume: 0 },
    { time: utc('2024-01-02T00:00:00.250'), bid: 1.1001, ask: 1.1004, last: 0, volume: 0 },
    { time: utc('2024-01-02T00:00:01.007'), bid: 1.1001, ask: 1.1004, last: 0, volume: 3 },
  ]);
});

test('a first tick without an ask is an error naming line 2 and the <ASK> column', () => {
  try {
    importMt5Ticks(encodeLines([MT5_TICKS_HEADER, mt5TickRow('2024.01.02', '00:00:00.000', 1.1, '')]), { fileName: 'first.csv' });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, DataError);
    const d = e as DataError;
    assert.equal([d.file, d.line, d.column], ['first.csv', 2, '<ASK>']);
    assert.match(d.message, /first.csv:2: column "<ASK>": empty ASK on the first tick/);
  }
});

test('a malformed time and a backwards tick are errors with their line', () => {
  const badTime = encodeLines([MT5_TICKS_HEADER, mt5TickRow('2024.01.02', '25:00:00.000', 1.1, 1.2)]);
  assert.throws(() => importMt5Ticks(badTime, { fileName: 't.csv' }), /t.csv:2: column "<TIME>": "25:00:00.000" is not a time/);
  const backwards = encodeLines([
    MT5_TICKS_HEADER,
    mt5TickRow('2024.01.02', '00:00:01.000', 1.1, 1.2),
    mt5TickRow('2024.01.02', '00:00:00.500', 1.1, 1.2),
  ]);
  assert.throws(() => importMt5Ticks(backwards, { fileName: 't.csv' }), /t.csv:3: column "<TIME>": .*before the previous tick/);
});

test('skipInvalid reports bad rows and the carried prices ignore them', () => {
  const { ticks, skipped } = importMt5Ticks(
    encodeLines([
      MT5_TICKS_HEADER,
      mt5TickRow('2024.01.02', '00:00:00.000', 'n/a', 1.2),
      mt5TickRow('2024.01.02', '00:00:01.000', 1.1, 1.2),
      mt5TickRow('2024.01.02', '00:00:02.000', -1, ''),
      mt5TickRow('2024.01.02', '00:00:03.000', '', 1.25),
    ]),
    { skipInvalid: true },
  );
  assert.equal(skipped.map((s) => [s.line, s.column]), [[2, '<BID>'], [4, '<BID>']]);
  assert.match(skipped[1].reason, /not a positive price/);
  assert.equal(ticks.map((t) => [t.bid, t.ask]), [[1.1, 1.2], [1.1, 1.25]]);
});

test('reviewer finding 3: a crossed quote (bid above ask) is an error naming file, line and both prices, also when one side is carried; a locked quote is fine', () => {
  const ok = [MT5_TICKS_HEADER, mt5TickRow('2020.01.06', '00:00:00.000', '1.09995', '1.10005'), mt5TickRow('2020.01.06', '00:00:20.000', '1.10005', '1.10005')];
  assert.is(importMt5Ticks(encodeLines(ok)).ticks.length, 2, 'bid = ask is a locked, not a crossed, quote');
  const crossed = encodeLines([...ok, mt5TickRow('2020.01.06', '00:00:40.000', '1.11204', '1.10194')]);
  assert.throws(() => importMt5Ticks(crossed, { fileName: 'ticks_crossed.csv' }),
    (e: Error) => e.message === 'ticks_crossed.csv:4: column "<BID>": crossed quote: bid 1.11204 is above ask 1.10194');
  const askOnly = encodeLines([...ok, mt5TickRow('2020.01.06', '00:00:40.000', '', '1.10001')]);
  assert.throws(() => importMt5Ticks(askOnly, { fileName: 't.csv' }),
    (e: Error) => e.message === 't.csv:4: column "<ASK>": crossed quote: bid 1.10005 (carried from an earlier tick) is above ask 1.10001');
  const skipped = importMt5Ticks(crossed, { skipInvalid: true });
  assert.is(skipped.ticks.length, 2);
  assert.equal(skipped.skipped.map((r) => r.line), [4]);
});

test('review finding 13: a tick stamped in the spring-forward gap of its --timezone is refused at its own row, naming the zone', () => {
  const ticks = [MT5_TICKS_HEADER, mt5TickRow('2021.03.28', '02:59:59.500', 1.1, 1.1002), mt5TickRow('2021.03.28', '03:00:00.250', 1.1001, 1.1003), mt5TickRow('2021.03.28', '04:00:01.000', 1.1002, 1.1004)];
  assert.throws(() => importMt5Ticks(encodeLines(ticks), { timezone: 'Europe/Athens', fileName: 'EURUSD_ticks.csv' }),
    /^EURUSD_ticks.csv:3: column "<TIME>": 2021-03-28 03:00:00 does not exist in Europe\/Athens: the clocks went forward from 03:00 to 04:00 that day \(daylight saving time\)/);
});

test.run();
