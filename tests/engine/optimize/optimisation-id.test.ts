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

test.run();
