import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { OrderStats, RealizedRisk, kthSmallest } from '../../../engine/report/order-stats.ts';

test('realised risk: nearest-rank median, p90 and max of the losing trades, in percent of balance', () => {
  const r = new RealizedRisk();
  // Ten losses of 0.5 %, 1.0 %, ..., 5.0 % given out of order; wins (0) are not losses.
  for (const k of [7, 2, 9, 1, 10, 4, 3, 8, 6, 5]) r.add(k * 0.005);
  r.add(0);
  assert.is(r.count, 10);
  // Nearest rank: median = the 5th smallest (2.5 %), p90 = the 9th (4.5 %).
  assert.ok(Math.abs(r.quantilePct(0.5) - 2.5) < 1e-12);
  assert.ok(Math.abs(r.quantilePct(0.9) - 4.5) < 1e-12);
  assert.ok(Math.abs(r.max * 100 - 5) < 1e-12);
});

test('realised risk: thousands of losses and losses added after a quantile was read', () => {
  const r = new RealizedRisk();
  for (let k = 1000; k >= 1; k--) r.add(k / 100_000);
  assert.ok(Math.abs(r.quantilePct(0.5) - 0.5) < 1e-12);
  // Ten larger losses move the median up by five ranks (from the 500th to the 505th of 1,010).
  for (let k = 0; k < 10; k++) r.add(0.5);
  assert.is(r.count, 1010);
  assert.ok(Math.abs(r.quantilePct(0.5) - 0.505) < 1e-12);
  assert.ok(Math.abs(r.quantilePct(1) - 50) < 1e-12);
});

test('realised risk: the selected rank is exactly what a full sort puts there (ties, sorted and reversed input)', () => {
  const same = (xs: number[], k: number) => kthSmallest(Float64Array.from(xs), xs.length, k) === Float64Array.from(xs).sort()[k];
  fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.nat(), (xs, k) => same(xs, k % xs.length)));
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 120 }), fc.nat(), (xs, k) => same(xs, k % xs.length)));
  const rising = Array.from({ length: 5000 }, (_, i) => i / 5000);
  for (const k of [0, 2499, 4499, 4999]) {
    assert.ok(same(rising, k));
    assert.ok(same([...rising].reverse(), k));
  }
});

test('realised risk: no losing trade gives 0, not NaN', () => {
  const r = new RealizedRisk();
  r.add(-0.01);
  r.add(Number.NaN);
  assert.is(r.count, 0);
  assert.is(r.quantilePct(0.9), 0);
});

test('order stats: refusals counted by retcode, most frequent first, with the first reason', () => {
  const o = new OrderStats();
  o.filled();
  o.refusedWith(10016, 'stop on the wrong side');
  o.refusedWith(10019, 'no money');
  o.refusedWith(10016, 'again');
  assert.is(o.sent, 4);
  assert.is(o.refused, 3);
  assert.is(o.firstRefusal, 'stop on the wrong side');
  assert.equal(Object.values(o.refusedByReason()), [2, 1]);
  assert.ok(Object.keys(o.refusedByReason())[0].startsWith('10016 '));
});

test.run();
