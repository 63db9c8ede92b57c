import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseParam, ParamSpace } from '../../../engine/optimize/param-space.ts';
import { createSearch, prepareSearch, type Search } from '../../../engine/optimize/search.ts';

function drain(search: Search, score: (i: number) => number): number[] {
  const order: number[] = [];
  for (let batch = search.next(); batch; batch = search.next()) {
    for (const i of batch) {
      order.push(i);
      search.tell(i, score(i));
    }
  }
  return order;
}

const space = new ParamSpace([parseParam('x=0:39:1'), parseParam('y=0:39:1'), parseParam('z=0:9:1')]);
// A smooth landscape with one peak at x=27, y=11, z=6 and a lesser one elsewhere.
const landscape = (i: number) => {
  const { x, y, z } = space.at(i) as { x: number; y: number; z: number };
  return 100 - ((x - 27) ** 2 + (y - 11) ** 2 + 3 * (z - 6) ** 2) / 10 + 20 * Math.exp(-((x - 5) ** 2 + (y - 33) ** 2) / 8);
};
const peak = space.indexOf([27, 11, 6]);

test('the grid runs every valid combination once and skips the invalid ones', () => {
  const valid = (i: number) => (space.at(i).x as number) < (space.at(i).y as number);
  const order = drain(createSearch(space, valid, { method: 'grid' }), () => 0);
  const expected = Array.from({ length: space.size }, (_, i) => i).filter(valid);
  assert.equal(order, expected);
});

test('random search draws distinct valid combinations, the same ones for the same seed', () => {
  const valid = (i: number) => i % 3 !== 0;
  const a = drain(createSearch(space, valid, { method: 'random', trials: 500, seed: 42 }), () => 0);
  const b = drain(createSearch(space, valid, { method: 'random', trials: 500, seed: 42 }), () => 0);
  const c = drain(createSearch(space, valid, { method: 'random', trials: 500, seed: 43 }), () => 0);
  assert.is(a.length, 500);
  assert.is(new Set(a).size, 500);
  assert.ok(a.every(valid));
  assert.equal(a, b);
  assert.not.equal(a, c);
});

test('random search over a huge grid with few valid combinations returns the trials asked for, or says how many exist (reviewer finding 5: fast=1:1000000:1 slow=1:10:1 "no combination passes")', async () => {
  const huge = new ParamSpace([parseParam('fast=1:1000000:1'), parseParam('slow=1:10:1')]);
  const valid = (i: number) => { const p = huge.at(i) as { fast: number; slow: number }; return p.fast < p.slow; };
  const three = await prepareSearch(huge, valid, { method: 'random', trials: 3, seed: 1 });
  const picked = drain(three.search, () => 0);
  assert.is(picked.length, 3);
  assert.is(new Set(picked).size, 3);
  assert.ok(picked.every(valid));
  assert.is(three.note, undefined);
  // All 45 asked for: the grid is scanned once and every valid combination runs.
  const all = await prepareSearch(huge, valid, { method: 'random', trials: 45, seed: 1 });
  assert.is(drain(all.search, () => 0).length, 45);
  // More than exist: each one runs once and the note says how many exist and why.
  const more = await prepareSearch(huge, valid, { method: 'random', trials: 100, seed: 1 });
  assert.is(more.planned, 45);
  assert.is(more.note, 'random search: only 45 of the 10,000,000 combinations pass the constraints; all 45 run (100 trials were asked for)');
  const small = await prepareSearch(space, (i) => i < 4, { method: 'random', trials: 10, seed: 1 });
  assert.is(small.note, 'random search: only 4 of the 16,000 combinations pass the constraints; all 4 run (10 trials were asked for)');
});

test('random and genetic draws reach every combination of a grid above 2^32 (review 2, finding 9: one 32-bit draw reached only every third index of 3 x 2^32)', () => {
  // 196,608 x 65,536 = 3 x 2^32 combinations; one draw scaled to it lands on multiples of 3 only.
  const huge = new ParamSpace([{ name: 'a', values: Array.from({ length: 196_608 }, (_, k) => k) }, { name: 'b', values: Array.from({ length: 65_536 }, (_, k) => k) }]);
  assert.is(huge.size, 3 * 2 ** 32);
  const valid = (i: number) => i % 3 !== 0;
  for (const method of ['random', 'genetic'] as const) {
    const picks = drain(createSearch(huge, valid, { method, trials: 50, seed: 7 }), (i) => i % 1000);
    assert.is(picks.length, 50, method);
    assert.ok(picks.every(valid), method);
    assert.is(new Set(picks).size, 50, method);
    assert.equal(drain(createSearch(huge, valid, { method, trials: 50, seed: 7 }), (i) => i % 1000), picks, `${method}: the same seed draws the same`);
  }
  // Every residue class of the high part is hit: indices spread over the whole grid, not just its first 2^32.
  const spread = drain(createSearch(huge, () => true, { method: 'random', trials: 2000, seed: 3 }), () => 0);
  assert.ok(spread.some((i) => i > 2 ** 33), 'the top third is drawn');
  assert.equal(new Set(spread.map((i) => i % 3)), new Set([0, 1, 2]));
});

test('the genetic search is reproducible for a seed, never reruns a combination, and finds the grid optimum', () => {
  const run = (seed: number) => drain(createSearch(space, () => true, { method: 'genetic', trials: 1_500, seed, genetic: { population: 40, stall: 15 } }), landscape);
  const a = run(7);
  assert.equal(a, run(7), 'same seed, same trials in the same order');
  assert.is(new Set(a).size, a.length, 'no combination run twice');
  assert.ok(a.length <= 1_500 && a.length < space.size / 4, `a fraction of the ${space.size} grid (ran ${a.length})`);
  const gridBest = Array.from({ length: space.size }, (_, i) => i).reduce((b, i) => (landscape(i) > landscape(b) ? i : b), 0);
  assert.is(gridBest, peak);
  for (const seed of [1, 2, 3, 7]) {
    const found = run(seed).reduce((b, i) => (landscape(i) > landscape(b) ? i : b));
    assert.is(found, peak, `seed ${seed} finds the optimum`);
  }
});

test('the genetic search respects constraints and stops when the grid is exhausted', () => {
  const small = new ParamSpace([parseParam('a=1:6:1'), parseParam('b=1:6:1')]);
  const valid = (i: number) => (small.at(i).a as number) < (small.at(i).b as number);
  const order = drain(createSearch(small, valid, { method: 'genetic', trials: 1_000, seed: 3, genetic: { population: 8, stall: 1_000 } }), (i) => i);
  assert.ok(order.every(valid));
  assert.is(new Set(order).size, order.length);
  assert.is(order.length, 15, 'all 15 valid combinations, then it stops');
});

test('a genetic search that ends before the trials asked for says why: the grid exhausted, or converged after `stall` generations', () => {
  const small = new ParamSpace([parseParam('a=1:6:1'), parseParam('b=1:6:1')]);
  const valid = (i: number) => (small.at(i).a as number) < (small.at(i).b as number);
  const exhausted = createSearch(small, valid, { method: 'genetic', trials: 1_000, seed: 3, genetic: { population: 8, stall: 1_000 } });
  assert.is(exhausted.endNote?.(), undefined, 'nothing to say before it ends');
  assert.is(drain(exhausted, (i) => i).length, 15);
  assert.is(exhausted.endNote?.(), 'genetic search: stopped after 15 of the 1,000 trials asked for: no combination that passes the constraints and was not run yet could be bred or drawn (36 combinations in the grid)');
  // Every score the same: no generation beats the first, so it stops after the first + 2.
  const flat = createSearch(space, () => true, { method: 'genetic', trials: 1_000, seed: 3, genetic: { population: 10, stall: 2 } });
  assert.is(drain(flat, () => 1).length, 30);
  assert.is(flat.endNote?.(), 'genetic search: stopped after 30 of the 1,000 trials asked for: 2 generations in a row found no better score than the best so far (the search converged)');
  // The budget reached: nothing to explain.
  const budget = createSearch(space, () => true, { method: 'genetic', trials: 25, seed: 3, genetic: { population: 10, stall: 1_000 } });
  assert.is(drain(budget, landscape).length, 25);
  assert.is(budget.endNote?.(), undefined);
});

test('prepareSearch gives the same combinations as createSearch with its planned count, and lets other callbacks run while it scans the grid', async () => {
  const big = new ParamSpace([parseParam('x=0:399:1'), parseParam('y=0:399:1')]);
  const valid = (i: number) => i % 7 !== 0;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    for (const options of [{ method: 'grid' as const }, { method: 'random' as const, trials: 300, seed: 5 }]) {
      ticks = 0;
      const { search, planned } = await prepareSearch(big, valid, options);
      const order = drain(search, () => 0);
      assert.equal(order, drain(createSearch(big, valid, options), () => 0));
      assert.is(planned, order.length);
      assert.ok(ticks > 0, `${options.method}: the event loop ran during the scan of ${big.size} combinations`);
    }
  } finally {
    clearInterval(timer);
  }
});

test.run();
