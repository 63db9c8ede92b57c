import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLogEvent, SPEC_EVENT_TYPES } from '../../../protocol/index.ts';

const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', ...args], { encoding: 'utf8' });

test('the full USDCHF history (1996-2001) backtests from the CLI, and twice gives byte-identical JSON', () => {
  const a = cli(['--symbol', 'USDCHF', '--timeframe', 'H1', '--json', '--no-record']);
  const b = cli(['--symbol', 'USDCHF', '--timeframe', 'H1', '--json', '--no-record']);
  assert.is(a, b);
  const complete = JSON.parse(a);
  assert.ok(complete.total_trades > 500);
  assert.ok(Object.keys(complete.weekly_stats).length > 250, 'about 260 trading weeks');
  for (const key of ['session_id', 'final_balance', 'total_return', 'total_trades', 'max_drawdown', 'weekly_stats']) assert.ok(key in complete, key);
  for (const key of ['win_rate', 'profit_factor', 'expectancy', 'sharpe', 'sortino', 'max_drawdown_pct', 'recovery_factor', 'weeks_within_target']) {
    assert.ok(key in complete.metrics, key);
  }
});

test('the CLI prints a summary table and writes a recording of valid spec events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-cli-'));
  try {
    const out = cli(['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-12-31', '--record', dir]);
    assert.match(out, /Final balance/);
    assert.match(out, /Weeks within target/);
    const [file] = readdirSync(dir);
    const events = readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(events.every((e) => decodeLogEvent(e).ok), 'every line decodes with the protocol codecs');
    assert.is(events[0].event_type, 'BACKTEST_START');
    assert.is(events.at(-1).event_type, 'BACKTEST_COMPLETE');
    const types = new Set(events.map((e) => e.event_type));
    for (const t of ['BACKTEST_START', 'TRADE_ENTRY', 'TRADE_EXIT', 'WEEKLY_SUMMARY', 'PERFORMANCE', 'BACKTEST_COMPLETE']) assert.ok(types.has(t), t);
    assert.ok(SPEC_EVENT_TYPES.length === 9);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad CLI input names the problem and exits non-zero without a stack trace', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'USDCHF', '--timeframe', 'H7'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /--timeframe "H7"/);
  const r2 = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'USDCHF', '--strategy', 'nope'], { encoding: 'utf8' });
  assert.is(r2.status, 2);
  assert.match(r2.stderr, /unknown strategy "nope"/);
});

test('a user\'s own MT5 export backtests with --file; a broken row is named by file, line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-cli-'));
  try {
    const lines = ['<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>'];
    let price = 1.1;
    for (let i = 0; i < 600; i++) {
      const t = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000);
      if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
      const next = price + 0.002 * Math.sin(i / 9) + 0.0004 * Math.cos(i / 2);
      const date = `${t.getUTCFullYear()}.${String(t.getUTCMonth() + 1).padStart(2, '0')}.${String(t.getUTCDate()).padStart(2, '0')}`;
      const time = `${String(t.getUTCHours()).padStart(2, '0')}:00`;
      lines.push([date, time, price.toFixed(5), (Math.max(price, next) + 0.0003).toFixed(5), (Math.min(price, next) - 0.0003).toFixed(5), next.toFixed(5), 100, 0, 12].join('\t'));
      price = next;
    }
    // MT5 writes its exports as UTF-16LE with a byte-order mark.
    const good = join(dir, 'EURUSD_H1.csv');
    writeFileSync(good, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf16le')]));
    const complete = JSON.parse(cli(['--symbol', 'EURUSD', '--timeframe', 'H1', '--file', good, '--json', '--no-record']));
    assert.ok(complete.total_trades > 0, 'trades on the user\'s data');
    const bad = join(dir, 'broken.csv');
    writeFileSync(bad, [lines[0], lines[1], lines[2].replace(/\t1\.\d+\t/, '\tabc\t')].join('\n'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'EURUSD', '--file', bad, '--no-record'], { encoding: 'utf8' });
    // A data file that does not parse is bad input: exit 2 before any work (was 1).
    assert.is(r.status, 2);
    assert.match(r.stderr, /broken\.csv:3: column "<OPEN>": "abc" is not a number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
