import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Reviewer finding 8: with --min-trades 1 --max-trades 2 the column read "Weeks 3-10" and the
// objective "Weeks within 3-10" while counting weeks within 1-2.
test('the weeks column, the objective and the walk-forward line are named by the configured weekly band', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-band-'));
  try {
    const args = ['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-12-31', '--min-trades', '1', '--max-trades', '2',
      '--objective', 'weeks-in-band', '--param', 'fast=5,10', '--param', 'slow=30', '--workers', '0'];
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', ...args, '--out', dir], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /Trades +Weeks 1-2/);
    assert.not.match(r.stdout, /3-10/);
    const recording = JSON.parse(readFileSync(join(dir, 'optimisation.json'), 'utf8'));
    assert.is(recording.objective.label, 'Weeks within 1-2');
    const wf = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', ...args, '--walk-forward', 'rolling:6:3', '--out', dir], { encoding: 'utf8' });
    assert.is(wf.status, 0, wf.stderr);
    assert.match(wf.stdout, /weeks within 1-2 \d+\/\d+/);
    assert.not.match(wf.stdout, /3-10/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
