import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'USDCHF', '--timeframe', 'H4',
  '--from', '1998-01-01', '--to', '1998-12-31', '--no-record', '--json', ...args], { encoding: 'utf8' });

test('--set changes the strategy\'s parameters for the run, as the codec decodes them', () => {
  const base = JSON.parse(run([]).stdout);
  const set = run(['--set', 'fast=12', '--set', 'slow=40']);
  assert.is(set.status, 0, set.stderr);
  const changed = JSON.parse(set.stdout);
  assert.equal(base.params.USDCHF, { fast: 10, slow: 30, stopLossPoints: 500, takeProfitPoints: 1000 });
  assert.equal(changed.params.USDCHF, { fast: 12, slow: 40, stopLossPoints: 500, takeProfitPoints: 1000 });
  assert.is.not(changed.session_id, base.session_id, 'other inputs, another session');
  assert.ok(changed.total_trades < base.total_trades, `slower averages cross less often (${changed.total_trades} < ${base.total_trades})`);
  const qualified = JSON.parse(run(['--set', 'USDCHF.fast=12', '--set', 'USDCHF.slow=40']).stdout);
  assert.is(qualified.total_trades, changed.total_trades, 'the symbol-qualified form is the same override');
  assert.is(qualified.final_balance, changed.final_balance);
});

test('--set refuses what the codec refuses, names the flag, and exits 2 before running', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--set', 'fast=twelve'], /command line: --set fast: expected positive integer, got "twelve"/],
    [['--set', 'fsat=12'], /--set fsat: strategy "sma-crossover" has no parameter "fsat"; it has: fast, slow, stopLossPoints, takeProfitPoints/],
    [['--set', 'EURUSD.fast=12'], /--set EURUSD\.fast: this run has only USDCHF/],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.is(r.stdout, '', 'nothing ran');
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test.run();
