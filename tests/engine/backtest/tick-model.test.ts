import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHistory } from '../../../engine/data/load-history.ts';
import { runBacktest } from '../../../engine/backtest/backtest-runner.ts';
import type { SimModel } from '../../../engine/broker/sim-broker.ts';
import type { Signal } from '../../../engine/plugin-api.ts';
import { decodeSeries, encodeSeries, hashSeries, seriesOf, shareSeries } from '../../../engine/optimize/shared-series.ts';
import { encodeLines, makeTempDir, MT5_BARS_HEADER, mt5BarRow } from '../../kit/data-builders.ts';
import { eventLog, scripted } from '../../kit/engine-builders.ts';

/**
 * The real-ticks model (`--model ticks`, MT5's "every tick based on real ticks"): inside a bar
 * built from ticks or time,price samples, a stop or target triggers at the first tick at or
 * beyond it and fills at that tick; the default (`bars`) tests the bar's range and fills at the
 * level. USDCHF's spec: 5 digits, spread 20 points quoted around the samples (bid = price - 0.0001).
 */
const dir = makeTempDir('tradeloom-ticks-');

/** USDCHF samples every 20 minutes on Monday 4 January 1999 (UTC): three per H1 bar. */
function samples(name: string, rows: Array<[string, number]>): string {
  const file = join(dir.path, name);
  writeFileSync(file, ['time,price', ...rows.map(([t, p]) => `1999-01-04T${t}:00,${p}`)].join('\n') + '\n');
  return file;
}

function run(file: string, script: Record<number, Signal>, model?: SimModel) {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', file });
  const log = eventLog();
  runBacktest({
    symbol: 'USDCHF', series, strategy: scripted(script), balance: 10_000, riskPercent: 1, governor: { minTradesPerWeek: 0 },
    onEvent: log.push, ...(model ? { broker: { model } } : {}),
  });
  return log;
}

const flat = (h: number, p: number): Array<[string, number]> => ['00', '20', '40'].map((m) => [`${String(h).padStart(2, '0')}:${m}`, p]);

// Bought at 09:00's close (1.2000): fills at 10:00's open, the ask 1.2001, stop 1.1950.
// In the 10:00 bar the price goes 1.2000, 1.1930, 1.1960: the range reaches the stop.
const throughStop = samples('through-stop.csv', [...flat(8, 1.2), ...flat(9, 1.2), ['10:00', 1.2], ['10:20', 1.193], ['10:40', 1.196], ...flat(11, 1.196)]);

test('a stop the samples jump through fills at the first sample beyond it under --model ticks, at the stop under bars', () => {
  const bars = run(throughStop, { 1: { direction: 'buy', stopLoss: 1.195 } });
  const ticks = run(throughStop, { 1: { direction: 'buy', stopLoss: 1.195 } }, 'ticks');
  for (const log of [bars, ticks]) {
    const [entry] = log.of('TRADE_ENTRY');
    assert.is(entry.data.price, 1.2001);
    assert.is(entry.data.lot_size, 0.23);
  }
  const [barExit] = bars.of('TRADE_EXIT');
  assert.is(barExit.data.exit_reason, 'Stop loss hit');
  assert.is(barExit.data.exit_price, 1.195);
  // The 10:20 sample, 1.1930: its bid 1.1929. 0.23 lots x 0.0072 x 100,000 = 165.60 CHF at 1.1929
  // = 138.82 USD, 1.39 % of the balance for a 1 % budget: what the samples say the market gave.
  const [tickExit] = ticks.of('TRADE_EXIT');
  assert.is(tickExit.data.exit_reason, 'Stop loss hit');
  assert.is(tickExit.data.exit_price, 1.1929);
  assert.is(tickExit.data.profit, -138.82);
  assert.is(tickExit.data.timestamp, barExit.data.timestamp);
});

test('a target the samples jump past fills at that sample (positive slippage, as MT5\'s real ticks)', () => {
  const file = samples('past-target.csv', [...flat(8, 1.2), ...flat(9, 1.2), ['10:00', 1.2], ['10:20', 1.208], ['10:40', 1.205], ...flat(11, 1.205)]);
  const script = { 1: { direction: 'buy', stopLoss: 1.195, takeProfit: 1.205 } } as const;
  assert.is(run(file, script).of('TRADE_EXIT')[0].data.exit_price, 1.205);
  const [exit] = run(file, script, 'ticks').of('TRADE_EXIT');
  assert.is(exit.data.exit_reason, 'Take profit hit');
  assert.is(exit.data.exit_price, 1.2079);
});

test('with both levels inside one bar the ticks say which came first; bars take the stop', () => {
  // 10:00 1.2000, 10:20 1.2060 (the target 1.2050), 10:40 1.1900 (the stop 1.1950).
  const file = samples('both.csv', [...flat(8, 1.2), ...flat(9, 1.2), ['10:00', 1.2], ['10:20', 1.206], ['10:40', 1.19], ...flat(11, 1.19)]);
  const script = { 1: { direction: 'buy', stopLoss: 1.195, takeProfit: 1.205 } } as const;
  assert.is(run(file, script).of('TRADE_EXIT')[0].data.exit_reason, 'Stop loss hit');
  const [exit] = run(file, script, 'ticks').of('TRADE_EXIT');
  assert.is(exit.data.exit_reason, 'Take profit hit');
  assert.is(exit.data.exit_price, 1.2059);
});

test('a sample exactly at the stop fills at the stop; samples that stay above it leave the position open', () => {
  // The bid of 1.1951 is 1.1950, the stop: filled there. The other file dips to 1.1952 only.
  const at = samples('at-stop.csv', [...flat(8, 1.2), ...flat(9, 1.2), ['10:00', 1.2], ['10:20', 1.1951], ['10:40', 1.198], ...flat(11, 1.198)]);
  assert.is(run(at, { 1: { direction: 'buy', stopLoss: 1.195 } }, 'ticks').of('TRADE_EXIT')[0].data.exit_price, 1.195);
  const above = samples('above-stop.csv', [...flat(8, 1.2), ...flat(9, 1.2), ['10:00', 1.2], ['10:20', 1.1952], ['10:40', 1.198], ...flat(11, 1.198)]);
  const [exit] = run(above, { 1: { direction: 'buy', stopLoss: 1.195 } }, 'ticks').of('TRADE_EXIT');
  assert.is(exit.data.exit_reason, 'End of backtest');
});

test('a bid or ask exactly at the stop reaches it although floating point puts it a hair away (both models)', () => {
  // 1.1019 - 0.0001 is 1.1018000000000001 and 1.1058 + 0.0001 is 1.1058999999999999 in floating
  // point: on the symbol's digits they are 1.1018 and 1.1059, the stops, and must trigger them.
  const down = samples('bid-at-stop.csv', [...flat(8, 1.105), ...flat(9, 1.105), ['10:00', 1.105], ['10:20', 1.1019], ['10:40', 1.103], ...flat(11, 1.103)]);
  const up = samples('ask-at-stop.csv', [...flat(8, 1.105), ...flat(9, 1.105), ['10:00', 1.105], ['10:20', 1.1058], ['10:40', 1.103], ...flat(11, 1.103)]);
  for (const model of [undefined, 'ticks'] as const) {
    const [long] = run(down, { 1: { direction: 'buy', stopLoss: 1.1018 } }, model).of('TRADE_EXIT');
    assert.is(long.data.exit_reason, 'Stop loss hit', `long, ${model ?? 'bars'}`);
    assert.is(long.data.exit_price, 1.1018);
    const [short] = run(up, { 1: { direction: 'sell', stopLoss: 1.1059 } }, model).of('TRADE_EXIT');
    assert.is(short.data.exit_reason, 'Stop loss hit', `short, ${model ?? 'bars'}`);
    assert.is(short.data.exit_price, 1.1059);
  }
});

test('the ticks go to optimiser workers and the queue\'s data store with the bars, and change the data\'s hash', () => {
  const { series } = loadHistory({ symbol: 'USDCHF', timeframe: 'H1', file: throughStop, from: '1999-01-04T09:00', to: '1999-01-04T11:00' });
  assert.is(series.length, 2);
  for (const copy of [seriesOf(shareSeries(series)), seriesOf(decodeSeries(encodeSeries(series)))]) {
    const t = copy.ticks!;
    assert.equal([...t.first], [0, 3, 6]);
    assert.equal([...t.primary], [1.2, 1.2, 1.2, 1.2, 1.193, 1.196]);
    assert.is(hashSeries(copy), hashSeries(series));
  }
  // A stored data set whose header lies about its ticks is refused, not read out of bounds.
  const bytes = encodeSeries(series);
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, nl).toString('utf8'));
  const forged = Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, ticks: 0.5, tickSides: 3 })}\n`), bytes.subarray(nl + 1)]);
  assert.throws(() => decodeSeries(forged), /expected a whole number of ticks, 1 or 2 sides/);
  // So is one whose tick indexes or prices are corrupt (the indexes are the last 3 Int32s, the
  // 6 prices the Float64s before them): they would read as prices that trigger nothing.
  const corrupt = (edit: (b: Buffer) => void) => { const b = Buffer.from(bytes); edit(b); return b; };
  assert.throws(() => decodeSeries(corrupt((b) => b.writeInt32LE(7, b.length - 8))), /data set's ticks: bar 2's first tick 6 is before bar 1's 7/);
  assert.throws(() => decodeSeries(corrupt((b) => b.writeInt32LE(9, b.length - 4))), /data set's ticks: the ticks end at 9, expected 6/);
  assert.throws(() => decodeSeries(corrupt((b) => b.writeInt32LE(1, b.length - 12))), /data set's ticks: bar 0's first tick is 1, expected 0/);
  assert.throws(() => decodeSeries(corrupt((b) => b.writeDoubleLE(Number.NaN, b.length - 12 - 8 * 2))), /data set's ticks: tick 4's price is NaN/);
  const barsOnly = { ...series, ticks: null };
  assert.is.not(hashSeries(barsOnly), hashSeries(series));
  assert.is(seriesOf(decodeSeries(encodeSeries(barsOnly))).ticks, null);
});

const cli = (command: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', `engine/cli/${command}.ts`, ...args], { encoding: 'utf8' });

test('--model ticks on the CLI: the run says so, the optimiser\'s trial equals the backtest, and bars-only data or a bad value is refused', () => {
  const backtest = cli('backtest', ['--symbol', 'USDCHF', '--timeframe', 'H1', '--from', '1998-01-01', '--to', '1998-06-30', '--model', 'ticks', '--json', '--no-record']);
  assert.is(backtest.status, 0, backtest.stderr);
  const complete = JSON.parse(backtest.stdout);
  assert.is(complete.model, 'ticks');
  const summary = cli('backtest', ['--symbol', 'USDCHF', '--timeframe', 'H1', '--from', '1998-01-01', '--to', '1998-06-30', '--model', 'ticks', '--no-record']);
  assert.match(summary.stdout, /Model\s+real ticks: stops and targets tested on each tick or sample inside a bar/);
  const html = join(dir.path, 'ticks.html');
  assert.is(cli('backtest', ['--symbol', 'USDCHF', '--timeframe', 'H1', '--from', '1998-01-01', '--to', '1998-06-30', '--model', 'ticks', '--no-record', '--report', html]).status, 0);
  assert.match(readFileSync(html, 'utf8'), /<th>Model<\/th><td data-key="model">real ticks/);
  const plain = JSON.parse(cli('backtest', ['--symbol', 'USDCHF', '--timeframe', 'H1', '--from', '1998-01-01', '--to', '1998-06-30', '--json', '--no-record']).stdout);
  assert.is(plain.model, undefined);
  assert.is.not(complete.final_balance, plain.final_balance);
  assert.is.not(complete.session_id, plain.session_id);
  for (const workers of ['0', '2']) {
    const out = join(dir.path, `opt-${workers}`);
    const optimise = cli('optimize', ['--symbol', 'USDCHF', '--timeframe', 'H1', '--from', '1998-01-01', '--to', '1998-06-30', '--param', 'fast=10', '--param', 'slow=30', '--model', 'ticks', '--workers', workers, '--out', out]);
    assert.is(optimise.status, 0, optimise.stderr);
    assert.match(optimise.stdout, /objective net-profit, stops and targets on each tick or sample \(model ticks\), on /);
    assert.match(optimise.stdout, new RegExp(`\\b${complete.total_return.toFixed(2)}\\b`), `workers ${workers}`);
  }
  const export_ = join(dir.path, 'USDCHF_H1.csv');
  writeFileSync(export_, encodeLines([MT5_BARS_HEADER, mt5BarRow('1999.01.04', '10:00:00', 1.2, 1.201, 1.199, 1.2), mt5BarRow('1999.01.04', '11:00:00', 1.2, 1.201, 1.199, 1.2)]));
  const refused = cli('backtest', ['--symbol', 'USDCHF', '--file', export_, '--model', 'ticks', '--no-record']);
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /--model: "ticks": .*USDCHF_H1\.csv holds bars, not ticks or time,price samples/);
  // The optimiser refuses it the same way, naming the flag when the flag asked for ticks.
  const optimiseRefused = cli('optimize', ['--symbol', 'USDCHF', '--file', export_, '--param', 'fast=10', '--param', 'slow=30', '--model', 'ticks', '--workers', '0', '--out', join(dir.path, 'refused')]);
  assert.is(optimiseRefused.status, 2, optimiseRefused.stderr);
  assert.match(optimiseRefused.stderr, /command line: --model: "ticks": USDCHF's data \(.*USDCHF_H1\.csv\) holds bars, not ticks or time,price samples/);
  const config = join(dir.path, 'bot.json');
  writeFileSync(config, JSON.stringify({ bot: { broker: { model: 'ticks' }, symbols: [{ symbol: 'USDCHF', file: export_ }] } }));
  const fromConfig = cli('backtest', ['--config', config, '--no-record']);
  assert.is(fromConfig.status, 2);
  assert.match(fromConfig.stderr, /bot\.json: bot\.broker\.model: "ticks": USDCHF's data/);
  const optimiseFromConfig = cli('optimize', ['--config', config, '--param', 'fast=10', '--param', 'slow=30', '--workers', '0', '--out', join(dir.path, 'refused2')]);
  assert.is(optimiseFromConfig.status, 2, optimiseFromConfig.stderr);
  assert.match(optimiseFromConfig.stderr, /bot\.json: bot\.broker\.model: "ticks": USDCHF's data/);
  // The flag overrides the config's model, as every other flag does.
  const overridden = cli('backtest', ['--config', config, '--model', 'bars', '--json', '--no-record']);
  assert.is(overridden.status, 0, overridden.stderr);
  assert.is(JSON.parse(overridden.stdout).model, undefined);
  // The paper bot replays bars one by one: nothing inside them to walk, so it refuses the setting.
  const paperConfig = join(dir.path, 'paper.json');
  writeFileSync(paperConfig, JSON.stringify({ bot: { broker: { model: 'ticks' }, symbols: [{ symbol: 'USDCHF' }] } }));
  const paper = cli('start', ['--port', '0', '--data-dir', join(dir.path, 'paper-data'), '--config', paperConfig]);
  assert.is(paper.status, 2, paper.stderr);
  assert.match(paper.stderr, /paper\.json: bot\.broker\.model: "ticks" is for backtests and the optimiser/);
  const bad = cli('backtest', ['--symbol', 'USDCHF', '--model', 'tick', '--no-record']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--model: "tick" is not bars or ticks/);
});

test.after(() => dir.remove());
test.run();
