import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRecordings, readRecording } from '../../engine/server/recordings.ts';
import { TestClient } from '../kit/server-kit.ts';
import { mountTmpfs, remount, unmount } from '../kit/server-process.ts';

// `npm start` as a process: its one stdout line, its exit codes, its clean shutdown.

let dir: string;
const children = new Set<ChildProcess>();
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeloom-start-'));
});
test.after.each(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/start.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TRADELOOM_TOKEN: '', ...env },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => (children.delete(child), resolve(code))));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /^listening on (http:\/\/\S+)\n/m.exec(stdout);
      if (m) resolve(m[1]);
    });
    void exit.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  listening.catch(() => undefined);
  return { child, exit, listening, out: () => stdout, err: () => stderr };
}

test('a bad config file exits 2 with one line naming the file and the field, and no stack trace', async () => {
  const config = join(dir, 'bad.json');
  writeFileSync(config, JSON.stringify({ server: { port: 'eighty' } }));
  const p = run(['--config', config, '--data-dir', dir]);
  assert.is(await p.exit, 2);
  assert.match(p.err(), config);
  assert.match(p.err(), /server\.port/);
  assert.not.match(p.err(), /\n\s+at /, 'no stack trace');
  assert.is(p.out(), '');
});

// The other config rules are covered in-process by tests/config/load-config.test.ts.
test('config errors found by the real CLI exit 2 naming the file and the key path, with no stack (issue 11)', async () => {
  const cases: [object, RegExp][] = [
    [{ bot: { broker: { kind: 'sim', comission: 1 } } }, /bot\.broker\.comission: unknown setting/],
    [{ bot: { minTradesPerWeek: 8, maxTradesPerWeek: 4 } }, /bot\.minTradesPerWeek: minTradesPerWeek \(8\) must not exceed maxTradesPerWeek \(4\)/],
    [{ bot: { plugins: ['./no-such-plugin'] } }, /bot\.plugins: plugin .*no-such-plugin.*folder not found/],
  ];
  for (const [content, message] of cases) {
    const config = join(dir, 'bot.json');
    writeFileSync(config, JSON.stringify(content));
    const p = run(['--config', config, '--data-dir', join(dir, 'data'), '--port', '0']);
    assert.is(await p.exit, 2, p.err());
    assert.match(p.err(), `${config}: `);
    assert.match(p.err(), message);
    assert.not.match(p.err(), /\n\s+at |internal error/, 'no stack trace');
    assert.is(p.out(), '');
  }
});

test('--speed 1e-7 and a data dir below a regular file are refused with a clear message, exit 2 (issue 11)', async () => {
  const slow = run(['--speed', '1e-7', '--data-dir', dir, '--port', '0']);
  assert.is(await slow.exit, 2);
  assert.match(slow.err(), /--speed: expected a positive number of bars per second, 0\.001\.\.1000000/);
  const plain = join(dir, 'plain-file');
  writeFileSync(plain, 'not a folder');
  const below = run(['--data-dir', join(plain, 'data'), '--port', '0']);
  assert.is(await below.exit, 2);
  assert.match(below.err(), /cannot use .*plain-file\/data as the data folder: a part of that path is a regular file/);
  assert.not.match(below.err(), /internal error|\n\s+at /);
});

test('F5: a data dir below a read-only file system is refused naming the read-only folder (EROFS), not "ENOENT", exit 2 (review r3)', async () => {
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  if (!mountTmpfs(ro, '1m')) {
    console.log('SKIPPED: mounting a read-only file system needs root; run the suite as root (CI does)');
    return;
  }
  try {
    remount(ro, 'ro');
    const p = run(['--data-dir', join(ro, 'a', 'b'), '--port', '0']);
    assert.is(await p.exit, 2);
    assert.match(p.err(), `cannot use ${join(ro, 'a', 'b')} as the data folder: ${ro} is on a read-only file system (EROFS)`);
    assert.not.match(p.err(), /ENOENT|internal error|\n\s+at /);
  } finally {
    unmount(ro);
  }
});

test('a non-loopback bind without a token refuses to start (exit 2) and says why', async () => {
  const p = run(['--host', '0.0.0.0', '--port', '0', '--data-dir', dir]);
  assert.is(await p.exit, 2);
  assert.match(p.err(), /non-loopback.*token/);
});

test('prints exactly "listening on http://127.0.0.1:PORT" with the real port; SIGINT stops the bot, flushes journal and recording, exits 0', async () => {
  const config = join(dir, 'fast.json');
  writeFileSync(config, JSON.stringify({ bot: { speed: 100 } }));
  const p = run(['--port', '0', '--data-dir', dir, '--config', config]);
  const url = await p.listening;
  assert.match(p.out(), /^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  assert.ok(Number(new URL(url).port) > 0);
  const second = run(['--port', '0', '--data-dir', dir]);
  assert.is(await second.exit, 1, 'a second server on the same data dir is refused');
  assert.match(second.err(), /another tradeloom server uses this data dir/);
  const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
  await client.next((m) => m.event_type === 'BAR');
  const health = await (await fetch(`${url}/healthz`)).json();
  assert.is(health.running, true);
  p.child.kill('SIGINT');
  assert.is((await client.closed).code, 1001, 'clients are told the server is going away');
  assert.is(await p.exit, 0);
  assert.is(p.out().split('\n').filter(Boolean).length, 1, 'one stdout line');
  assert.not.ok(existsSync(join(dir, 'journal.sqlite-wal')), 'the WAL was checkpointed into the journal');
  assert.not.ok(existsSync(join(dir, 'journal.lock')), 'the lock was released');
  const [recording] = listRecordings(join(dir, 'recordings'));
  const content = readRecording(join(dir, 'recordings'), recording.name)!;
  assert.is(content.errors.length, 0);
  const last = content.events.at(-1)!;
  assert.is(last.event_type, 'BOT_STATUS', 'the shutdown status made it into the recording');
});

test.run();
