import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eurusdHourlyFile as eurusdFile } from '../../kit/data-builders.ts';

// Review 2, findings 3 and 4: `npm run optimize` says what `npm run backtest` says about the same
// bars (the shared span of a config's symbols, data that fit a --spec only loosely).

const cli = (command: 'optimize' | 'backtest', args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', `engine/cli/${command}.ts`, ...(command === 'optimize' ? ['--workers', '0'] : ['--no-record']), ...args], { encoding: 'utf8' });
const warningsOf = (stderr: string, command: string) => stderr.split('\n').filter((line) => line.startsWith(`${command}: warning: `)).map((line) => line.slice(`${command}: warning: `.length));

test('optimize --config on partly overlapping data prints the backtest\'s shared-span warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-warn-'));
  try {
    const config = join(dir, 'bot.json');
    // EURUSD 2000-10..2001-06 beside the shipped USDCHF (to 2001-03-31).
    writeFileSync(config, JSON.stringify({ bot: { strategy: 'sma-crossover', timeframe: 'H4', symbols: [{ symbol: 'EURUSD', file: eurusdFile(dir, '2000-10-02', '2001-06-29') }, { symbol: 'USDCHF' }] } }));
    const o = cli('optimize', ['--config', config, '--param', 'fast=5,10', '--param', 'slow=30', '--out', join(dir, 'out')]);
    assert.is(o.status, 0, o.stderr);
    const b = cli('backtest', ['--config', config, '--set', 'fast=5', '--set', 'slow=30']);
    assert.is(b.status, 0, b.stderr);
    const expected = warningsOf(b.stderr, 'backtest');
    assert.is(expected.length, 1, b.stderr);
    assert.match(expected[0], /the symbols' data cover different periods; the run covers only the span they share, 2000-10-02 00:00 to 2001-03-31 00:00 UTC: EURUSD H4 /);
    assert.equal(warningsOf(o.stderr, 'optimize'), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('optimize --spec prints the backtest\'s data-vs-spec warnings for the same flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-opt-spec-'));
  try {
    const flags = ['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-01-31', '--spec', 'digits=2'];
    const b = cli('backtest', flags);
    assert.is(b.status, 0, b.stderr);
    const expected = warningsOf(b.stderr, 'backtest');
    assert.is(expected.length, 2, b.stderr);
    assert.match(expected.join('\n'), /more decimals than USDCHF's 2 digits/);
    const o = cli('optimize', [...flags, '--param', 'fast=5', '--out', join(dir, 'out')]);
    assert.is(o.status, 0, o.stderr);
    assert.equal(warningsOf(o.stderr, 'optimize'), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
