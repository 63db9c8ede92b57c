import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, TestClient, type TestServer } from '../kit/server-kit.ts';

let t: TestServer;
test.before.each(async () => {
  t = await startTestServer({
    maxPayload: 1024,
    heartbeatMs: 100,
    rateLimit: { capacity: 5, refillPerSecond: 1, floodRejects: 20, floodWindowMs: 60_000 },
  });
});
test.after.each(async () => {
  await t.close();
});

/** The server still answers a fresh client. */
async function stillServing(): Promise<void> {
  const other = await TestClient.connect(t.wsUrl);
  assert.equal(await other.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await other.close();
}

test('malformed JSON gets an error naming the parse problem and the connection stays up', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const reply = await client.request('{"type": "ping"', 'error');
  assert.is(reply.code, 'malformed_json');
  assert.match(reply.error, /malformed JSON/);
  assert.ok(Array.isArray(reply.details));
  assert.equal(await client.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await client.close();
});

test('a wrong shape gets invalid_shape naming the offending field, with the request_id echoed', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const reply = await client.request({ type: 'pause_symbol', symbol: 42, request_id: 'r1' }, 'error');
  assert.is(reply.code, 'invalid_shape');
  assert.is(reply.request_id, 'r1');
  assert.match(reply.details.join('\n'), /symbol/);
  assert.match(reply.error, /^invalid "pause_symbol" message: symbol: got 42, expected symbol name/);
  const notObject = await client.request('[1,2,3]', 'error');
  assert.is(notObject.code, 'invalid_shape');
  const noType = await client.request({ kind: 'ping' }, 'error');
  assert.match(noType.error, /"type"/);
  assert.equal(await client.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await client.close();
});

test('a field deep in a long codec is named in the error itself: run_backtest\'s model and balance', async () => {
  const client = await TestClient.connect(t.wsUrl);
  // Before, only in the details, cut at 400 characters before the path: a union's members were
  // reported twice, each as a type listing of the whole message.
  const model = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', model: 'TICKS', request_id: 'r2' }, 'error');
  assert.is(model.error, 'invalid "run_backtest" message: model: got "TICKS", expected ("bars" | "ticks")');
  const balance = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H4', balance: -1, request_id: 'r3' }, 'error');
  assert.match(balance.error, /: balance: got -1, expected Balance \(0 < balance <= 1e12\)$/);
  await client.close();
});

test('an unknown type gets unknown_type naming it and the known ones', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const reply = await client.request({ type: 'launch_rockets' }, 'error');
  assert.is(reply.code, 'unknown_type');
  assert.match(reply.error, /launch_rockets/);
  assert.match(reply.error, /request_status/);
  assert.equal(await client.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await client.close();
});

test('messages beyond the rate limit get rate_limited errors and the connection stays up', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const mark = client.received.length;
  for (let i = 0; i < 8; i++) client.send({ type: 'ping', request_id: i });
  const limited = await client.next((m) => m.type === 'error' && m.code === 'rate_limited', mark);
  assert.match(limited.error, /too many messages/);
  const pongs = () => client.received.slice(mark).filter((m) => m.type === 'pong').length;
  await client.next((m) => m.type === 'error', mark);
  assert.ok(pongs() < 8, 'not every message of the burst was answered');
  assert.is(client.ws.readyState, client.ws.OPEN);
  await client.close();
  await stillServing();
});

test('a rate_limited error echoes the refused message\'s request_id (reviewer: it was dropped)', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const mark = client.received.length;
  for (let i = 0; i < 8; i++) client.send({ type: 'ping', request_id: `burst-${i}` });
  const limited = await client.next((m) => m.type === 'error' && m.code === 'rate_limited', mark);
  assert.match(String(limited.request_id), /^burst-[0-7]$/);
  const answered = client.received.slice(mark).filter((m) => m.type === 'pong').map((m) => m.request_id);
  assert.not.ok(answered.includes(limited.request_id), 'the refused message is the one named');
  await client.close();
  await stillServing();
});

test('a sustained flood is closed with 1008 and other clients are still served', async () => {
  const bystander = await TestClient.connect(t.wsUrl);
  const client = await TestClient.connect(t.wsUrl);
  for (let i = 0; i < 200; i++) client.send({ type: 'ping' });
  const closed = await client.closed;
  assert.is(closed.code, 1008);
  assert.equal(await bystander.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await bystander.close();
});

test('a message over the size limit is closed with 1009 and the server keeps serving', async () => {
  const client = await TestClient.connect(t.wsUrl);
  client.send({ type: 'ping', request_id: 'x'.repeat(2000) });
  const closed = await client.closed;
  assert.is(closed.code, 1009);
  await stillServing();
});

test('a binary frame holding a valid message is answered like text', async () => {
  const client = await TestClient.connect(t.wsUrl);
  const mark = client.received.length;
  client.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
  assert.equal(await client.next((m) => m.type === 'pong', mark), { type: 'pong' });
  await client.close();
});

test('a dead peer that never answers heartbeat pings is dropped', async () => {
  const dead = await TestClient.connect(t.wsUrl, { autoPong: false });
  const closed = await dead.closed;
  assert.is(closed.code, 1006, 'terminated without a close handshake');
  const live = await TestClient.connect(t.wsUrl);
  await new Promise((r) => setTimeout(r, 350)); // several heartbeats: a live client that answers pings stays
  assert.is(live.ws.readyState, live.ws.OPEN);
  assert.equal(await live.request({ type: 'ping' }, 'pong'), { type: 'pong' });
  await live.close();
});

test('an upgrade on a path other than /ws is refused and plain HTTP on /ws says how to connect', async () => {
  const res = await fetch(`${t.httpUrl}/ws`);
  assert.is(res.status, 426);
  await stillServing();
});

test.run();
