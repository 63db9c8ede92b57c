import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stockDailyFile as stockFile } from '../../kit/data-builders.ts';

// Reviewer finding 14: optimize refused --spec, --spec-file and --leverage as unknown options,
// and an unknown symbol's error pointed at "--spec on the backtest command line".
const optimize = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', '--workers', '0', ...args], { encoding: 'utf8' });
const backtest = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--no-record', ...args], { encoding: 'utf8' });

test('a stock without a built-in spec optimises with --spec-file and --spec, and its best trial is what npm run backtest gives with the same flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-stock-'));
  try {
    const specFile = join(dir, 'specs.json');
    writeFileSync(specFile, JSON.stringify({ ACME: { digits: 2, contractSize: 1, baseCurrency: 'ACME', profitCurrency: 'USD', volumeMin: 1, volumeStep: 1, volumeMax: 10_000 } }));
    const instrument = ['--symbol', 'ACME', '--timeframe', 'D1', '--file', stockFile(dir), '--spec-file', specFile, '--spec', 'spreadPoints=2', '--leverage', '5'];
    const r = optimize([...instrument, '--param', 'fast=5,10', '--param', 'slow=30', '--out', join(dir, 'out')]);
    assert.is(r.status, 0, r.stderr);
    const recording = JSON.parse(readFileSync(join(dir, 'out', 'optimisation.json'), 'utf8'));
    const best = recording.trials[0];
    assert.ok(best.metrics.trades > 5, `${best.metrics.trades} trades`);
    assert.is(recording.createdFrom.bot.broker.leverage, 5);
    const b = backtest([...instrument, '--set', `fast=${best.params.fast}`, '--set', 'slow=30', '--json']);
    assert.is(b.status, 0, b.stderr);
    const complete = JSON.parse(b.stdout);
    assert.is(best.metrics.netProfit, complete.total_return);
    assert.is(best.metrics.trades, complete.total_trades);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('instrument and account flags are checked as npm run backtest checks them, and errors point at the right command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-flags-'));
  const config = join(dir, 'bot.json');
  writeFileSync(config, JSON.stringify({ bot: { strategy: 'sma-crossover', timeframe: 'H4', symbols: [{ symbol: 'USDCHF' }] } }));
  const base = ['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-03-31', '--param', 'fast=5'];
  const cases: [string[], RegExp][] = [
    [[...base, '--leverage', '0'], /--leverage: "0" must be a whole number, 1 or more/],
    [[...base, '--risk', '0'], /--risk: "0" must be a percent of the balance, above 0 and at most 100/],
    [[...base, '--spread=-1'], /--spread: "-1" must be a number of points, 0 or more/],
    [[...base, '--min-trades', '5', '--max-trades', '2'], /the weekly minimum 5 exceeds the weekly maximum 2/],
    [[...base, '--spec', 'digitz=2'], /--spec digitz=2: unknown spec field "digitz"/],
    [['--symbol', 'ACME', '--param', 'fast=5'], /unknown symbol "ACME": no built-in spec .*--spec FIELD=VALUE on the command line of npm run backtest or npm run optimize/],
    [['--symbol', 'ACME', '--spec', 'digits=2', '--param', 'fast=5'], /symbol spec "ACME": field "contractSize" is required/],
    [['--config', config, '--spec', 'digits=2', '--param', 'fast=5'], /--spec.*with --config, declare symbol specs in the config file \(bot\.symbolSpecs\)/],
  ];
  for (const [args, message] of cases) {
    const r = optimize(args);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /Unknown option/);
  }
  rmSync(dir, { recursive: true, force: true });
});

test.run();
