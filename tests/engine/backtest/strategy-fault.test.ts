import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeLogEvent, type LogEvent } from '../../../protocol/index.ts';

// A strategy that throws part way parks its symbol (ERROR, `faulted`) and the run goes on: the
// result must say so wherever a trader reads it, or a 3-month run that stopped trading in week 2
// reads like a whole run that traded little.
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/backtest.ts', ...args], { encoding: 'utf8' });
const THROWING = resolve('fixtures/plugins/throwing-plugin');

function readRecording(dir: string): LogEvent[] {
  const [file] = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  return readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogEvent);
}

test('a strategy that throws at bar 100: exit 1, the summary, stderr, BACKTEST_COMPLETE and the HTML report all say when and why it stopped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-fault-'));
  try {
    const html = join(dir, 'report.html');
    const r = cli(['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-06-30', '--strategy', 'throwing-plugin',
      '--plugin', THROWING, '--set', 'throwAtIndex=100', '--record', join(dir, 'rec'), '--report', html]);
    assert.is(r.status, 1, r.stderr);
    const events = readRecording(join(dir, 'rec'));
    for (const e of events) assert.ok(decodeLogEvent(e).ok, `${e.event_type} decodes`);
    const error = events.find((e) => e.event_type === 'ERROR')!;
    assert.match(String(error.data.error), /^strategy throwing-plugin failed in onBar on USDCHF: throwing-plugin: deliberate failure in onBar$/);
    const complete = events.at(-1)!;
    assert.is(complete.event_type, 'BACKTEST_COMPLETE');
    const faults = (complete.data as { faults?: { symbol: string; time: string; error: string }[] }).faults;
    // The time of the bar it threw on: the ERROR's own stamp, to the second.
    assert.equal(faults, [{ symbol: 'USDCHF', time: error.timestamp.slice(0, 19), error: String(error.data.error) }]);
    // Bar 100 of H4 bars from 1998-01-01 is in January: long before the range ends.
    assert.ok(error.timestamp < '1998-02-01', error.timestamp);
    assert.match(r.stdout, /FAILED: strategy throwing-plugin failed in onBar on USDCHF: .* \(at 1998-01-\d\dT\d\d:00:00\); USDCHF traded no more after it/);
    assert.match(r.stderr, /backtest: strategy throwing-plugin failed in onBar on USDCHF: .*USDCHF traded no more after it/);
    assert.match(readFileSync(html, 'utf8'), /<p class="problem" role="alert">USDCHF stopped at 1998-01-\d\dT\d\d:00:00: strategy throwing-plugin failed in onBar/);
    // --json: the same figures on stdout, the same exit status.
    const json = cli(['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-06-30', '--strategy', 'throwing-plugin',
      '--plugin', THROWING, '--set', 'throwAtIndex=100', '--no-record', '--json']);
    assert.is(json.status, 1);
    assert.equal(JSON.parse(json.stdout).faults, faults);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a portfolio where one symbol\'s strategy throws: the other symbol trades on to the end, and only the failed one is listed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-fault-'));
  try {
    const config = join(dir, 'bot.json');
    writeFileSync(config, JSON.stringify({
      bot: {
        plugins: [THROWING], strategy: 'sma-crossover', timeframe: 'H4',
        symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', strategy: 'throwing-plugin', params: { throwAtIndex: 50 } }],
      },
    }));
    const r = cli(['--config', config, '--from', '1998-01-01', '--to', '1998-06-30', '--record', join(dir, 'rec')]);
    assert.is(r.status, 1, r.stderr);
    const events = readRecording(join(dir, 'rec'));
    const complete = events.at(-1)!;
    const faults = (complete.data as { faults?: { symbol: string }[] }).faults!;
    assert.equal(faults.map((f) => f.symbol), ['EURUSD']);
    const usdchfEntries = events.filter((e) => e.event_type === 'TRADE_ENTRY').map((e) => e.data as { symbol: string; time: string }).filter((d) => d.symbol === 'USDCHF').map((d) => d.time);
    assert.ok(usdchfEntries.some((t) => t > '1998-06-01'), 'USDCHF still trades in June');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a portfolio run that fails after its BACKTEST_START ends its session as a single-symbol run does: ERROR, then BACKTEST_COMPLETE with error, both in the recording', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-fault-'));
  try {
    const config = join(dir, 'bot.json');
    writeFileSync(config, JSON.stringify({
      bot: {
        plugins: [THROWING], strategy: 'sma-crossover', timeframe: 'H4',
        symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', strategy: 'throwing-plugin', params: { throwAtStart: 'with-bars' } }],
      },
    }));
    const r = cli(['--config', config, '--from', '1998-01-01', '--to', '1998-03-31', '--record', join(dir, 'rec')]);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /throwing-plugin: deliberate failure at start/);
    const events = readRecording(join(dir, 'rec'));
    assert.is(events[0].event_type, 'BACKTEST_START');
    const complete = events.at(-1)!;
    // Then the actors stop (STATE_TRANSITION to idle) and the run closes.
    const error = events.filter((e) => e.event_type === 'ERROR').at(-1)!;
    assert.match(String(error.data.error), /^backtest failed: throwing-plugin: deliberate failure at start/);
    assert.is(complete.event_type, 'BACKTEST_COMPLETE');
    assert.match(String((complete.data as { error?: string }).error), /deliberate failure at start/);
    assert.ok(decodeLogEvent(complete).ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a plugin whose own timer or promise throws ends the CLI run with one line naming it, its file and line, exit 1 (was Node\'s crash dump), also on optimiser threads; an async onBar or process.exit is refused as a fault', () => {
  const range = ['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-03-31', '--no-record'];
  const timer = cli([...range, '--plugin', resolve('fixtures/plugins/stray-timer'), '--strategy', 'stray-timer']);
  assert.is(timer.status, 1);
  assert.match(timer.stderr, /^backtest: plugin stray-timer failed outside its hooks \(an uncaught exception at .*fixtures\/plugins\/stray-timer\/index\.ts:\d+:\d+\): stray-timer: failed in a timer of its own; the run is abandoned\n$/);
  const promise = cli(['--plugin', resolve('fixtures/plugins/stray-promise'), '--strategy', 'stray-promise', ...range]);
  assert.is(promise.status, 1);
  assert.match(promise.stderr, /^backtest: plugin stray-promise failed outside its hooks \(an unhandled rejection at .*stray-promise\/index\.ts:\d+:\d+\): stray-promise: failed in a promise of its own; the run is abandoned\n$/);
  const optimise = (workers: string, plugin: string) => spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/optimize.ts', '--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-03-31', '--workers', workers,
    '--plugin', resolve(`fixtures/plugins/${plugin}`), '--strategy', plugin, '--param', 'failAtIndex=10,20', '--out', join(mkdtempSync(join(tmpdir(), 'tradeloom-stray-')), 'out')], { encoding: 'utf8' });
  const inProcess = optimise('0', 'stray-timer');
  assert.is(inProcess.status, 1);
  assert.match(inProcess.stderr, /^optimize: plugin stray-timer failed outside its hooks \(an uncaught exception at .*stray-timer\/index\.ts:\d+:\d+\): stray-timer: failed in a timer of its own; the run is abandoned\n$/);
  // On worker threads the same failure fails the search too (before: the thread died after its
  // trials and was replaced silently, and the table was printed as if nothing had happened).
  const threads = optimise('2', 'stray-timer');
  assert.is(threads.status, 1, threads.stdout);
  assert.match(threads.stderr, /^optimize: plugin stray-timer failed outside its hooks \(an uncaught exception at .*stray-timer\/index\.ts:\d+:\d+\): stray-timer: failed in a timer of its own\n$/);
  // process.exit from a plugin's onBar is a fault of that trial, not the end of a thread or the process.
  const exit = optimise('2', 'stray-exit');
  assert.is(exit.status, 1);
  assert.match(exit.stderr, /strategy stray-exit failed in onBar on USDCHF: process\.exit\(3\) called by plugin stray-exit at .*stray-exit\/index\.ts:\d+:\d+ was refused.*so the search stopped/);
  // The async onBar's rejection is caught with its refusal: the run ends as a fault, not a crash.
  const asyncHook = cli([...range, '--plugin', resolve('fixtures/plugins/stray-async'), '--strategy', 'stray-async', '--json']);
  assert.is(asyncHook.status, 1);
  const complete = JSON.parse(asyncHook.stdout);
  assert.match(complete.faults[0].error, /^strategy stray-async failed in onBar on USDCHF: returned a Promise \(an async onBar\?\): hooks must return synchronously/);
  assert.not.match(asyncHook.stderr, /\n\s+at /, 'no stack trace');
});

test('a run whose strategy never throws has no faults and exits 0', () => {
  const r = cli(['--symbol', 'USDCHF', '--timeframe', 'H4', '--from', '1998-01-01', '--to', '1998-03-31', '--no-record', '--json']);
  assert.is(r.status, 0, r.stderr);
  assert.not.ok('faults' in JSON.parse(r.stdout));
});

test.run();
