import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', ...args], { encoding: 'utf8' });
const base = ['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-12-31'];

test('bad ranges, unknown parameters and bad objectives are clear errors with exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['--param', 'fast=50:5:1'], /--param "fast=50:5:1": the range ends \(5\) before it starts \(50\)/],
    [['--param', 'fast=5:50:-1'], /step must be positive/],
    [['--param', 'fats=5:50:1'], /"sma-crossover" has no parameter "fats"; its parameters: fast, slow/],
    [['--param', 'fast=5,x'], /fast=x: .*expected positive integer, got "x"/],
    [['--param', 'fast=5:10:1', '--objective', 'money'], /--objective "money": not one of/],
    [['--param', 'fast=5:10:1', '--constraint', 'fast<slwo'], /unknown parameter "slwo"/],
    [['--param', 'fast=5:10:1', '--method', 'annealing'], /--method "annealing" is not one of grid, random, genetic/],
    [[], /no --param given/],
    // Reviewer finding 6: patterns-sr ran rewardMultiple=-1 and maxBarsInTrade=2.5.
    [['--strategy', 'patterns-sr', '--param', 'rewardMultiple=-1,0,2'], /--param rewardMultiple=-1: .*rewardMultiple: expected positive number, got -1/],
    [['--strategy', 'patterns-sr', '--param', 'maxBarsInTrade=-5,2.5'], /--param maxBarsInTrade=-5: .*maxBarsInTrade: expected whole number, 0 or more, got -5/],
  ];
  for (const [extra, message] of cases) {
    const r = cli([...base, ...extra, '--workers', '0']);
    assert.is(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('a grid over more than 1,000,000 combinations, or --trials above it, is refused with exit code 2 naming the flags, also before a queue is reached (reviewer: a typo looped for hours)', () => {
  // Bounded: the old code scanned (then ran) the 9,000,000 combinations.
  const bounded = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', ...base, ...args], { encoding: 'utf8', timeout: 90_000 });
  const cases: [string[], RegExp][] = [
    [['--param', 'fast=1:3000:1', '--param', 'slow=1:3000:1', '--workers', '0'],
      /--param fast=1:3000:1 --param slow=1:3000:1: a grid of 3,000 x 3,000 = 9,000,000 combinations is more than a grid search runs \(1,000,000\); use --method random or --method genetic with --trials, or coarser steps/],
    [['--param', 'fast=1:1000000:1', '--param', 'slow=1:1000000:1', '--queue', 'redis://127.0.0.1:1'], /1,000,000,000,000 combinations is more than a grid search runs/],
    [['--param', 'fast=5:10:1', '--method', 'random', '--trials', '2000000', '--workers', '0'], /--trials 2000000 is more than a search runs \(1,000,000\)/],
  ];
  for (const [extra, message] of cases) {
    const r = bounded(extra);
    assert.is(r.status, 2, `${extra.join(' ')}: exit ${r.status} ${r.signal ?? ''} ${r.stderr.slice(0, 500)}`);
    assert.match(r.stderr, message);
  }
});

test('a combination whose strategy throws part way stops the search with exit 1 naming the combination, on worker threads and in-process alike: its figures cover only part of the run and are never ranked', () => {
  for (const workers of ['2', '0']) {
    const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-fault-'));
    try {
      const r = cli([...base, '--strategy', 'throwing-plugin', '--plugin', 'fixtures/plugins/throwing-plugin', '--param', 'throwAtIndex=1000000,100',
        '--workers', workers, '--out', dir]);
      assert.is(r.status, 1, `--workers ${workers}: ${r.stderr}`);
      assert.match(r.stderr, /trial throwAtIndex=100: strategy throwing-plugin failed in onBar on USDCHF: throwing-plugin: deliberate failure in onBar \(at 1998-01-\d\dT\d\d:00:00\); its figures would cover only part of the run, so the search stopped/);
      assert.not.match(r.stdout, /^1 +100 /m, 'the failed combination is not in a ranked table');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('an unreachable Redis is a clear error with exit code 2', () => {
  const r = cli([...base, '--param', 'fast=5:10:5', '--queue', 'redis://127.0.0.1:1']);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
});

test('a grid run prints the ranked table and PBO/DSR, and writes JSONL, CSV and the workbench recording', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-'));
  try {
    const r = cli([...base, '--param', 'fast=4:12:4', '--param', 'slow=20,40,60', '--constraint', 'fast*3<=slow', '--objective', 'sharpe', '--workers', '2', '--out', dir]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /#\s+fast\s+slow\s+Net profit\s+PF\s+Sharpe/);
    assert.match(r.stdout, /PBO \d\.\d{3}: in .* ways to split/);
    assert.match(r.stdout, /DSR \d\.\d{3}: after 7 trials/);
    const lines = readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // 9 combinations; fast=8 and fast=12 with slow=20 fail 3*fast<=slow.
    assert.is(lines.length, 7);
    assert.ok(lines.every((l) => l.params.fast * 3 <= l.params.slow));
    const csv = readFileSync(join(dir, 'trials.csv'), 'utf8').trim().split('\n');
    assert.is(csv.length, 8);
    assert.ok(csv[0].startsWith('rank,fast,slow,sharpe,netProfit'));
    const sharpe = csv.slice(1).map((row) => Number(row.split(',')[3]));
    assert.equal(sharpe, [...sharpe].sort((a, b) => b - a), 'ranked best first');
    const recording = JSON.parse(readFileSync(join(dir, 'optimisation.json'), 'utf8'));
    assert.is(recording.kind, 'optimisation');
    assert.is(recording.trials.length, 7);
    assert.equal(recording.axes.map((a: { name: string }) => a.name), ['fast', 'slow']);
    assert.ok(recording.overfitting.pbo.value >= 0 && recording.overfitting.pbo.value <= 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a walk-forward run prints each window and the stitched out-of-sample result', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-'));
  try {
    const r = cli(['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1997-01-01', '--to', '1998-12-31', '--param', 'fast=5,10', '--param', 'slow=30,60', '--walk-forward', 'anchored:12:6', '--workers', '0', '--out', dir]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /walk-forward \(anchored:12:6\)/);
    // Each part labelled with the dates of its first and last bars (reviewer finding 7: month bounds the data did not fill).
    assert.match(r.stdout, /1997-01-01\.\.1997-12-31\s+1998-01-01\.\.1998-06-30\s+fast=\d+ slow=\d+/);
    assert.match(r.stdout, /1997-01-01\.\.1998-06-30\s+1998-07-01\.\.1998-12-31\s+fast=\d+ slow=\d+/, 'anchored: the second in-sample part starts at the first bar too');
    assert.match(r.stdout, /stitched out-of-sample: net profit -?\d+\.\d\d, \d+ trades/);
    const recording = JSON.parse(readFileSync(join(dir, 'optimisation.json'), 'utf8'));
    assert.is(recording.walkForward.segments.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C stops the search cleanly: finished trials are kept, ranked and written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', ...base, '--param', 'fast=2:60:1', '--param', 'slow=61:100:1', '--workers', '1', '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const jsonl = join(dir, 'trials.jsonl');
    while (!existsSync(jsonl) || readFileSync(jsonl, 'utf8').split('\n').length < 4) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    assert.is(await exited, 130);
    assert.match(out, /STOPPED before the end/);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length >= 3 && lines.length < 2_000, `${lines.length} trials kept`);
    assert.is(readFileSync(join(dir, 'trials.csv'), 'utf8').trim().split('\n').length, lines.length + 1);
    assert.is(JSON.parse(readFileSync(join(dir, 'optimisation.json'), 'utf8')).stopped, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
