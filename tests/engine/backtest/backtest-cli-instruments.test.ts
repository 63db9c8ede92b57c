import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stockDailyFile as stockFile } from '../../kit/data-builders.ts';

const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', ...args], { encoding: 'utf8' });

test('a stock run under a forex spec warns before the run and the summary says every order was refused and why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-cli-'));
  try {
    const r = run(['--symbol', 'USDCHF', '--timeframe', 'D1', '--file', stockFile(dir), '--no-record']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: .*prices have at most 2 decimals but USDCHF's spec has 5 digits/);
    assert.match(r.stdout, /all \d+ orders were refused: 10016 invalid stops in the request/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run in which the strategy never signals says so, rather than only "Trades 0"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-cli-'));
  try {
    // Ten days of a price that never moves, hourly: the two averages never cross.
    const file = join(dir, 'flat.csv');
    const rows = Array.from({ length: 240 }, (_, h) => `${new Date(Date.UTC(1999, 0, 4) + h * 3_600_000).toISOString().slice(0, 19)},1.45000`);
    writeFileSync(file, ['time,price', ...rows].join('\n') + '\n');
    const r = run(['--symbol', 'USDCHF', '--timeframe', 'H1', '--file', file, '--no-record']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /Trades\s+0\n/);
    assert.match(r.stdout, /no trades: the strategy gave no entry signal over 240 bars/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same stock under its own spec (--spec-file, --spec) trades, with no warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-cli-'));
  try {
    const specFile = join(dir, 'specs.json');
    writeFileSync(specFile, JSON.stringify({ ACME: { digits: 2, contractSize: 1, baseCurrency: 'ACME', profitCurrency: 'USD', volumeMin: 1, volumeStep: 1, volumeMax: 10_000 } }));
    const r = run(['--symbol', 'ACME', '--timeframe', 'D1', '--file', stockFile(dir), '--spec-file', specFile, '--spec', 'spreadPoints=2', '--json', '--no-record']);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '');
    const complete = JSON.parse(r.stdout);
    assert.ok(complete.total_trades > 5, `${complete.total_trades} trades`);
    assert.ok(complete.orders.sent > complete.orders.refused);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad spec option names the field and exits 2', () => {
  const r = run(['--symbol', 'ACME', '--spec', 'digitz=2', '--no-record']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /--spec digitz=2: unknown spec field "digitz"/);
  const r2 = run(['--symbol', 'ACME', '--spec', 'digits=2', '--no-record']);
  assert.is(r2.status, 2);
  assert.match(r2.stderr, /symbol spec "ACME": field "contractSize" is required/);
});

test('--json into a reader that has gone away (| head) ends quietly, exit 0, nothing on stderr', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'USDCHF', '--timeframe', 'D1', '--json', '--no-record']);
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.is(stderr, '');
  assert.is(code, 0);
});

test.run();
