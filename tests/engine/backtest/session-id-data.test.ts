import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';

// Review finding 10: the session id of a backtest hashed the bar count and the first and last
// times only, so two files with other prices (a corrected export) recorded under one id.

const dir = makeTempDir('tradeloom-session-id-');
test.after(() => dir.remove());

/** 400 H1 bars of EURUSD from Monday 2024-01-08, a wave; `bump` moves the middle bars' prices. */
function hourlyExport(name: string, bump: number): string {
  const rows = [MT5_BARS_HEADER];
  const start = Date.UTC(2024, 0, 8);
  for (let i = 0; i < 400; i++) {
    const t = new Date(start + i * 3_600_000).toISOString();
    const price = 1.1 + 0.004 * Math.sin(i / 9) + (i > 150 && i < 250 ? bump : 0);
    const p = (x: number) => x.toFixed(5);
    rows.push(mt5BarRow(t.slice(0, 10).replaceAll('-', '.'), t.slice(11, 16), p(price), p(price + 0.0006), p(price - 0.0006), p(price + 0.0002)));
  }
  return dir.write(name, encodeLines(rows));
}

const original = hourlyExport('EURUSD_H1_a.csv', 0);
const corrected = hourlyExport('EURUSD_H1_b.csv', 0.003);

function backtest(args: string[]): { session_id: string; final_balance: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', ...args, '--json', '--no-record'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('two data files with the same bar count and first and last time but other prices are two sessions (single symbol and --config)', () => {
  const single = (file: string) => backtest(['--symbol', 'EURUSD', '--timeframe', 'H1', '--file', file]);
  const a = single(original);
  const b = single(corrected);
  assert.is.not(a.final_balance, b.final_balance, 'the prices differ, so do the results');
  assert.is.not(b.session_id, a.session_id);
  assert.is(single(original).session_id, a.session_id, 'the same file gives the same session id');

  const config = (file: string) => {
    const path = dir.write(`bot-${file.endsWith('a.csv') ? 'a' : 'b'}.json`, JSON.stringify({ bot: { symbols: [{ symbol: 'EURUSD', file }] } }));
    return backtest(['--config', path]);
  };
  assert.is.not(config(corrected).session_id, config(original).session_id);
});

test.run();
