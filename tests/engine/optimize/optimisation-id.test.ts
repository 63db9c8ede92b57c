import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

// Reviewer finding 3: the result id held the run (config, data) but not the search, so a second
// optimisation into the default folder replaced the first one's results.
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', '--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-03-31', '--workers', '0', ...args], { encoding: 'utf8' });
const folderOf = (stdout: string) => {
  const m = /workbench recording: (.*optimisation\.json)/.exec(stdout);
  assert.ok(m, stdout);
  return dirname(m![1]);
};

test('a different search gets its own default folder and never replaces an earlier one; the identical search replaces its own', () => {
  const searches = [
    ['--param', 'fast=5,10', '--param', 'slow=30,60'],
    ['--param', 'fast=10'],
    ['--param', 'fast=5,10', '--param', 'slow=30,60', '--objective', 'sharpe'],
    ['--param', 'fast=5,10', '--param', 'slow=30,60', '--method', 'random', '--trials', '3'],
    ['--param', 'fast=5,10', '--param', 'slow=30,60', '--method', 'random', '--trials', '3', '--seed', '2'],
    ['--param', 'fast=5,10', '--param', 'slow=30,60', '--constraint', 'fast*4<slow'],
    ['--param', 'fast=5,10', '--param', 'slow=30,60', '--walk-forward', 'rolling:1:1'],
  ];
  const folders: string[] = [];
  try {
    for (const args of searches) {
      const r = cli(args);
      assert.is(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      folders.push(folderOf(r.stdout));
    }
    assert.is(new Set(folders).size, searches.length, folders.join('\n'));
    for (const [k, folder] of folders.entries()) {
      assert.ok(existsSync(`${folder}/optimisation.json`), `${searches[k].join(' ')} kept`);
      assert.ok(folder.includes('usdchf-h4-sma-crossover-'));
    }
    const first = JSON.parse(readFileSync(`${folders[0]}/optimisation.json`, 'utf8'));
    assert.equal(first.axes.map((a: { name: string }) => a.name), ['fast', 'slow'], 'the first search is still there after the others');
    // The same search again (the same values spelt as a range): the same folder, replaced.
    const again = cli(['--param', 'fast=5:10:5', '--param', 'slow=30:60:30']);
    assert.is(again.status, 0, again.stderr);
    assert.is(folderOf(again.stdout), folders[0]);
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
});

test('the same search written differently gets the same folder: parameter order, list order, USDCHF.fast for fast, an explicit default, a random search asking more trials than exist (review 2, finding 5)', () => {
  const base = ['--param', 'fast=5,10', '--param', 'slow=30,60'];
  const same = [
    ['--param', 'slow=30,60', '--param', 'fast=5,10'],
    ['--param', 'fast=10,5', '--param', 'slow=60,30'],
    ['--param', 'USDCHF.fast=5,10', '--param', 'slow=30,60'],
    [...base, '--leverage', '100', '--risk', '1'],
    ['--param', 'slow=30:60:30', '--param', 'fast=10,5', '--constraint', 'fast<slow', '--constraint', 'fast > 1'],
  ];
  const folders: string[] = [];
  try {
    const first = cli(base);
    assert.is(first.status, 0, first.stderr);
    folders.push(folderOf(first.stdout));
    const ids = (dir: string) => readFileSync(`${dir}/trials.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id).sort();
    const trialIds = ids(folders[0]);
    for (const args of same.slice(0, 4)) {
      const r = cli(args);
      assert.is(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.is(folderOf(r.stdout), folders[0], args.join(' '));
    }
    // Constraints in any order, spaced any way, are one search (but not the search without them).
    const c1 = cli(same[4]);
    const c2 = cli([...base, '--constraint', 'fast>1', '--constraint', 'fast<slow']);
    assert.is(c1.status, 0, c1.stderr);
    folders.push(folderOf(c1.stdout));
    assert.is(folderOf(c2.stdout), folders[1]);
    assert.is.not(folders[1], folders[0]);
    // Trial ids (what Redis keeps outcomes under) are the run key's, unchanged by the folder's canonical id.
    assert.equal(ids(folders[1]), trialIds);
    // Random: 4 combinations exist, so --trials 4, 10 or the default run the same four, whatever the seed.
    const random = ['random', 'random-10', 'random-default'].map((_, k) => cli([...base, '--method', 'random', ...[['--trials', '4'], ['--trials', '10', '--seed', '5'], []][k]]));
    for (const r of random) assert.is(r.status, 0, r.stderr);
    folders.push(folderOf(random[0].stdout));
    assert.is(folderOf(random[1].stdout), folders[2]);
    assert.is(folderOf(random[2].stdout), folders[2]);
    assert.is.not(folders[2], folders[0], 'a random search is not the grid');
    // Drawing fewer than all: the seed and the order of the axes still decide which, so they are part of the search.
    const few = [cli([...base, '--method', 'random', '--trials', '2']), cli(['--param', 'slow=30,60', '--param', 'fast=5,10', '--method', 'random', '--trials', '2'])];
    for (const r of few) assert.is(r.status, 0, r.stderr);
    folders.push(...few.map((r) => folderOf(r.stdout)));
    assert.is.not(folders[3], folders[4]);
    // A real difference in the run still tells them apart.
    const lev = cli([...base, '--leverage', '50']);
    assert.is(lev.status, 0, lev.stderr);
    folders.push(folderOf(lev.stdout));
    assert.is.not(folders[5], folders[0]);
  } finally {
    for (const folder of new Set(folders)) rmSync(folder, { recursive: true, force: true });
  }
});

test.run();
