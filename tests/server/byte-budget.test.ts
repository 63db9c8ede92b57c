import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { SequencedEvent } from '../../engine/journal/journal.ts';
import type { EventSink } from '../../engine/server/broadcaster.ts';
import { DEFAULT_SERVER_SETTINGS } from '../../engine/config/defaults.ts';
import { startTestServer, TestClient, type Json } from '../kit/server-kit.ts';

// Issue 11: client input is bounded by bytes, not counts. Nothing a client sends is echoed
// large into events or the journal, and what the server holds per client and for resume has a
// byte budget. Assertions are on bytes queued and journaled, never on timing.

/** Counts what reaches the sinks (where the journal and the recorder sit). */
class SinkBytes implements EventSink {
  bytes = 0;
  events = 0;
  largest = 0;
  readonly types: string[] = [];
  record(event: SequencedEvent, json: string): void {
    this.bytes += json.length;
    this.events++;
    this.largest = Math.max(this.largest, json.length);
    this.types.push(event.event_type);
  }
}

const figure = (line: string) => process.stderr.write(`byte budget: ${line}\n`);
const bytesOf = (messages: Json[]) => messages.reduce((n, m) => n + JSON.stringify(m).length, 0);

test('pause_symbol with a 60 KB symbol gets a short invalid_shape reply and is neither broadcast nor journaled (issue 11)', async () => {
  const sink = new SinkBytes();
  const t = await startTestServer({}, { sinks: [sink] });
  const bystander = await TestClient.connect(t.wsUrl);
  const client = await TestClient.connect(t.wsUrl);
  const before = bytesOf(bystander.received);
  const reply = await client.request({ type: 'pause_symbol', symbol: 'X'.repeat(60 * 1024), request_id: 'big' }, 'error');
  assert.is(reply.code, 'invalid_shape');
  assert.match(reply.error, /symbol: a string of 61440 characters; at most 256/);
  assert.is(reply.request_id, 'big');
  assert.ok(JSON.stringify(reply).length < 2048, `reply is ${JSON.stringify(reply).length} bytes`);
  // The bystander is told nothing of it; a ping proves its stream is up to date.
  await bystander.request({ type: 'ping' }, 'pong');
  assert.is(bytesOf(bystander.received) - before, JSON.stringify({ type: 'pong' }).length);
  assert.is(sink.events, 0, 'nothing journaled');
  figure(`60 KB symbol: reply ${JSON.stringify(reply).length} bytes, broadcast 0, journaled ${sink.bytes}`);
  await Promise.all([bystander.close(), client.close()]);
  await t.close();
});

test('a symbol that is not configured is refused before the bot; its COMMAND event stays small', async () => {
  const sink = new SinkBytes();
  const t = await startTestServer({}, { sinks: [sink] });
  const client = await TestClient.connect(t.wsUrl);
  const reply = await client.request({ type: 'pause_symbol', symbol: 'XAUUSD' }, 'command_result');
  assert.is(reply.ok, false);
  assert.match(reply.reason, /unknown symbol "XAUUSD"; trading USDCHF, EURUSD/);
  const event = await client.next((m) => m.event_type === 'COMMAND');
  assert.is(event.data.params.symbol, 'XAUUSD');
  assert.ok(sink.largest < 1024, `COMMAND event is ${sink.largest} bytes`);
  const bad = await client.request({ type: 'resume_symbol', symbol: 'USD/CHF' }, 'error');
  assert.is(bad.code, 'invalid_shape', 'a name no MT5 symbol has is refused by the codec');
  await client.close();
  await t.close();
});

test('five connections sending maximum-size messages at the rate limit leave almost nothing journaled and nothing held after they leave', async () => {
  const sink = new SinkBytes();
  const t = await startTestServer({}, { sinks: [sink] });
  const { capacity } = DEFAULT_SERVER_SETTINGS.rateLimit;
  const big = (i: number) => JSON.stringify({ type: 'pause_symbol', symbol: 'USDCHF', request_id: i, pad: 'p'.repeat(DEFAULT_SERVER_SETTINGS.maxPayload - 200) });
  const clients = await Promise.all([1, 2, 3, 4, 5].map(() => TestClient.connect(t.wsUrl)));
  let sent = 0;
  for (const c of clients) for (let i = 0; i < capacity; i++, sent++) c.send(big(i));
  await Promise.all(clients.map((c) => c.next((m) => m.type === 'error' && m.request_id === capacity - 1)));
  const received = clients.reduce((n, c) => n + bytesOf(c.received), 0);
  assert.ok(sent * DEFAULT_SERVER_SETTINGS.maxPayload > 10 * 1024 * 1024, 'more than 10 MB was sent');
  assert.is(sink.events, 0, 'refused messages are not journaled');
  assert.ok(received < sent * 1024, `replies total ${received} bytes for ${sent} messages`);
  figure(`flood: ${sent} messages, ${(sent * DEFAULT_SERVER_SETTINGS.maxPayload / 1e6).toFixed(1)} MB sent; replies ${received} bytes; journaled ${sink.bytes}`);
  await Promise.all(clients.map((c) => c.close()));
  assert.is(t.server.broadcaster.clientCount, 0, 'no channel is kept after its client left');
  assert.ok(t.server.broadcaster.replayBytes < 64 * 1024, `the replay buffer holds ${t.server.broadcaster.replayBytes} bytes`);
  figure(`after the flood: ${t.server.broadcaster.clientCount} channels, replay buffer ${t.server.broadcaster.replayBytes} bytes`);
  await t.close();
});

test('the replay buffer keeps at most replayBufferBytes; resume from before it reports the gap and replays what it holds', async () => {
  const budget = 64 * 1024;
  const t = await startTestServer({ replayBuffer: 10_000, replayBufferBytes: budget });
  for (let i = 0; i < 300; i++) t.bot.bigDebug(2000);
  assert.ok(t.server.broadcaster.replayBytes <= budget, `${t.server.broadcaster.replayBytes} bytes held`);
  assert.ok(t.server.broadcaster.replayBytes > budget / 2);
  figure(`replay buffer: 300 events of 2 KB, ${t.server.broadcaster.replayBytes} bytes held of a ${budget}-byte budget`);
  const client = await TestClient.connect(t.wsUrl);
  const result = await client.request({ type: 'resume', last_seq: 0 }, 'resume_result');
  assert.is(result.gap, true);
  assert.ok(result.first_available_seq > 250 && result.first_available_seq < 300, `first available ${result.first_available_seq}`);
  await client.next((m) => m.seq === 300);
  const seqs = client.received.filter((m) => m.event_type).map((m) => m.seq);
  assert.equal(seqs, Array.from({ length: 301 - result.first_available_seq }, (_, i) => result.first_available_seq + i));
  await client.close();
  await t.close();
});

test('a client that stops reading is bounded by sendQueue.maxBytes, not by its message count', async () => {
  const maxBytes = 1024 * 1024;
  const t = await startTestServer({ sendQueue: { ...DEFAULT_SERVER_SETTINGS.sendQueue, maxMessages: 1_000_000, maxBytes, highWaterBytes: 64 * 1024 } });
  const slow = await TestClient.connect(t.wsUrl);
  await slow.next((m) => m.type === 'connection_established');
  ((slow.ws as unknown as { _socket: Socket })._socket).pause();
  let published = 0;
  while (t.server.metrics.slowConsumersTotal === 0 && published < 10_000) {
    t.bot.bigError(20_000);
    published++;
    if (published % 10 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  assert.is(t.server.metrics.slowConsumersTotal, 1, 'dropped as too slow');
  figure(`send queue: a paused reader dropped after ${published} ERROR events of 20 KB (maxBytes ${maxBytes}, maxMessages 1,000,000)`);
  // Socket buffers (ours and the kernel's) take a few MB before anything queues; then 1 MB of queue.
  assert.ok(published * 20_000 < 64 * 1024 * 1024, `dropped after ${published} events of 20 KB, far below the 1,000,000-message count limit`);
  ((slow.ws as unknown as { _socket: Socket })._socket).resume();
  const notice = await slow.next((m) => m.type === 'error' && m.code === 'slow_consumer', 0, 30_000);
  assert.is(notice.closing, true);
  await slow.closed;
  await t.close();
});

test('numbers in commands must be finite and in range: balance 1e309 and 1e13 and last_seq -1 are refused', async () => {
  const t = await startTestServer();
  const client = await TestClient.connect(t.wsUrl);
  const infinite = await client.request('{"type":"run_backtest","symbol":"USDCHF","timeframe":"H1","balance":1e309}', 'error');
  assert.is(infinite.code, 'invalid_shape');
  assert.match(infinite.error, /balance: Infinity is not a finite number/);
  const huge = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H1', balance: 1e13 }, 'error');
  assert.match(huge.details.join('\n'), /balance <= 1e12/);
  const negative = await client.request({ type: 'resume', last_seq: -1 }, 'error');
  assert.is(negative.code, 'invalid_shape');
  const ok = await client.request({ type: 'run_backtest', symbol: 'USDCHF', timeframe: 'H1', balance: 5000 }, 'command_result');
  assert.is(ok.ok, true);
  await client.close();
  await t.close();
});

/** A recording of about `megabytes` MB of valid BAR events. */
function writeRecording(dir: string, name: string, megabytes: number): number {
  mkdirSync(dir, { recursive: true });
  const line = (seq: number) => JSON.stringify({ timestamp: '2024-01-15T10:30:45.123000', session_id: 's', event_type: 'BAR', level: 'DEBUG', seq, data: { symbol: 'USDCHF', timeframe: 'M30', time: '2024-01-15T10:00:00', open: 1.1, high: 1.2, low: 1, close: 1.15, volume: 100, note: 'n'.repeat(100) } });
  const count = Math.ceil((megabytes * 1e6) / (line(1).length + 1));
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(line(i));
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  return count;
}

test('get_recording of a 12 MB file is read without holding up other clients: a ping sent after it is answered first', async () => {
  const t = await startTestServer();
  const name = '20240115-103045_paper_big.jsonl';
  const count = writeRecording(join(t.dataDir, 'recordings'), name, 12);
  const reader = await TestClient.connect(t.wsUrl);
  const other = await TestClient.connect(t.wsUrl);
  const order: string[] = [];
  const loaded = reader.request({ type: 'get_recording', name, request_id: 'g' }, 'command_result').then((r) => (order.push('recording'), r));
  const pong = other.request({ type: 'ping' }, 'pong').then(() => order.push('pong'));
  const [reply] = await Promise.all([loaded, pong]);
  assert.equal(order, ['pong', 'recording']);
  assert.is(reply.ok, true);
  assert.is(reply.data.events.length, count);
  assert.is(reply.data.events[count - 1].seq, count);
  assert.equal(reply.data.errors, []);
  await Promise.all([reader.close(), other.close()]);
  await t.close();
});

test('a 30 MB recording is refused over the socket with a pointer to HTTP, which streams it while other clients are served', async () => {
  const t = await startTestServer();
  const name = '20240115-103045_paper_huge.jsonl';
  writeRecording(join(t.dataDir, 'recordings'), name, 30);
  const client = await TestClient.connect(t.wsUrl);
  const refused = await client.request({ type: 'get_recording', name }, 'command_result');
  assert.is(refused.ok, false);
  assert.match(refused.reason, /too large for one message.*GET \/recordings\//);
  const { length, status, pongDuringDownload } = await new Promise<{ length: number; status: number; pongDuringDownload: boolean }>((resolve, reject) => {
    request({ host: '127.0.0.1', port: t.server.port, path: `/recordings/${name}` }, (res) => {
      let length = 0;
      let pongDuringDownload = false;
      res.once('data', (chunk: Buffer) => {
        length += chunk.length;
        // Stop reading half-way: the server must go on answering others meanwhile.
        res.pause();
        void client.request({ type: 'ping' }, 'pong').then(() => {
          pongDuringDownload = true;
          res.on('data', (c: Buffer) => (length += c.length));
          res.resume();
        });
      });
      res.on('end', () => resolve({ length, status: res.statusCode ?? 0, pongDuringDownload }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
  assert.is(status, 200);
  assert.ok(pongDuringDownload);
  assert.ok(length > 30e6, `${length} bytes streamed`);
  await client.close();
  await t.close();
});

test.run();
