import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crossCheck, type AgreementRow } from './cross-check.ts';
import { usdchfHistory } from '../../fixture-history.ts';

// Floors a little under the measured agreement (table in plugins/lib/candlestick-patterns/
// README.md), each justified there by its disagreement class. A change to a definition that
// moves one of these is a change to explain in that README.
const h1 = new Map(crossCheck(usdchfHistory('H1')).map((r) => [r.pattern, r]));
const row = (name: string): AgreementRow => h1.get(name)!;

test('engulfing: every technicalindicators engulfing is ours; ours adds only the equal-open cases', () => {
  for (const name of ['Bullish Engulfing', 'Bearish Engulfing']) {
    const r = row(name);
    assert.is(r.both, r.them, `${name}: theirs ⊆ ours`);
    assert.ok(r.overlap > 0.7, `${name} overlap ${r.overlap}`);
  }
});

test('dark cloud cover is identical to technicalindicators on wickless H1 candles', () => {
  assert.is(row('Dark Cloud Cover').overlap, 1);
});

test('hammer family and dragonfly/gravestone: neither library finds one in two-tick H1 candles', () => {
  for (const name of ['Hammer', 'Inverted Hammer', 'Shooting Star', 'Hanging Man', 'Dragonfly Doji', 'Gravestone Doji']) {
    assert.is(row(name).ours + row(name).them, 0, name);
  }
});

test('piercing line: ours is a strict subset of theirs (we also require a long first body and no engulfing)', () => {
  const r = row('Piercing Line');
  assert.is(r.both, r.ours);
});

test('bar-by-bar agreement stays above the justified floors on USDCHF H1', () => {
  const floors: Record<string, number> = { Doji: 0.25 };
  for (const r of h1.values()) {
    const floor = floors[r.pattern] ?? 0.96;
    assert.ok(r.barAgreement >= floor, `${r.pattern}: ${r.barAgreement} < ${floor}`);
  }
});

test.run();
