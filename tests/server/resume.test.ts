import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'node:net';
import { startTestServer, TestClient } from '../kit/server-kit.ts';

test('a client that reconnects and resumes from its last seq gets exactly the missed events, without gaps', async () => {
  const t = await startTestServer();
  const first = await TestClient.connect(t.wsUrl);
  t.bot.init();
  t.bot.entry('USDCHF');
  const entry = await first.next((m) => m.event_type === 'TRADE_ENTRY');
  await first.close();
  // Missed while away.
  t.bot.exit('USDCHF');
  t.bot.entry('EURUSD');
  t.bot.bar('EURUSD', Date.UTC(2024, 0, 15));
  const second = await TestClient.connect(t.wsUrl);
  const hello = await second.next((m) => m.type === 'connection_established');
  assert.is(hello.last_seq, entry.seq + 3);
  const result = await second.request({ type: 'resume', last_seq: entry.seq, request_id: 'r' }, 'resume_result');
  assert.equal(
    { ok: result.ok, gap: result.gap, from_seq: result.from_seq, replayed: result.replayed, request_id: result.request_id },
    { ok: true, gap: false, from_seq: entry.seq + 1, replayed: 3, request_id: 'r' },
  );
  await second.next((m) => m.event_type === 'BAR');
  const replayed = second.received.filter((m) => m.event_type).map((m) => [m.seq, m.event_type]);
  assert.equal(replayed, [[entry.seq + 1, 'TRADE_EXIT'], [entry.seq + 2, 'TRADE_ENTRY'], [entry.seq + 3, 'BAR']]);
  const upToDate = await second.request({ type: 'resume', last_seq: t.server.broadcaster.lastSeq }, 'resume_result');
  assert.equal([upToDate.ok, upToDate.gap, upToDate.replayed], [true, false, 0]);
  await second.close();
  await t.close();
});

test('when the missed events have left the bounded buffer the client is told plainly: gap true, first available seq', async () => {
  const t = await startTestServer({ replayBuffer: 5 });
  t.bot.init();
  for (let i = 0; i < 20; i++) t.bot.bar('USDCHF', Date.UTC(2024, 0, 15) + i * 1_800_000);
  const client = await TestClient.connect(t.wsUrl);
  const result = await client.request({ type: 'resume', last_seq: 3 }, 'resume_result');
  assert.is(result.gap, true);
  assert.is(result.ok, false);
  assert.is(result.first_available_seq, 17);
  assert.is(result.replayed, 5);
  assert.match(result.reason, /no longer held/);
  await client.next((m) => m.seq === 21);
  assert.equal(client.received.filter((m) => m.event_type).map((m) => m.seq), [17, 18, 19, 20, 21]);
  await client.close();
  await t.close();
});

test('resume from a seq beyond the server\'s is answered reset: true with the server\'s last seq, and resume from 0 then replays all (issue 11)', async () => {
  const t = await startTestServer();
  t.bot.init();
  t.bot.entry('USDCHF');
  const client = await TestClient.connect(t.wsUrl);
  const ahead = await client.request({ type: 'resume', last_seq: 500, request_id: 'r' }, 'resume_result');
  assert.equal(
    { ok: ahead.ok, gap: ahead.gap, reset: ahead.reset, replayed: ahead.replayed, last_seq: ahead.last_seq, from_seq: ahead.from_seq, request_id: ahead.request_id },
    { ok: false, gap: true, reset: true, replayed: 0, last_seq: 2, from_seq: 501, request_id: 'r' },
  );
  assert.match(ahead.reason, /beyond this server's last seq 2.*resume from 0/);
  const again = await client.request({ type: 'resume', last_seq: 0 }, 'resume_result');
  assert.equal([again.ok, again.replayed, again.reset], [true, 2, undefined]);
  await client.next((m) => m.seq === 2);
  await client.close();
  await t.close();
});

test('sequence numbers continue after the start seq given by the journal', async () => {
  const t = await startTestServer({}, { startSeq: 41 });
  const client = await TestClient.connect(t.wsUrl);
  t.bot.init();
  const event = await client.next((m) => m.event_type === 'BOT_INITIALIZATION');
  assert.is(event.seq, 42);
  await client.close();
  await t.close();
});

test('a resume whose replay is larger than the per-client send limits is delivered whole, in order, without closing the client', async () => {
  // Per-client limits of 40 messages / 64 KiB beyond a 16 KiB socket buffer; the replay holds 300
  // events of 2 KB (600 KB, mostly DEBUG). Before, the replay went into the queue at once: DEBUG
  // was shed and the client closed 4000, and its next resume was closed again.
  const t = await startTestServer({
    replayBuffer: 1000,
    replayBufferBytes: 4 * 1024 * 1024,
    sendQueue: { maxMessages: 40, maxBytes: 64 * 1024, highWaterBytes: 16 * 1024, totalBytes: 64 * 1024 * 1024 },
  });
  t.bot.init();
  for (let i = 0; i < 300; i++) {
    if (i % 10 === 9) t.bot.bigError(2_000);
    else t.bot.bigDebug(2_000);
  }
  const last = t.server.broadcaster.lastSeq;
  const client = await TestClient.connect(t.wsUrl);
  const result = await client.request({ type: 'resume', last_seq: 0 }, 'resume_result');
  assert.equal([result.ok, result.gap, result.replayed], [true, false, last]);
  // Published while the replay goes out: it comes after the replay.
  t.bot.bar('USDCHF', Date.UTC(2024, 0, 15));
  await client.next((m) => m.seq === last + 1, 0, 30_000);
  const seqs = client.received.filter((m) => m.event_type).map((m) => m.seq);
  assert.equal(seqs, Array.from({ length: last + 1 }, (_, i) => i + 1), 'every event once, in seq order');
  assert.is(client.received.some((m) => m.type === 'error'), false, 'no slow_consumer notice');
  assert.is(t.server.metrics.shedTotal, 0, 'nothing shed');
  assert.is(t.server.metrics.slowConsumersTotal, 0);
  assert.is(client.ws.readyState, client.ws.OPEN);
  await client.close();
  await t.close();
});

test('a client that stops reading during a replay is still closed 4000 once what is published meanwhile passes its limits', async () => {
  const t = await startTestServer({
    replayBuffer: 1000,
    replayBufferBytes: 4 * 1024 * 1024,
    sendQueue: { maxMessages: 40, maxBytes: 64 * 1024, highWaterBytes: 16 * 1024, totalBytes: 64 * 1024 * 1024 },
  });
  t.bot.init();
  for (let i = 0; i < 300; i++) t.bot.bigError(2_000);
  const client = await TestClient.connect(t.wsUrl);
  await client.next((m) => m.type === 'connection_established');
  client.ws.send(JSON.stringify({ type: 'resume', last_seq: 0 }));
  await client.next((m) => m.type === 'resume_result');
  ((client.ws as unknown as { _socket: Socket })._socket).pause();
  let published = 0;
  while (t.server.metrics.slowConsumersTotal === 0 && published < 2_000) {
    t.bot.bigError(2_000);
    published++;
    if (published % 5 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  assert.is(t.server.metrics.slowConsumersTotal, 1, 'closed as a slow consumer');
  assert.ok(published > 20, `closed for the live events (${published}), not for the replay`);
  ((client.ws as unknown as { _socket: Socket })._socket).resume();
  assert.is((await client.closed).code, 4000);
  await t.close();
});

test.run();
