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

test.run();
