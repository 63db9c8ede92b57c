import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';

// The backtest CLI on a user's own data file: bar times in server time, and bad or empty files.

const dir = makeTempDir('tradeloom-cli-data-');
test.after(() => dir.remove());

const backtest = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', ...args], { encoding: 'utf8' });

test('a D1 export in Europe/Athens: every bar and fill at 00:00 Athens (22:00Z, 21:00Z in summer), never the UTC day before', () => {
  // Weekdays from 2023-09-04 to 2024-06-28 on the Athens clock; a wave the crossover trades on.
  const rows = [MT5_BARS_HEADER];
  let price = 1.08;
  for (let wall = Date.UTC(2023, 8, 4), i = 0; wall < Date.UTC(2024, 5, 29); wall += 86_400_000, i++) {
    const day = new Date(wall).getUTCDay();
    if (day === 0 || day === 6) continue;
    const next = price + 0.006 * Math.sin(i / 6) + 0.002 * Math.cos(i / 2);
    rows.push(mt5BarRow(new Date(wall).toISOString().slice(0, 10).replaceAll('-', '.'), '00:00', price.toFixed(5),
      (Math.max(price, next) + 0.002).toFixed(5), (Math.min(price, next) - 0.002).toFixed(5), next.toFixed(5), 1000));
    price = next;
  }
  const file = dir.write('EURUSD_D1.csv', encodeLines(rows, 'utf16le-bom'));
  const record = join(dir.path, 'rec');
  const r = backtest(['--symbol', 'EURUSD', '--timeframe', 'D1', '--file', file, '--timezone', 'Europe/Athens', '--set', 'fast=3', '--set', 'slow=8', '--bars', '--record', record, '--json']);
  assert.is(r.status, 0, r.stderr);
  const events = readFileSync(join(record, readdirSync(record)[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const barTimes = events.filter((e) => e.event_type === 'BAR').map((e) => e.data.time as string);
  assert.is(barTimes.length, rows.length - 1);
  assert.is(barTimes[0], '2023-09-03T21:00:00', 'Monday 2023-09-04 00:00 EEST');
  assert.ok(barTimes.includes('2024-01-07T22:00:00'), 'Monday 2024-01-08 00:00 EET');
  for (const t of barTimes) assert.match(t, /T2[12]:00:00$/);
  const entries = events.filter((e) => e.event_type === 'TRADE_ENTRY');
  assert.ok(entries.length > 5, `the crossover traded (${entries.length} entries)`);
  for (const e of entries) assert.ok(barTimes.includes(e.data.time), `entry at ${e.data.time} is at a bar's open`);
});

test('a price that is not positive in an MT5 bar file stops the run with file:line: column, exit 2', () => {
  const file = dir.write('neg.csv', encodeLines([MT5_BARS_HEADER, mt5BarRow('2024.01.08', '00:00', 1.1, 1.2, 1.0, 1.1),
    mt5BarRow('2024.01.08', '01:00', -1.1, 1.2, -1.2, 1.1), mt5BarRow('2024.01.08', '02:00', 1.1, 1.2, 1.0, 1.1)]));
  const r = backtest(['--symbol', 'EURUSD', '--file', file, '--no-record', '--json']);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /neg\.csv:3: column "<OPEN>": open -1\.1 is not a positive price/);
});

test('a data file with a header and no rows names the file and says so, exit 2 (not --from/--to)', () => {
  const files = [
    dir.write('EURUSD_H1.csv', encodeLines([MT5_BARS_HEADER])),
    dir.write('EURUSD_ticks.csv', encodeLines(['<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>'])),
    dir.write('EURUSD_tp.csv', encodeLines(['time,price'])),
  ];
  for (const file of files) {
    const r = backtest(['--symbol', 'EURUSD', '--timeframe', 'H1', '--file', file, '--no-record', '--json']);
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${file.split('/').pop()!.replace('.', '\\.')}:1: the file has a header but no data rows`));
    assert.not.match(r.stderr, /--from\/--to/);
  }
});

test.run();
