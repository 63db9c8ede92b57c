import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { jsonText, shortText } from '../../../engine/util/rounding.ts';

// A refused order's traceback writes the broker's result with these: they must print exactly
// what String and JSON.stringify print, or a recording would read differently.

test('shortText prints every number exactly as String does: prices and volumes of 0-5 decimals, and any double', () => {
  // n / 10^d: the double nearest to a decimal of d places, as prices and volumes are normalised.
  const decimals = fc.tuple(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.integer({ min: 0, max: 5 })).map(([n, d]) => n / 10 ** d);
  fc.assert(fc.property(fc.oneof(decimals, fc.double(), fc.integer()), (x) => {
    assert.is(shortText(x), String(x));
  }), { numRuns: 20_000 });
  for (const x of [0, -0, 1, -1, 0.1, 0.00001, 0.000001, 1e-7, 1.2345, 0.91234, 2350.5, 999_999_999.99999, 1e9, 1e21, NaN, Infinity, -Infinity, 0.3 - 0.1]) {
    assert.is(shortText(x), String(x), String(x));
  }
});

test('jsonText quotes text exactly as JSON.stringify does, escapes and lone surrogates included', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) })), (text) => {
    assert.is(jsonText(text), JSON.stringify(text));
  }), { numRuns: 20_000 });
  for (const text of ['', 'Request completed', 'a "quoted" word', 'back\\slash', 'tab\there', '\ud800', 'ok 😀']) assert.is(jsonText(text), JSON.stringify(text));
});

test.run();
