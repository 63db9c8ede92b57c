import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { CLIENT_MESSAGE_TYPES } from '../../protocol/index.ts';
import { startTestServer, TestClient, type TestServer } from '../kit/server-kit.ts';

// Issue 11: thousands of random request lines, headers, methods and WebSocket frames against
// the real server on a loopback port; after each batch /healthz must answer, and at the end a
// client connected all along must still receive events. Fixed seeds keep runs reproducible
// (FUZZ_SEED=n picks another); counts are bounded so the file runs in seconds.

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const HTTP_BATCHES = 40;
const HTTP_BATCH = 50;
const WS_BATCHES = 30;
const WS_BATCH = 100;
const RAW_FRAME_SOCKETS = 200;

let t: TestServer;
let bystander: TestClient;
const tally = { http: 0, httpAnswered: 0, wsMessages: 0, wsReplies: 0, wsReconnects: 0, rawFrames: 0 };

test.before(async () => {
  t = await startTestServer({
    // Let the fuzz reach the handlers: the rate limit would refuse most of it unread.
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000, floodRejects: 1_000_000, floodWindowMs: 1000 },
    timeouts: { headersMs: 2000, requestMs: 4000, idleMs: 4000 },
  });
  t.bot.start();
  bystander = await TestClient.connect(t.wsUrl);
});
test.after(async () => {
  await bystander.close();
  await t.close();
  process.stderr.write(`fuzz (seed ${SEED}): ${JSON.stringify(tally)}\n`);
});

async function healthy(): Promise<boolean> {
  const res = await fetch(`${t.httpUrl}/healthz`);
  return res.status === 200 && (await res.json()).status === 'ok';
}

const token = (chars: string) => fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength: 12 });
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%C0%AF', '..', '/..', '\\', '?', '#', '\r\n', '\0', ' ', '%2e%2e', '//', '*', 'ws', 'recordings', '20240115-103045_paper_x.jsonl'),
);
const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PRI', 'get', ''), token('ABCDEFGHIJKLMNOPQRSTUVWXYZ-!#'));
const path = fc.oneof(
  fc.constantFrom('/', '/healthz', '/metrics', '/recordings', '/recordings/', '/ws', '/index.html', '*', 'http://[', 'http://localhost/ws'),
  fc.array(nasty, { maxLength: 6 }).map((parts) => `/${parts.join('')}`),
);
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', '', 'HTTP/1.1 x', 'http/1.1');
const headerName = fc.oneof(
  fc.constantFrom('Host', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Origin', 'Authorization', 'Content-Length', 'Transfer-Encoding', 'Expect', 'Cookie'),
  token('abcdefghijklmnopqrstuvwxyz-_:'),
);
const headerValue = fc.oneof(
  nasty,
  fc.constantFrom('websocket', 'Upgrade', 'close', 'keep-alive', '13', '8', 'dGhlIHNhbXBsZSBub25jZQ==', 'chunked', '-1', '99999999999', '100-continue', 'Bearer x', 'tradeloom, tradeloom.bearer.%%%', 'http://evil.example', '127.0.0.1', 'localhost:1'),
  fc.string({ minLength: 100, maxLength: 3000 }),
);
const httpRequest = fc.oneof(
  { weight: 4, arbitrary: fc.record({ method, path, version, headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }), body: fc.string({ maxLength: 64 }), close: fc.boolean() })
    .map(({ method: m, path: p, version: v, headers, body, close }) =>
      Buffer.from(`${m} ${p} ${v}\r\n${headers.map(([k, val]) => `${k}: ${val}\r\n`).join('')}${close ? 'Connection: close\r\n' : ''}\r\n${body}`, 'latin1')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)) },
);

/** Writes one request and waits for an answer, the server closing it, or a short deadline. */
function throwRequest(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(t.server.port, '127.0.0.1');
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    // Half a request waits for the header timeout; what matters is that it was thrown.
    const timer = setTimeout(done, 250);
    socket.on('error', done);
    socket.on('close', done);
    socket.once('data', () => {
      tally.httpAnswered++;
      // A completed upgrade stays open: enough that it answered.
      setTimeout(done, 20);
    });
    socket.write(bytes, () => undefined);
    tally.http++;
  });
}

test('random request lines, methods, headers and raw bytes never stop the server; /healthz answers after every batch', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(httpRequest, { minLength: HTTP_BATCH, maxLength: HTTP_BATCH }), async (batch) => {
      await Promise.all(batch.map(throwRequest));
      return healthy();
    }),
    { seed: SEED, numRuns: HTTP_BATCHES, endOnFailure: true },
  );
});

const anyValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 'USDCHF', 'EURUSD', 'H1', 'M30', '2024-01-01', 'patterns-sr', '20240115-103045_paper_x.jsonl', '../../etc/passwd', '__proto__'),
  fc.string({ minLength: 200, maxLength: 2000 }),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
const shapedMessage = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...CLIENT_MESSAGE_TYPES), fc.constantFrom('toString', '__proto__', 'constructor', ''), fc.string({ maxLength: 12 })),
    symbol: anyValue, name: anyValue, last_seq: anyValue, balance: anyValue, timeframe: anyValue,
    from: anyValue, to: anyValue, strategy: anyValue, request_id: anyValue, ticket: anyValue,
  },
  { requiredKeys: ['type'] },
).map((m) => JSON.stringify(m));
const wsFrame = fc.oneof(
  { weight: 6, arbitrary: shapedMessage.map((text) => ({ text })) },
  // Numbers JSON.stringify cannot write: 1e309 parses as Infinity.
  { weight: 1, arbitrary: fc.constantFrom('1e309', '-1e309', '1e-400', '123456789012345678901234567890').map((n) => ({ text: `{"type":"run_backtest","symbol":"USDCHF","timeframe":"H1","balance":${n}}` })) },
  { weight: 1, arbitrary: fc.constantFrom('1e309', '-5', '1.5', '9007199254740993').map((n) => ({ text: `{"type":"resume","last_seq":${n}}` })) },
  { weight: 2, arbitrary: fc.json().map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ binary: Buffer.from(b) })) },
  { weight: 1, arbitrary: fc.constant({ text: JSON.stringify({ type: 'ping', request_id: 'x'.repeat(70_000) }) }) },
);

test('random WebSocket messages (shaped, JSON, text, binary, oversized) get replies or a close, never a crash', async () => {
  let clients: TestClient[] = [];
  const reconnect = async (i: number) => {
    tally.wsReconnects++;
    tally.wsReplies += clients[i].received.length;
    clients[i] = await TestClient.connect(t.wsUrl);
  };
  clients = await Promise.all([0, 1, 2, 3].map(() => TestClient.connect(t.wsUrl)));
  await fc.assert(
    fc.asyncProperty(fc.array(wsFrame, { minLength: WS_BATCH, maxLength: WS_BATCH }), async (frames) => {
      for (let i = 0; i < frames.length; i++) {
        const c = i % clients.length;
        if (clients[c].ws.readyState !== WebSocket.OPEN) await reconnect(c);
        const frame = frames[i];
        if ('binary' in frame) clients[c].ws.send(frame.binary, { binary: true });
        else clients[c].ws.send(frame.text);
        tally.wsMessages++;
      }
      // Every still-open client answers a ping after its share of the batch: its messages were all handled.
      for (let c = 0; c < clients.length; c++) {
        if (clients[c].ws.readyState !== WebSocket.OPEN) await reconnect(c);
        const pong = await clients[c].request({ type: 'ping', request_id: 'after-batch' }, 'pong').catch(() => null);
        if (pong === null) await reconnect(c);
      }
      return healthy();
    }),
    { seed: SEED + 1, numRuns: WS_BATCHES, endOnFailure: true },
  );
  tally.wsReplies += clients.reduce((n, c) => n + c.received.length, 0);
  await Promise.all(clients.map((c) => c.close()));
});

/** A completed handshake on a raw socket, then arbitrary bytes as if they were frames. */
function rawFrames(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(t.server.port, '127.0.0.1');
    let upgraded = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 1000);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (d) => {
      if (upgraded || !d.toString('latin1').startsWith('HTTP/1.1 101')) return;
      upgraded = true;
      tally.rawFrames++;
      socket.write(bytes);
      setTimeout(done, 50);
    });
    socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
}

test('arbitrary bytes after a WebSocket handshake (bad opcodes, lengths, unmasked frames) close that socket only', async () => {
  const frameBytes = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => Buffer.from(b)),
    // A frame header with random flags, opcode and a length that lies.
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 })).map(([a, b, rest]) => Buffer.from([a, b, ...rest])),
  );
  const samples = fc.sample(frameBytes, { seed: SEED + 2, numRuns: RAW_FRAME_SOCKETS });
  for (let i = 0; i < samples.length; i += 50) await Promise.all(samples.slice(i, i + 50).map(rawFrames));
  assert.ok(tally.rawFrames > RAW_FRAME_SOCKETS / 2, 'most raw sockets completed the handshake');
  assert.ok(await healthy());
});

test('after all of it /healthz answers and the bystander connected from the start still gets events and pongs', async () => {
  assert.ok(await healthy());
  const mark = bystander.received.length;
  t.bot.entry('USDCHF');
  const entry = await bystander.next((m) => m.event_type === 'TRADE_ENTRY', mark);
  assert.is(entry.data.symbol, 'USDCHF');
  assert.equal(await bystander.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  assert.ok(tally.http >= HTTP_BATCHES * HTTP_BATCH);
  assert.ok(tally.wsMessages >= WS_BATCHES * WS_BATCH);
});

test.run();
