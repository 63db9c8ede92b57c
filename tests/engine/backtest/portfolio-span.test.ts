import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';

// Review finding 4 (portfolio): a bot config whose symbols' data cover different periods ran
// them one after the other through one account, silently (a 2020 EURUSD file beside the
// 1996-2001 USDCHF history made a 24-year run), while --from/--to refused the same config with
// "no EURUSD H1 bars between ...".

const dir = makeTempDir('tradeloom-span-');
test.after(() => dir.remove());

/** `hours` H1 bars of `symbol` from `start` (UTC), a wave around `level`. */
function hourlyExport(symbol: string, start: number, hours: number, level: number): string {
  const rows = [MT5_BARS_HEADER];
  for (let i = 0; i < hours; i++) {
    const t = new Date(start + i * 3_600_000).toISOString();
    const price = level + 0.004 * Math.sin(i / 7);
    const p = (x: number) => x.toFixed(5);
    rows.push(mt5BarRow(t.slice(0, 10).replaceAll('-', '.'), t.slice(11, 16), p(price), p(price + 0.0006), p(price - 0.0006), p(price + 0.0002)));
  }
  return dir.write(`${symbol}_H1_${start}.csv`, encodeLines(rows));
}

const MONDAY = Date.UTC(2024, 0, 8);
const eurusd = hourlyExport('EURUSD', MONDAY, 20 * 24, 1.1); // 2024-01-08 00:00 to 2024-01-28 00:00, around the clock
const gbpusd = hourlyExport('GBPUSD', MONDAY + 14 * 86_400_000, 20 * 24, 1.27); // 2024-01-22 00:00 to 2024-02-11 00:00

function backtest(symbols: object[], args: string[] = []) {
  const config = dir.write(`bot-${Math.random().toString(36).slice(2)}.json`, JSON.stringify({ bot: { timeframe: 'H1', symbols } }));
  const record = join(dir.path, `rec-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--config', config, '--record', record, '--json', ...args], { encoding: 'utf8' });
  const events = () => readFileSync(join(record, readdirSync(record)[0]), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const start = () => events()[0].data;
  const complete = () => events().find((e) => e.event_type === 'BACKTEST_COMPLETE').data;
  return { status: r.status, stderr: r.stderr, start, complete };
}

test('symbols whose data overlap in part run over the span they share, with a warning naming each symbol\'s span', () => {
  const r = backtest([{ symbol: 'EURUSD', file: eurusd }, { symbol: 'GBPUSD', file: gbpusd }]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: the symbols' data cover different periods; the run covers only the span they share, 2024-01-22 00:00 to 2024-01-28 00:00 UTC: /, r.stderr);
  assert.match(r.stderr, /EURUSD H1 2024-01-08 00:00 to 2024-01-28 00:00 UTC \(.*EURUSD_H1_\d+\.csv\); GBPUSD H1 2024-01-22 00:00 to 2024-02-11 00:00 UTC/);
  const start = r.start();
  assert.is(start.data_points, 2 * 6 * 24, 'both symbols over the 6 shared days, not 20 + 20 days one after the other');
  // The recording says it too, for the workbench's report and anyone replaying the run.
  const warnings: string[] = r.complete().warnings ?? [];
  assert.ok(warnings.some((w) => /^the symbols' data cover different periods; the run covers only the span they share, 2024-01-22 00:00 to 2024-01-28 00:00 UTC: EURUSD H1/.test(w)), JSON.stringify(warnings));
});

test('symbols whose data share no period are refused before the run, naming each span; --from/--to say the same', () => {
  const shipped = backtest([{ symbol: 'EURUSD', file: eurusd }, { symbol: 'USDCHF', timeframe: 'H4' }]);
  assert.is(shipped.status, 2);
  assert.match(shipped.stderr, /bot\.symbols: the symbols' data share no period, and one account trades them together: EURUSD H1 2024-01-08 00:00 to 2024-01-28 00:00 UTC \(.*\); USDCHF H4 1996-03-31 20:00 to 2001-03-31 00:00 UTC \(.*usdchf_m30\.csv\)\. Give data files that cover a common period, or run one symbol alone \(--symbol\)/);
  const ranged = backtest([{ symbol: 'EURUSD', file: eurusd }, { symbol: 'GBPUSD', file: gbpusd }], ['--from', '2024-01-08', '--to', '2024-01-19']);
  assert.is(ranged.status, 2);
  assert.match(ranged.stderr, /the symbols' data share no period between 2024-01-08 and 2024-01-19, and one account trades them together: EURUSD H1 .*; GBPUSD H1 2024-01-22 00:00/);
});

test('a --from/--to inside the shared span runs without a warning; a synthetic symbol is made for the real data\'s span', () => {
  const r = backtest([{ symbol: 'EURUSD', file: eurusd }, { symbol: 'GBPUSD', file: gbpusd }], ['--from', '2024-01-23', '--to', '2024-01-26']);
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stderr, /different periods/);
  const withSynthetic = backtest([{ symbol: 'EURUSD', file: eurusd }, { symbol: 'XAUUSD' }]);
  assert.is(withSynthetic.status, 0, withSynthetic.stderr);
  assert.not.match(withSynthetic.stderr, /different periods/);
  const start = withSynthetic.start();
  // EURUSD's 480 hours and synthetic XAUUSD bars for the weekdays of the same 20 days (not 2019-2024).
  assert.ok(start.data_points > 480 && start.data_points < 480 * 2, `${start.data_points}`);
});

test.run();
