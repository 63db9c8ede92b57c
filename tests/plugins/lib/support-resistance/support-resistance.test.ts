import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AverageTrueRange, SupportResistance, isSwingHigh, isSwingLow } from '../../../../plugins/lib/support-resistance/index.ts';
import { candles, type Ohlc } from '../../candles.ts';

/** Bars whose high and low are given; open/close sit in the middle. */
function hl(pairs: readonly (readonly [number, number])[]): Ohlc[] {
  return pairs.map(([h, l]) => [(h + l) / 2, h, l, (h + l) / 2] as const);
}

/** A zigzag between ~1.00 and ~1.10, `legs` times, five bars per leg. */
function zigzag(legs: number, top = 1.1, bottom = 1.0, jitter = 0.001): Ohlc[] {
  const rows: [number, number][] = [];
  for (let leg = 0; leg < legs; leg++) {
    const up = leg % 2 === 0;
    for (let k = 0; k < 5; k++) {
      const f = up ? k / 4 : 1 - k / 4;
      const mid = bottom + (top - bottom) * f;
      const wiggle = (leg % 3) * jitter;
      rows.push([Math.min(top + wiggle, mid + 0.01), Math.max(bottom - wiggle, mid - 0.01)]);
    }
  }
  return hl(rows);
}

function feed(rows: Ohlc[], config = {}) {
  const s = candles(rows);
  const sr = new SupportResistance({ tolerancePrice: 0.005, ...config });
  for (let i = 0; i < s.length; i++) sr.update(s, i);
  return { s, sr };
}

test('a fractal high needs N lower highs on each side', () => {
  const high = new Float64Array([1, 2, 5, 3, 2, 6]);
  assert.ok(isSwingHigh(high, 2, 2));
  assert.not.ok(isSwingHigh(high, 3, 2));
  assert.not.ok(isSwingHigh(new Float64Array([1, 2, 5, 5, 2]), 3, 1), 'the second of two equal highs is not a new swing');
  assert.ok(isSwingLow(new Float64Array([5, 4, 1, 3, 4]), 2, 2));
});

test('repeated tops and bottoms cluster into two levels counting their touches', () => {
  const { sr } = feed(zigzag(8));
  const levels = sr.levels();
  assert.is(levels.length, 2, JSON.stringify(levels));
  const [a, b] = levels.map((l) => l.price).sort();
  assert.ok(Math.abs(a - 0.999) < 0.002, `support near 1.00, got ${a}`);
  assert.ok(Math.abs(b - 1.101) < 0.002, `resistance near 1.10, got ${b}`);
  assert.ok(levels.every((l) => l.touches >= 3));
});

test('nearestLevels gives the support below and the resistance above the price', () => {
  const { sr } = feed(zigzag(8));
  const { support, resistance } = sr.nearestLevels(1.05);
  assert.ok(support !== null && support < 1.0);
  assert.ok(resistance !== null && resistance > 1.1);
  assert.equal(sr.nearestLevels(1.2).resistance, null, 'nothing above the highest level');
  assert.equal(sr.nearestLevels(0.9).support, null, 'nothing below the lowest level');
  assert.ok(Number.isNaN(sr.nearestSupport(0.9)));
});

test('minTouches hides levels touched too few times', () => {
  const { sr } = feed(zigzag(8));
  assert.equal(sr.nearestLevels(1.05, 100), { support: null, resistance: null });
});

test('a swing is confirmed only N bars later, so the levels never look ahead', () => {
  const rows = hl([[1.0, 0.99], [1.02, 1.0], [1.05, 1.03], [1.03, 1.01], [1.02, 1.0], [1.01, 0.99]]);
  const s = candles(rows);
  const sr = new SupportResistance({ fractalBars: 2, tolerancePrice: 0.001 });
  for (let i = 0; i <= 3; i++) sr.update(s, i);
  assert.is(sr.levelCount, 0, 'bar 2 is not yet a swing at bar 3');
  sr.update(s, 4);
  assert.equal(sr.levels().map((l) => l.price), [1.05]);
});

test('when full, the weakest (fewest, oldest touches) level is dropped', () => {
  // Staircase of isolated peaks, each 0.05 higher, over ever-rising lows (no swing lows):
  // every peak opens a new level with one touch, so age alone decides.
  const rows: [number, number][] = [];
  for (let k = 0; k < 6; k++) {
    const base = 1 + k * 0.05;
    for (const [d, n] of [[0, 0], [0.02, 1], [0.04, 2], [0.02, 3], [0, 4]]) rows.push([base + d, 0.5 + (k * 5 + n) * 0.001]);
  }
  const { sr } = feed(hl(rows), { maxLevels: 3, fractalBars: 2 });
  assert.is(sr.levelCount, 3);
  const prices = sr.levels().map((l) => l.price);
  assert.equal(prices.map((p) => p.toFixed(2)).sort(), ['1.19', '1.24', '1.29']);
});

test('strength decays with age by the configured half-life', () => {
  const { sr, s } = feed(zigzag(4), { recencyHalfLife: 10 });
  const level = sr.levels()[0];
  const age = s.length - 1 - level.lastTouchIndex;
  assert.ok(Math.abs(level.strength - level.touches * 0.5 ** (age / 10)) < 1e-12);
});

test('ATR is the mean true range over the period, then Wilder-smoothed', () => {
  const s = candles(hl([[2, 1], [3, 2], [4, 3], [10, 4]]));
  const atr = new AverageTrueRange(3);
  for (let i = 0; i < 3; i++) atr.update(s, i);
  assert.is(atr.value, (1 + 1.5 + 1.5) / 3);
  atr.update(s, 3);
  assert.is(atr.value, ((4 / 3) * 2 + 6.5) / 3);
});

test('bad config is refused with a message naming the field', () => {
  assert.throws(() => new SupportResistance({ fractalBars: 0 }), /fractalBars/);
  assert.throws(() => new AverageTrueRange(0), /ATR period/);
});

test.run();
