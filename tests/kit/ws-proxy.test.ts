import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { waitFor } from './browser.ts';
import { startTestServer } from './server-kit.ts';
import { startWsProxy } from './ws-proxy.ts';

// The proxy the browser tests put between the page and the server: if it silently dropped or
// mangled something, those tests would fail (or pass) for reasons of its own.

const TOKEN = 'proxy-test-token';
const offered = ['tradeloom', `tradeloom.bearer.${Buffer.from(TOKEN).toString('base64url')}`];

test('the proxy passes the token on, holds back the matching answer while others pass, releases it, and passes the server\'s close code', async () => {
  const server = await startTestServer({ token: TOKEN });
  const proxy = await startWsProxy(server.httpUrl);
  let serverUp = true;
  try {
    const ws = new WebSocket(`${proxy.url.replace(/^http/, 'ws')}/ws`, offered, { origin: proxy.url });
    const received: Record<string, any>[] = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    assert.is(ws.protocol, 'tradeloom');
    const pongs = proxy.hold((m) => m.type === 'pong');
    ws.send(JSON.stringify({ type: 'ping', request_id: 'p' }));
    ws.send(JSON.stringify({ type: 'request_status', request_id: 's' }));
    await waitFor('the status reply, not held', async () => received.some((m) => m.request_id === 's'));
    await waitFor('the pong, held', async () => pongs.held.length === 1);
    assert.not.ok(received.some((m) => m.type === 'pong'));
    pongs.release();
    await waitFor('the pong, released', async () => received.some((m) => m.type === 'pong' && m.request_id === 'p'));
    assert.equal(proxy.fromClient.map((m) => m.type), ['ping', 'request_status']);
    assert.ok(proxy.fromServer.some((m) => m.type === 'pong'));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    serverUp = false;
    await server.close();
    // The server going away reaches the client with its code, not as a dropped link (1006).
    assert.is(await closed, 1001);
  } finally {
    await proxy.close();
    if (serverUp) await server.close();
  }
});

test('a socket the server refuses is refused through the proxy with the same status, and pages pass through', async () => {
  const server = await startTestServer({ token: TOKEN });
  const proxy = await startWsProxy(server.httpUrl);
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${proxy.url.replace(/^http/, 'ws')}/ws`, { origin: proxy.url });
      ws.once('unexpected-response', (request, response) => {
        request.destroy();
        resolve(response.statusCode ?? 0);
      });
      ws.once('error', reject);
      ws.once('open', () => reject(new Error('opened without a token')));
    });
    assert.is(status, 401);
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const direct = await fetch(`${server.httpUrl}/recordings`, { headers });
      const proxied = await fetch(`${proxy.url}/recordings`, { headers });
      assert.is(proxied.status, direct.status);
      assert.equal(await proxied.text(), await direct.text());
    }
  } finally {
    await proxy.close();
    await server.close();
  }
});

test.run();
