import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A two-symbol bot: USDCHF on the shipped history, EURUSD (synthetic bars) with its own slow
// length, both running sma-crossover through one account.
const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-config-'));
const config = join(dir, 'bot.json');
writeFileSync(config, JSON.stringify({
  bot: {
    strategy: 'sma-crossover', timeframe: 'H4', balance: 20_000, riskPercent: 0.5,
    symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', params: { slow: 45 } }],
  },
}));
const range = ['--from', '1998-01-01', '--to', '1999-06-30'];
const run = (cli: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', `engine/cli/${cli}.ts`, ...args], { encoding: 'utf8' });

interface Row { params: Record<string, number>; metrics: { netProfit: number; trades: number; sharpe: number; maxDrawdown: number; finalBalance: number } }

test('--config optimises the two-symbol bot as one portfolio: each trial equals npm run backtest -- --config with --set of its parameters', () => {
  const out = join(dir, 'out');
  const r = run('optimize', ['--config', config, ...range, '--param', 'fast=5,10', '--param', 'EURUSD.slow=30,60', '--workers', '2', '--out', out]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /on USDCHF H4, EURUSD H4/);
  const rows = readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
  assert.is(rows.length, 4);
  const recording = JSON.parse(readFileSync(join(out, 'optimisation.json'), 'utf8'));
  assert.equal(recording.createdFrom.symbols, ['USDCHF', 'EURUSD']);
  assert.is(recording.createdFrom.config, config);
  for (const row of [rows[0], rows[3]]) {
    const b = run('backtest', ['--config', config, ...range, '--set', `fast=${row.params.fast}`, '--set', `EURUSD.slow=${row.params['EURUSD.slow']}`, '--no-record', '--json']);
    assert.is(b.status, 0, b.stderr);
    const complete = JSON.parse(b.stdout);
    assert.equal(complete.symbols, ['USDCHF', 'EURUSD']);
    assert.is(complete.params.EURUSD.slow, row.params['EURUSD.slow'], 'the qualified parameter went to EURUSD only');
    assert.is(complete.params.USDCHF.slow, 30, 'USDCHF keeps the strategy default slow');
    assert.is(row.metrics.netProfit, complete.total_return, JSON.stringify(row.params));
    assert.is(row.metrics.trades, complete.total_trades);
    assert.is(row.metrics.maxDrawdown, complete.max_drawdown);
    assert.is(row.metrics.finalBalance, complete.final_balance);
    assert.is(row.metrics.sharpe, complete.metrics.sharpe);
  }
});

test('--config: a parameter for a symbol the config lacks, or a value the codec refuses, is a clear error with exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['--param', 'GBPUSD.fast=5,10'], /--param GBPUSD\.fast: symbol GBPUSD is not configured \(configured: USDCHF, EURUSD\)/],
    [['--param', 'EURUSD.fats=5,10'], /--param EURUSD\.fats: "sma-crossover" has no parameter "fats"/],
    [['--param', 'fast=5,-1'], /--param fast=-1: .*expected positive integer/],
  ];
  for (const [extra, message] of cases) {
    const r = run('optimize', ['--config', config, ...range, ...extra, '--workers', '0', '--out', join(dir, 'bad')]);
    assert.is(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const missing = run('optimize', ['--config', join(dir, 'nope.json'), '--param', 'fast=5,10']);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /nope\.json: cannot read/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
