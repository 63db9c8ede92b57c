import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm start` with the mt5-bridge broker: a weak secret or a plaintext link off the machine is a config error (exit 2).
function start(broker: object, secret: string): Promise<{ code: number | null; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-bridge-config-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ bot: { broker: { kind: 'mt5-bridge', bridgePort: 0, ...broker } } }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/start.ts', '--config', config, '--data-dir', dir, '--port', '0'], {
    cwd: new URL('../../..', import.meta.url), env: { ...process.env, TRADELOOM_TOKEN: '', TRADELOOM_MT5_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  child.stdout.on('data', (c) => { err += c; });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.once('exit', (code) => { clearTimeout(killer); rmSync(dir, { recursive: true, force: true }); resolve({ code, err }); }));
}

test('item 12: a bridge secret under 32 characters stops the start with exit 2 and says how long it must be', async () => {
  const r = await start({}, 'sixteen-chars-ok');
  assert.is(r.code, 2, r.err);
  assert.match(r.err, /TRADELOOM_MT5_SECRET has 16 characters; mt5-bridge needs at least 32/);
});

test('item 12: a non-loopback bridgeHost without TLS files stops the start with exit 2 naming the field', async () => {
  const r = await start({ bridgeHost: '0.0.0.0' }, 'x'.repeat(40));
  assert.is(r.code, 2, r.err);
  assert.match(r.err, /bot\.broker\.bridgeHost: mt5-bridge: option "host" is 0\.0\.0\.0, not a loopback address/);
});

test.run();
