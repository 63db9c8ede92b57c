import { test } from 'uvu';
import * as assert from 'uvu/assert';
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

test.run();
