import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OrderStats, RealizedRisk } from '../../../engine/report/order-stats.ts';

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
