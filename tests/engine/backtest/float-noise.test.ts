import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import { importMt5Bars } from '../../../engine/data/mt5-bars.ts';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';
import { eventLog, scripted } from '../../kit/engine-builders.ts';

// Regression: float noise in the data and in equity reached the user. Three EURUSD H1 bars and
// one buy gave `Max drawdown 0.00 (0.00 %)` beside `Recovery factor 307863255777.28` (equity
// formed from floating profit fell a few units in the last place when the trade was booked in
// cents); a bar row written as 1.1967999999999999 went out in BAR as 1.1967999999999999.

const dir = makeTempDir('tradeloom-float-noise-');
const barsFile = join(dir.path, 'EURUSD_H1.csv');
writeFileSync(barsFile, encodeLines([
  MT5_BARS_HEADER,
  mt5BarRow('2024.01.08', '01:00', '1.10250', '1.10400', '1.10200', '1.10300'),
  mt5BarRow('2024.01.08', '02:00', '1.10300', '1.10350', '1.10250', '1.10320'),
  mt5BarRow('2024.01.08', '03:00', '1.10320', '1.10350', '1.10250', '1.10320'),
]));
const noisyFile = join(dir.path, 'EURUSD_noisy_H1.csv');
writeFileSync(noisyFile, encodeLines([
  MT5_BARS_HEADER,
  mt5BarRow('2024.01.08', '01:00', '1.1967999999999999', '1.1978000000000002', '1.1957999999999998', '1.1967999999999999'),
  mt5BarRow('2024.01.08', '02:00', '1.1968', '1.1978', '1.1958', '1.1968'),
]));
// The same scripted buy as a plugin folder, for the CLI.
const plugin = join(dir.path, 'buy-first');
mkdirSync(plugin);
writeFileSync(join(plugin, 'index.mjs'), `export const buyFirst = {
  kind: 'strategy', id: 'buy-first', description: 'buys on the first bar (tests)',
  configCodec: { decode: (v) => ({ _tag: 'Right', right: v }), is: () => true, encode: (v) => v }, defaultConfig: {},
  onBar: (ctx) => (ctx.index === 0 ? { direction: 'buy', stopLoss: 1.1, reason: 'scripted' } : undefined),
};
`);

const buyFirst = scripted({ 0: { direction: 'buy', stopLoss: 1.1, reason: 'scripted' } });
const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', '--symbol', 'EURUSD', '--timeframe', 'H1',
  '--plugin', plugin, '--strategy', 'buy-first', ...args], { encoding: 'utf8' });

test('one winning buy whose equity only fell by float noise: recovery factor null in the metrics and the tester stats, not 3e11', () => {
  const { series } = importMt5Bars(readFileSync(barsFile), { symbol: 'EURUSD', timeframe: 'H1' });
  const r = runBacktest({ symbol: 'EURUSD', series, strategy: buyFirst });
  assert.is(r.complete.total_trades, 1);
  assert.ok(r.complete.total_return > 0, `a winning trade (${r.complete.total_return})`);
  assert.is(r.complete.max_drawdown, 0);
  assert.is(r.metrics.recovery_factor, null);
  assert.is(r.metrics.sortino, 0);
  assert.is(r.complete.report!.stats.equity_drawdown_maximal, 0);
  assert.is(r.complete.report!.stats.recovery_factor, null);
});

test('the CLI summary of that run says Max drawdown 0.00 and Recovery factor n/a; --json says recovery_factor null', () => {
  const text = cli(['--file', barsFile, '--no-record']);
  assert.match(text, /Max drawdown\s+0\.00 \(0\.00 %\)/);
  assert.match(text, /Recovery factor\s+n\/a\n/);
  const complete = JSON.parse(cli(['--file', barsFile, '--json', '--no-record']));
  assert.is(complete.total_trades, 1);
  assert.is(complete.metrics.recovery_factor, null);
  assert.is(complete.report.stats.recovery_factor, null);
});

test('BAR events carry the bar\'s prices normalised to the symbol\'s digits: 1.1967999999999999 goes out as 1.1968', () => {
  const { series } = importMt5Bars(readFileSync(noisyFile), { symbol: 'EURUSD', timeframe: 'H1' });
  const log = eventLog();
  runBacktest({ symbol: 'EURUSD', series, strategy: buyFirst, emitBars: true, onEvent: log.push });
  const bars = log.of('BAR').map((e) => [e.data.open, e.data.high, e.data.low, e.data.close]);
  assert.equal(bars, [[1.1968, 1.1978, 1.1958, 1.1968], [1.1968, 1.1978, 1.1958, 1.1968]]);
});

test('a --bars recording of the noisy file holds BAR events with normalised prices', () => {
  const record = join(dir.path, 'recordings');
  cli(['--file', noisyFile, '--bars', '--record', record, '--json']);
  const [file] = readdirSync(record);
  const lines = readFileSync(join(record, file), 'utf8');
  assert.not.match(lines, /1\.19679999|1\.19780000|1\.19579999/);
  const bars = lines.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event_type === 'BAR');
  assert.equal(bars.map((e) => [e.data.open, e.data.high, e.data.low, e.data.close]), [[1.1968, 1.1978, 1.1958, 1.1968], [1.1968, 1.1978, 1.1958, 1.1968]]);
});

test.after(() => dir.remove());

test.run();
