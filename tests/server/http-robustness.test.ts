import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRecordings } from '../../engine/server/recordings.ts';
import { startTestServer, TestClient, type TestServer } from '../kit/server-kit.ts';

// Issue 11: requests that used to end the process (an uncaught decodeURIComponent throw, an
// unhandled stream error) now get an HTTP answer and the server goes on.

let t: TestServer;
test.before.each(async () => {
  t = await startTestServer();
});
test.after.each(async () => {
  await t.close();
});

/** Sends bytes exactly as given on a raw socket and resolves with the status line's code. */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.write(request);
  });
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

async function healthy(): Promise<void> {
  const res = await fetch(`${t.httpUrl}/healthz`);
  assert.is(res.status, 200);
  assert.is((await res.json()).status, 'ok');
}

test('bad percent-encodings in the path get 400 and the server keeps answering (issue 11)', async () => {
  for (const path of ['/%zz', '/%', '/recordings/%E0%A4%A', '/recordings/%', '/assets/%C0%AF.js', '/%00', '/recordings/a%00b.jsonl']) {
    assert.is(await rawStatus(t.server.port, get(path)), 400, path);
    await healthy();
  }
});

test('a request target that is not a path, a bad method and a malformed request line get 4xx, never a crash', async () => {
  assert.is(await rawStatus(t.server.port, get('http://[')), 400);
  assert.is(await rawStatus(t.server.port, 'DELETE /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'), 405);
  assert.is(await rawStatus(t.server.port, 'GARBAGE\r\n\r\n'), 400);
  assert.is(await rawStatus(t.server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431);
  assert.is(await rawStatus(t.server.port, `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`), 400, 'an upgrade without a key');
  assert.is(await rawStatus(t.server.port, `GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`), 400, 'an upgrade to a bad path');
  await healthy();
});

test('a dangling symlink, a directory and a symlink to a real file in recordings/ are neither listed nor served nor followed (issue 11)', async () => {
  const dir = join(t.dataDir, 'recordings');
  mkdirSync(dir, { recursive: true });
  const outside = mkdtempSync(join(tmpdir(), 'tradeloom-outside-'));
  try {
    const secret = join(outside, 'secret.txt');
    writeFileSync(secret, 'not for clients\n');
    const good = '20240115-103045_paper_good.jsonl';
    writeFileSync(join(dir, good), '');
    symlinkSync(join(outside, 'missing'), join(dir, '20240115-103045_paper_dangling.jsonl'));
    symlinkSync(secret, join(dir, '20240115-103045_paper_link.jsonl'));
    mkdirSync(join(dir, '20240115-103045_paper_folder.jsonl'));
    assert.equal(listRecordings(dir).map((r) => r.name), [good]);
    const listed = await (await fetch(`${t.httpUrl}/recordings`)).json();
    assert.equal(listed.recordings.map((r: { name: string }) => r.name), [good]);
    for (const name of ['dangling', 'link', 'folder']) {
      const res = await fetch(`${t.httpUrl}/recordings/20240115-103045_paper_${name}.jsonl`);
      assert.is(res.status, 404, name);
      assert.not.match(await res.text(), /not for clients/);
    }
    const client = await TestClient.connect(t.wsUrl);
    for (const name of ['dangling', 'link', 'folder']) {
      const reply = await client.request({ type: 'get_recording', name: `20240115-103045_paper_${name}.jsonl` }, 'command_result');
      assert.is(reply.ok, false, name);
      assert.match(reply.reason, /no recording named/);
    }
    const list = await client.request({ type: 'list_recordings' }, 'command_result');
    assert.equal(list.data.recordings.map((r: { name: string }) => r.name), [good]);
    await client.close();
    await healthy();
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('UI paths that are directories or escape the UI folder get 404, not an error', async () => {
  const ui = join(t.dataDir, 'no-ui');
  mkdirSync(join(ui, 'assets', 'dir.js'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>ui</title>');
  assert.is((await fetch(`${t.httpUrl}/assets/dir.js`)).status, 404);
  assert.is(await rawStatus(t.server.port, get('/../../etc/passwd')), 200, 'normalised to the shell, never outside');
  assert.is(await rawStatus(t.server.port, get('/%2e%2e/%2e%2e/etc/passwd.txt')), 404);
  const shell = await fetch(`${t.httpUrl}/some/route`);
  assert.match(await shell.text(), /<title>ui<\/title>/);
  await healthy();
});

test('message types named after Object.prototype members are unknown types, not crashes', async () => {
  const client = await TestClient.connect(t.wsUrl);
  for (const type of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
    const reply = await client.request({ type }, 'error');
    assert.is(reply.code, 'unknown_type', type);
  }
  assert.equal(await client.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await client.close();
});

test.run();
