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

test('an unknown (misspelt) setting is refused, naming it', () => {
  const err = failure(['--config', file(JSON.stringify({ server: { prot: 8000 } }))]);
  assert.match(err.message, /server\.prot: unknown setting/);
});

test('invalid JSON, a missing file, an unknown flag and a bad flag value are ConfigErrors', () => {
  assert.match(failure(['--config', file('{"server": ')]).message, /not valid JSON/);
  assert.match(failure(['--config', join(dir, 'missing.json')]).message, /cannot read: ENOENT/);
  assert.match(failure(['--verbose']).message, /--verbose: unknown flag/);
  assert.match(failure(['--port', '70000']).message, /--port: expected a port/);
  assert.match(failure(['--speed', '-1']).message, /--speed: expected a positive number/);
});

test.run();
