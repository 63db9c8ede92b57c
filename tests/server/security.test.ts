import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { networkInterfaces, tmpdir } from 'node:os';
import { request } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionRecorder } from '../../engine/server/session-recorder.ts';
import { listRecordings } from '../../engine/server/recordings.ts';
import WebSocket from 'ws';
import { startTestServer, TestClient, upgradeStatus } from '../kit/server-kit.ts';

test('an upgrade from a foreign Origin is refused with 403; our own origin and no Origin are accepted', async () => {
  const t = await startTestServer();
  const port = t.server.port;
  assert.is(await upgradeStatus(t.wsUrl, { origin: 'https://evil.example' }), 403);
  assert.is(await upgradeStatus(t.wsUrl, { origin: `http://localhost:${port + 1}` }), 403, 'same host, other port is another origin');
  assert.is(await upgradeStatus(t.wsUrl, { origin: `http://127.0.0.1:${port}` }), 101);
  assert.is(await upgradeStatus(t.wsUrl, { origin: `http://localhost:${port}` }), 101);
  assert.is(await upgradeStatus(t.wsUrl), 101, 'a non-browser client sends no Origin');
  const client = await TestClient.connect(t.wsUrl);
  assert.equal(await client.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await client.close();
  await t.close();
});

test('on loopback a request whose Host is another name (DNS rebinding) is refused, HTTP and WebSocket alike', async () => {
  const t = await startTestServer();
  const status = (path: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: t.server.port, path, headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
  assert.is(await status('/recordings', `evil.example:${t.server.port}`), 403);
  assert.is(await status('/', 'evil.example'), 403);
  assert.is(await status('/recordings', `localhost:${t.server.port}`), 200);
  assert.is(await upgradeStatus(t.wsUrl, { headers: { host: `evil.example:${t.server.port}` } }), 403);
  await t.close();
});

test('an allow-listed Origin is accepted', async () => {
  const t = await startTestServer({ allowedOrigins: ['http://workbench.test:5173'] });
  assert.is(await upgradeStatus(t.wsUrl, { origin: 'http://workbench.test:5173' }), 101);
  assert.is(await upgradeStatus(t.wsUrl, { origin: 'http://workbench.test:5174' }), 403);
  await t.close();
});

test('with a token configured, upgrades need it as a bearer header or ?token=, and recordings and metrics need it too', async () => {
  const t = await startTestServer({ token: 's3cret-token' });
  try {
    assert.is(await upgradeStatus(t.wsUrl), 401);
    assert.is(await upgradeStatus(t.wsUrl, { headers: { authorization: 'Bearer wrong' } }), 401);
    assert.is(await upgradeStatus(t.wsUrl, { headers: { authorization: 'Bearer s3cret-token' } }), 101);
    assert.is(await upgradeStatus(`${t.wsUrl}?token=s3cret-token`), 101);
    // The scheme is case-insensitive (RFC 7235); the token is not.
    assert.is(await upgradeStatus(t.wsUrl, { headers: { authorization: 'bearer s3cret-token' } }), 101);
    assert.is(await upgradeStatus(t.wsUrl, { headers: { authorization: 'BEARER s3cret-token' } }), 101);
    assert.is(await upgradeStatus(t.wsUrl, { headers: { authorization: 'bearer S3CRET-TOKEN' } }), 401);
    assert.is((await fetch(`${t.httpUrl}/metrics`, { headers: { authorization: 'bearer s3cret-token' } })).status, 200);
    assert.is((await fetch(`${t.httpUrl}/recordings`)).status, 401);
    assert.is((await fetch(`${t.httpUrl}/metrics`)).status, 401);
    assert.is((await fetch(`${t.httpUrl}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } })).status, 200);
    assert.is((await fetch(`${t.httpUrl}/healthz`)).status, 200, 'health checks stay open');
  } finally {
    await t.close();
  }
});

test('the token never appears in an event, a reply, the status, the log or the recording', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeloom-secret-'));
  const recorder = new SessionRecorder(join(dataDir, 'recordings'), 'paper');
  const log: string[] = [];
  const t = await startTestServer({ token: 'hunter2-token' }, { dataDir, sinks: [recorder], log: (line) => log.push(line) });
  const client = await TestClient.connect(`${t.wsUrl}?token=hunter2-token`);
  t.bot.init();
  client.send({ type: 'pause_symbol', symbol: 'USDCHF', token: 'hunter2-token' });
  await client.next((m) => m.event_type === 'COMMAND');
  client.send('{"type": "ping", "token": "hunter2-token"');
  await client.next((m) => m.type === 'error');
  assert.ok(log.length > 0, 'the refused message was logged');
  recorder.close();
  const recorded = listRecordings(join(dataDir, 'recordings')).map((r) => readFileSync(join(dataDir, 'recordings', r.name), 'utf8')).join('');
  assert.match(recorded, /COMMAND/);
  assert.not.match(recorded, /hunter2/);
  assert.not.match(log.join('\n'), /hunter2/);
  await client.request({ type: 'request_status' }, 'status');
  const metrics = await (await fetch(`${t.httpUrl}/metrics`, { headers: { authorization: 'Bearer hunter2-token' } })).text();
  assert.not.match(JSON.stringify(client.received), /hunter2/);
  assert.not.match(metrics, /hunter2/);
  await client.close();
  await t.close();
});

test('binding a non-loopback address without a token refuses to start', async () => {
  let error: Error | null = null;
  try {
    await startTestServer({ host: '0.0.0.0' });
  } catch (err) {
    error = err as Error;
  }
  assert.ok(error, 'refused');
  assert.match(error!.message, /non-loopback.*token/);
});

test('bound to a non-loopback address with a token, a client needs the token', async () => {
  const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  const t = await startTestServer({ host: '0.0.0.0', token: 'lan-token' });
  const host = lan?.address ?? '127.0.0.1';
  const url = `ws://${host}:${t.server.port}/ws`;
  assert.is(await upgradeStatus(url), 401);
  assert.is(await upgradeStatus(url, { headers: { authorization: 'Bearer lan-token' } }), 101);
  await t.close();
});

test('a browser sends the token as a WebSocket subprotocol: accepted, answered with "tradeloom" only; a wrong one gets 401 (issue 11)', async () => {
  const t = await startTestServer({ token: 's3cret/token+=' });
  const good = new TestClient(new WebSocket(t.wsUrl, ['tradeloom', `tradeloom.bearer.${Buffer.from('s3cret/token+=').toString('base64url')}`]));
  await good.opened;
  assert.is(good.ws.protocol, 'tradeloom');
  assert.equal(await good.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await good.close();
  assert.is(await upgradeStatus(t.wsUrl, { headers: { 'sec-websocket-protocol': `tradeloom, tradeloom.bearer.${Buffer.from('wrong').toString('base64url')}` } }), 401);
  const res = await fetch(`${t.httpUrl}/recordings`);
  assert.is(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  await t.close();
});

test.run();
