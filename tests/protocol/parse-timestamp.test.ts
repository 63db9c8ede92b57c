import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { formatSeconds, formatTimestamp, parseTimestamp } from '../../protocol/envelope.ts';

// The reference reading of a spec timestamp: UTC, fraction cut to milliseconds.
const reference = (text: string) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.slice(0, 23)}Z`);
const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

test('report and ledger times: every timestamp the engine writes reads back to its instant (seconds and six-digit fractions, 1900-2200)', () => {
  fc.assert(fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
    assert.is(parseTimestamp(formatSeconds(ms)), Math.floor(ms / 1000) * 1000);
    assert.is(parseTimestamp(formatTimestamp(ms)), ms);
  }), { numRuns: 5_000 });
});

test('any other text reads as Date.parse reads it: offsets, Z, day 29-31, month 13, hour 24, letters, short years', () => {
  const cases = ['2024-02-29T10:00:00', '2023-02-29T10:00:00', '2024-01-31T23:59:59.999999', '2024-13-01T00:00:00', '2024-01-01T24:00:00',
    '0099-01-01T00:00:00', '2024-01-0xT00:00:00', '2024-01-01T00:00:00.12345x', '2024-01-01T00:00:00Z', '2024-01-01T02:00:00+02:00', 'abc', ''];
  for (const text of cases) assert.ok(same(parseTimestamp(text), reference(text)), text);
  fc.assert(fc.property(fc.string({ minLength: 19, maxLength: 26 }), (text) => same(parseTimestamp(text), reference(text))), { numRuns: 2_000 });
});

test.run();
