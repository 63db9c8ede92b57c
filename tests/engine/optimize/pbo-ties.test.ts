import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDISTINGUISHABLE, probabilityOfBacktestOverfitting } from '../../../engine/optimize/overfitting/pbo.ts';
import { overfittingReport } from '../../../engine/optimize/overfitting/overfitting-report.ts';
import type { TrialRecord } from '../../../engine/optimize/optimizer.ts';

// Hand-made performance matrices: each trial's returns in blocks of two rows, so a block's
// Sharpe ratio is easy to read: [1, 3] is 2 / √2 = 1.414, [0, 1] is 0.5 / 0.707 = 0.707,
// [-3, -1] is -1.414.
const up = [1, 3];
const mild = [0, 1];
const down = [-3, -1];
/** Each block of two rows four times over: the same blocks' Sharpe ratios, from 32 weeks. */
const widen = (row: number[]) => row.flatMap((_, i) => (i % 2 === 0 ? [0, 1, 2, 3].flatMap(() => row.slice(i, i + 2)) : []));
const trialsFrom = (matrix: number[][]) => matrix.map((weeklyReturns, k) => ({ id: `t${k}`, weeklyReturns }) as unknown as TrialRecord);

test('reviewer finding 1: five identical trials give no PBO verdict (null, "trials indistinguishable"), not PBO 1.000 "overfit"', () => {
  const same = [1, -2, 3, 0.5, -1, 2, 0.25, 1.5, -0.5, 2, 1, -1, 0.75, 3, -2, 1];
  const result = probabilityOfBacktestOverfitting(Array.from({ length: 5 }, () => same), 4);
  assert.is(result.pbo, null);
  assert.is(result.reason, INDISTINGUISHABLE);
  assert.is(INDISTINGUISHABLE, 'trials indistinguishable: no selection to judge');
  assert.is(result.splits, 6);
  assert.is(result.judged, 0);
  assert.equal(result.logits, []);

  const report = overfittingReport(trialsFrom(Array.from({ length: 5 }, () => same)));
  assert.ok(report.pbo);
  assert.is(report.pbo.value, null);
  assert.is(report.pbo.reason, 'trials indistinguishable: no selection to judge');
  assert.match(report.pbo.reading, /in none of the 6 ways to split the 16 weeks in half could the 5 trials be told apart/);
  assert.match(report.pbo.reading, /PBO is undefined, which is not a sign of overfitting/);
  assert.not.match(report.pbo.reading, /overfit:/);
});

test('a split whose trials are alike in one half is not judged; PBO is over the other splits (before: counted as overfit, 1/6)', () => {
  // Blocks 0 and 1 are the same for both trials; in blocks 2 and 3 trial 0 wins. Split {0,1}
  // selects nothing, split {2,3} has nothing to rank out of sample; in the other four trial 0
  // wins in sample and again out of sample.
  const matrix = [[...up, ...mild, ...up, ...up], [...up, ...mild, ...down, ...down]];
  const result = probabilityOfBacktestOverfitting(matrix, 4);
  assert.is(result.splits, 6);
  assert.is(result.judged, 4);
  assert.is(result.pbo, 0);
  assert.is(result.logits.length, 4);
  const report = overfittingReport(trialsFrom(matrix.map(widen)), 4);
  assert.match(report.pbo!.reading, /in 0\.0 % of the 4 of the 6 ways to split the 32 weeks in half where the trials could be told apart \(in the other 2 they had the same Sharpe ratio in one half\)/);
});

test('trials tied for the in-sample best count as a fair tie-break would pick them, whatever their order (before: the first one listed)', () => {
  // Split {0}: A and B tie in sample (1.414); out of sample A ranks 3rd of 3 (not overfit), B 1st
  // (overfit): the split counts 1/2. Split {1}: A wins alone and ties B out of sample at
  // mid-rank 2.5 of 3, above the median 2: not overfit. PBO = (1/2 + 0) / 2.
  const A = [...up, ...up];
  const B = [...up, ...down];
  const C = [...mild, ...mild];
  for (const order of [[A, B, C], [B, A, C], [C, B, A]]) {
    const result = probabilityOfBacktestOverfitting(order, 2);
    assert.is(result.judged, 2);
    assert.is(result.pbo, 0.25, `order ${order.map((t) => (t === A ? 'A' : t === B ? 'B' : 'C')).join('')}`);
  }
});

test('a winner tied out of sample at the median rank is at the median, so it counts as the paper counts λ = 0', () => {
  // Split {0}: W wins in sample alone (1.414); out of sample (block 1) X -1.414, W and Y 0.707,
  // Z 1.414: W's mid-rank 2.5 of 4 is the median, ω = 1/2, λ = 0: overfit. Split {1}: Z wins
  // (1.414) and ranks 3rd of 4 in block 0 (1.061): not overfit.
  const W = [...up, ...mild];
  const X = [...mild, ...down];
  const Y = [...mild, ...mild];
  const Z = [0.2, 1, ...up];
  const result = probabilityOfBacktestOverfitting([W, X, Y, Z], 2);
  assert.is(result.judged, 2);
  assert.is(result.logits[0], 0);
  assert.ok(result.logits[1] > 0);
  assert.is(result.pbo, 0.5);
});

test('without ties PBO is the same under any order of the trials', () => {
  const matrix = [[1, 3, 0, 1, -3, -1, 1, 3], [0, 1, 1, 3, 1, 3, -3, -1], [-3, -1, 1, 3, 0, 1, 0, 1.5], [1, 3.5, -3, -1, 1, 3, 0, 1]];
  const a = probabilityOfBacktestOverfitting(matrix, 4);
  const b = probabilityOfBacktestOverfitting([...matrix].reverse(), 4);
  assert.is(a.pbo, b.pbo);
  assert.is(a.judged, b.judged);
});

test('reviewer finding 1, end to end: an optimisation whose trials are all identical prints "PBO n/a (trials indistinguishable ...)" and records value null with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-pbo-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', '--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-12-31',
      '--param', 'takeProfitPoints=200000,300000,400000', '--objective', 'sharpe', '--workers', '0', '--out', dir], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /PBO n\/a \(trials indistinguishable: no selection to judge\): in none of the [\d,]+ ways to split the \d+ weeks in half could the 3 trials be told apart/);
    assert.not.match(r.stdout, /PBO 1\.000/);
    const recording = JSON.parse(readFileSync(join(dir, 'optimisation.json'), 'utf8'));
    assert.is(recording.overfitting.pbo.value, null);
    assert.is(recording.overfitting.pbo.reason, 'trials indistinguishable: no selection to judge');
    assert.is(recording.overfitting.pbo.judged, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
