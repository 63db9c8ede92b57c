import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_SERVER_SETTINGS, loadConfig } from '../../engine/config/index.ts';

let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeloom-config-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(content: string): string {
  const path = join(dir, 'tradeloom.json');
  writeFileSync(path, content);
  return path;
}

function failure(argv: string[], env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    loadConfig(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

test('without flags or file the server binds 127.0.0.1:8000 with no token', () => {
  const config = loadConfig([], {});
  assert.is(config.server.host, '127.0.0.1');
  assert.is(config.server.port, 8000);
  assert.is(config.server.token, null);
  assert.equal(config.server.rateLimit, DEFAULT_SERVER_SETTINGS.rateLimit);
});

test('the file overrides defaults, flags override the file, TRADELOOM_TOKEN overrides the file token', () => {
  const path = file(JSON.stringify({ server: { port: 9000, host: '127.0.0.2', token: 'from-file', rateLimit: { capacity: 3 } }, bot: { speed: 5, balance: 5000 } }));
  const config = loadConfig(['--config', path, '--port=0', '--speed', '50', '--data-dir', dir], { TRADELOOM_TOKEN: 'from-env' });
  assert.is(config.server.port, 0);
  assert.is(config.server.host, '127.0.0.2');
  assert.is(config.server.token, 'from-env');
  assert.is(config.server.dataDir, dir);
  assert.is(config.server.rateLimit.capacity, 3);
  assert.is(config.server.rateLimit.refillPerSecond, DEFAULT_SERVER_SETTINGS.rateLimit.refillPerSecond);
  assert.is(config.bot.speed, 50);
  assert.is(config.bot.balance, 5000);
});

test('a wrong value names the file and the field', () => {
  const path = file(JSON.stringify({ server: { port: 'eighty' } }));
  const err = failure(['--config', path]);
  assert.is(err.exitCode, 2);
  assert.match(err.message, path);
  assert.match(err.message, /server\.port/);
  assert.match(err.message, /"eighty"/);
  const nested = failure(['--config', file(JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 7 }] } }))]);
  assert.match(nested.message, /bot\.symbols\[1\]\.symbol/);
});

test('a setting written twice is refused with both lines (JSON keeps the last one: 1 % then 50 % ran at 50 %)', () => {
  const err = failure(['--config', file('{\n  "bot": {\n    "riskPercent": 1,\n    "symbols": [{ "symbol": "USDCHF" }],\n    "riskPercent": 50\n  }\n}\n')]);
  assert.match(err.message, /bot\.riskPercent: set twice \(lines 3 and 5\)/);
  // At any depth, inside arrays too; a key spelt with an escape is the same key.
  const nested = failure(['--config', file('{"bot": {"symbols": [{"symbol": "USDCHF"}, {"symbol": "EURUSD", "timeframe": "H1",\n "timeframe": "H4"}]}}')]);
  assert.match(nested.message, /bot\.symbols\[1\]\.timeframe: set twice \(lines 1 and 2\)/);
  const escaped = failure(['--config', file('{"server": {"port": 8000, "p\\u006frt": 9000}}')]);
  assert.match(escaped.message, /server\.port: set twice/);
  // The same name in two objects is not a duplicate.
  const ok = loadConfig(['--config', file('{"bot": {"symbols": [{"symbol": "USDCHF"}, {"symbol": "EURUSD"}]}, "server": {"port": 8001}}')], {});
  assert.is(ok.server.port, 8001);
});

test('per-symbol settings for a symbol the bot does not trade are refused, naming it; so is an empty data directory', () => {
  const spec = failure(['--config', file(JSON.stringify({ bot: { symbols: [{ symbol: 'XAUUSD' }], symbolSpecs: { XAUUSDm: { contractSize: 100 } } } }))]);
  assert.match(spec.message, /bot\.symbolSpecs\.XAUUSDm: no configured symbol is named XAUUSDm \(configured: XAUUSD\)/);
  const spread = failure(['--config', file(JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }], broker: { spreadPoints: { USDCFH: 30 } } } }))]);
  assert.match(spread.message, /bot\.broker\.spreadPoints\.USDCFH: no configured symbol/);
  const empty = failure(['--config', file(JSON.stringify({ server: { dataDir: '' } }))]);
  assert.match(empty.message, /server\.dataDir: expected a directory path, got ""/);
  assert.match(failure(['--data-dir', '']).message, /--data-dir: expected a directory path/);
});

test('an unknown (misspelt) setting is refused, naming it', () => {
  const err = failure(['--config', file(JSON.stringify({ server: { prot: 8000 } }))]);
  assert.match(err.message, /server\.prot: unknown setting/);
});

test('unknown keys are refused at any depth, naming the full key path and the file (issue 11)', () => {
  const cases: [object, RegExp][] = [
    [{ bot: { broker: { kind: 'sim', slipagePoints: 2 } } }, /bot\.broker\.slipagePoints: unknown setting/],
    [{ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'EURUSD', timeframe: 'H1', stratgy: 'x' }] } }, /bot\.symbols\[1\]\.stratgy: unknown setting/],
    [{ bot: { symbolSpecs: { USDCHF: { digits: 5, contractsize: 1000 } } } }, /bot\.symbolSpecs\.USDCHF\.contractsize: unknown setting/],
    [{ server: { timeouts: { headerMs: 5 } } }, /server\.timeouts\.headerMs: unknown setting/],
    [{ server: { sendQueue: { maxByte: 5 } } }, /server\.sendQueue\.maxByte: unknown setting/],
    [{ extra: true }, /extra: unknown setting/],
  ];
  for (const [config, message] of cases) {
    const path = file(JSON.stringify(config));
    const err = failure(['--config', path]);
    assert.match(err.message, message);
    assert.ok(err.message.startsWith(`${path}: `), err.message);
  }
});

test('a number past the double range and a number where a per-symbol object belongs are refused in words, not "got null" or an io-ts type (review r3)', () => {
  const huge = failure(['--config', file('{"bot": {"balance": 1e400}}')]);
  assert.match(huge.message, /bot\.balance: expected positive number, got a number too large \(JSON reads it as Infinity\)/);
  const spread = failure(['--config', file('{"bot": {"broker": {"spreadPoints": 1e9}}}')]);
  assert.match(spread.message, /bot\.broker\.spreadPoints: expected an object of per-name entries \(such as \{"EURUSD": \.\.\.\}\), each value: number, 0 or more, got 1000000000/);
  assert.not.match(spread.message, /\[K in string\]/);
  assert.match(failure(['--config', file('{"bot": {"symbolSpecs": 3}}')]).message, /bot\.symbolSpecs: expected an object of per-name entries .*each value: an object of settings, got 3/);
  assert.is(loadConfig(['--config', file('{"bot": {"broker": {"magic": 42}}}')], {}).bot.broker?.magic, 42);
  assert.match(failure(['--config', file('{"bot": {"broker": {"magic": 0}}}')]).message, /bot\.broker\.magic: expected positive integer, got 0/);
});

test('dates, ranges and the min <= max rule are checked, naming the file and the field (issue 11)', () => {
  const garbage = failure(['--config', file(JSON.stringify({ bot: { startAt: 'garbage' } }))]);
  assert.match(garbage.message, /bot\.startAt: expected date YYYY-MM-DD, got "garbage"/);
  assert.match(failure(['--config', file(JSON.stringify({ bot: { startAt: '2001-02-30' } }))]).message, /bot\.startAt/);
  assert.is(loadConfig(['--config', file(JSON.stringify({ bot: { startAt: '1998-03-02' } }))], {}).bot.startAt, '1998-03-02');
  const path = file(JSON.stringify({ bot: { minTradesPerWeek: 12, maxTradesPerWeek: 5 } }));
  const minMax = failure(['--config', path]);
  assert.match(minMax.message, path);
  assert.match(minMax.message, /bot\.minTradesPerWeek: minTradesPerWeek \(12\) must not exceed maxTradesPerWeek \(5\)/);
  assert.match(failure(['--config', file(JSON.stringify({ bot: { minTradesPerWeek: 11 } }))]).message, /must not exceed maxTradesPerWeek \(10\)/, 'against the default max');
  assert.match(failure(['--config', file(JSON.stringify({ bot: { riskPercent: 150 } }))]).message, /bot\.riskPercent: expected percent/);
  // MT5's leverage is 1:N, N whole: 0.0001 ran with 10,000 times the position in margin.
  for (const leverage of [0.0001, 0, 33.5]) {
    assert.match(failure(['--config', file(JSON.stringify({ bot: { broker: { leverage } } }))]).message, /bot\.broker\.leverage: expected whole number, 1 or more/, String(leverage));
  }
  assert.match(failure(['--config', file(JSON.stringify({ bot: { speed: 1e-7 } }))]).message, /bot\.speed: expected bars per second/);
  // The plugin time limit: whole milliseconds, 10 ms to 10 minutes (0 would stop every call).
  for (const pluginTimeoutMs of [0, 5, 2.5, 600_001]) {
    assert.match(failure(['--config', file(JSON.stringify({ bot: { pluginTimeoutMs } }))]).message, /bot\.pluginTimeoutMs: expected whole milliseconds \(10\.\.600000\)/, String(pluginTimeoutMs));
  }
  assert.is(loadConfig(['--config', file(JSON.stringify({ bot: { pluginTimeoutMs: 250 } }))], {}).bot.pluginTimeoutMs, 250);
  assert.match(failure(['--config', file(JSON.stringify({ bot: { symbols: [{ symbol: 'USDCHF' }, { symbol: 'USDCHF' }] } }))]).message, /bot\.symbols: USDCHF is listed twice/);
});

test('server.sendQueue.totalBytes is read (default 256 MiB) and must be more than replayBufferBytes, so a resume cannot close its own client', () => {
  assert.is(loadConfig([], {}).server.sendQueue.totalBytes, 256 * 1024 * 1024);
  const set = loadConfig(['--config', file(JSON.stringify({ server: { sendQueue: { totalBytes: 100_000_000 } } }))], {}).server.sendQueue;
  assert.is(set.totalBytes, 100_000_000);
  assert.is(set.maxBytes, 32 * 1024 * 1024, 'the per-client limits keep their defaults');
  assert.match(failure(['--config', file(JSON.stringify({ server: { sendQueue: { totalBytes: 1_000_000 } } }))]).message, /server\.sendQueue\.totalBytes: sendQueue\.totalBytes \(1000000\) must be more than replayBufferBytes \(67108864\)/);
  assert.match(failure(['--config', file(JSON.stringify({ server: { replayBufferBytes: 300_000_000 } }))]).message, /server\.replayBufferBytes: sendQueue\.totalBytes \(268435456\) must be more than replayBufferBytes \(300000000\)/);
  assert.match(failure(['--config', file(JSON.stringify({ server: { sendQueue: { totalBytes: 0 } } }))]).message, /server\.sendQueue\.totalBytes: expected positive integer, got 0/);
});

test('--speed 1e-7 (a timer interval past 2^31 ms) is refused with the range', () => {
  assert.match(failure(['--speed', '1e-7']).message, /--speed: expected a positive number of bars per second, 0\.001\.\.1000000/);
  assert.is(loadConfig(['--speed', '0.001'], {}).bot.speed, 0.001);
});

test('invalid JSON, a missing file, an unknown flag and a bad flag value are ConfigErrors', () => {
  assert.match(failure(['--config', file('{"server": ')]).message, /not valid JSON/);
  assert.match(failure(['--config', join(dir, 'missing.json')]).message, /cannot read: ENOENT/);
  assert.match(failure(['--verbose']).message, /--verbose: unknown flag/);
  assert.match(failure(['--port', '70000']).message, /--port: expected a port/);
  assert.match(failure(['--speed', '-1']).message, /--speed: expected a positive number/);
});

test.run();
