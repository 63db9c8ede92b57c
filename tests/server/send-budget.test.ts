import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../../engine/config/defaults.ts';
import type { SequencedEvent } from '../../engine/journal/journal.ts';
import type { JournalSink } from '../../engine/server/broadcaster.ts';
import { startMonitorServer } from '../../engine/server/monitor-server.ts';
import { FakeBot } from '../kit/fake-bot.ts';
import { startTestServer, TestClient, type Json } from '../kit/server-kit.ts';

// The send budget (server.sendQueue.totalBytes): what all clients together hold waiting, plus
// the journal's held events, is capped process-wide; past it the clients holding the most are
// closed as slow consumers (4000) and can resume. Real ws clients against the real server;
// nothing here asserts on timing: clients that stop reading pause their socket, and every
// wait is for a message or a state.

const MiB = 1024 * 1024;
const EVENT = 20_000;
const figure = (line: string) => process.stderr.write(`send budget: ${line}\n`);
const tick = () => new Promise((r) => setImmediate(r));
const pause = (c: TestClient) => (c.ws as unknown as { _socket: Socket })._socket.pause();
const unpause = (c: TestClient) => (c.ws as unknown as { _socket: Socket })._socket.resume();

/**
 * Per-client limits far above anything these tests send: only the process-wide budget acts. The
 * replay buffer is below the budget, as the config requires (a resume must fit).
 */
function settings(totalBytes: number): Partial<ServerSettings> {
  return {
    sendQueue: { maxMessages: 1_000_000, maxBytes: 1024 * MiB, highWaterBytes: 256 * 1024, totalBytes },
    replayBuffer: 100_000,
    replayBufferBytes: Math.floor(totalBytes * 0.6),
  };
}

/** `tradeloom_<name>` from the server's /metrics (NaN when absent). */
async function metric(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const m = new RegExp(`^tradeloom_${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** Null once `client` got event `lastSeq` (kept), or how it was closed. */
function outcome(client: TestClient, lastSeq: number): Promise<{ code: number; reason: string } | null> {
  if (client.ws.readyState === client.ws.CLOSED) return client.closed;
  // next() rejects when the socket closes first.
  return client.next((m) => m.seq === lastSeq, 0, 30_000).then(() => null, () => client.closed);
}

function seqsOf(messages: Json[]): number[] {
  return messages.filter((m) => typeof m.seq === 'number').map((m) => m.seq as number);
}

test('with a small send budget, clients that stop reading are closed largest first (slow_consumer, 4000), the total stays under it, a reader gets every event in order, trading goes on, and a closed client resumes', async () => {
  const budget = 10 * MiB;
  const t = await startTestServer(settings(budget));
  const reader = await TestClient.connect(t.wsUrl);
  await reader.next((m) => m.type === 'connection_established');
  const stalled: TestClient[] = [];
  const ids: string[] = [];
  const closedEarly = new Set<number>();
  t.bot.init();
  let entries = 0;
  let highest = 0;
  // Client i connects and stops reading before phase i: the earlier a client stopped, the more
  // it holds. Each phase is 8 MB of ERROR events (never shed) with a trade in every batch.
  for (let phase = 0; phase < 5; phase++) {
    const client = await TestClient.connect(t.wsUrl);
    ids.push((await client.next((m) => m.type === 'connection_established')).connection_id);
    pause(client);
    stalled.push(client);
    for (let batch = 0; batch < 8; batch++) {
      for (let i = 0; i < 50; i++) t.bot.bigError(EVENT);
      t.bot.entry('USDCHF');
      t.bot.exit('USDCHF');
      entries++;
      const used = t.server.metrics.sendBudget?.usedBytes ?? Number.NaN;
      highest = Math.max(highest, used);
      assert.ok(used <= budget, `after publishing, the server holds ${used} bytes for its clients, over the ${budget}-byte budget`);
      // A client closed for the budget reads again at once, so it takes its notice and close
      // frame (a client that does not read them is cut off after a grace of 5 s).
      for (let i = 0; i <= phase; i++) {
        if (!closedEarly.has(i) && !attached(t, ids[i])) {
          closedEarly.add(i);
          unpause(stalled[i]);
        }
      }
      await tick();
    }
    // The reader catches up before the next phase, so it never holds more than one batch.
    await reader.next((m) => m.seq === t.server.broadcaster.lastSeq, 0, 30_000);
  }
  const lastSeq = t.server.broadcaster.lastSeq;
  assert.ok(await metric(t.httpUrl, 'send_budget_used_bytes') <= budget);
  assert.is(await metric(t.httpUrl, 'send_budget_bytes'), budget);
  assert.ok(await metric(t.httpUrl, 'ws_buffered_bytes') > 0, 'the last client to stop reading still holds its bytes');

  // Every client that stopped reading now reads again: what the server kept for it arrives,
  // then, for the ones closed, the notice and close 4000.
  stalled.forEach((c, i) => closedEarly.has(i) || unpause(c));
  const outcomes = await Promise.all(stalled.map((c) => outcome(c, lastSeq)));
  const closedIndexes = outcomes.flatMap((o, i) => (o ? [i] : []));
  assert.equal(closedIndexes, [...closedEarly].sort());
  figure(`${stalled.length} clients stopped reading one after another, 8 MB of events each time, budget ${budget / MiB} MiB: closed ${closedIndexes.join(', ')}; the most held at once ${(highest / MiB).toFixed(1)} MiB`);
  assert.ok(closedIndexes.length >= 3, `clients closed for the budget: ${closedIndexes.join(', ')}`);
  // The earliest to stop reading held the most: they go first, the last one is kept.
  assert.equal(closedIndexes, closedIndexes.map((_, i) => i), 'the largest (earliest stopped) were closed first');
  assert.is(outcomes[stalled.length - 1], null, 'the client holding the least kept its connection');
  for (const i of closedIndexes) {
    assert.is(outcomes[i]!.code, 4000);
    const notice = stalled[i].received.find((m) => m.type === 'error');
    assert.ok(notice, `client ${i} was told why`);
    assert.is(notice!.code, 'slow_consumer');
    assert.is(notice!.closing, true);
    assert.match(notice!.error, /send budget for all clients \(10485760 bytes\) was full; reconnect and send \{"type":"resume"/);
  }
  assert.is(t.server.metrics.slowConsumersTotal, closedIndexes.length);
  assert.ok(/tradeloom_send_budget_disconnects_total\{how="slow_consumer"\} [1-9]/.test(await (await fetch(`${t.httpUrl}/metrics`)).text()));

  // The reader got every event, in order; the bot traded all along.
  assert.equal(seqsOf(reader.received), Array.from({ length: lastSeq }, (_, i) => i + 1));
  assert.is(reader.received.filter((m) => m.event_type === 'TRADE_ENTRY').length, entries);
  assert.is(reader.received.filter((m) => m.event_type === 'TRADE_EXIT').length, entries);
  assert.is(t.server.metrics.tradeEntries, entries);
  t.bot.entry('EURUSD');
  await reader.next((m) => m.event_type === 'TRADE_ENTRY' && m.data.symbol === 'EURUSD');

  // The first client closed resumes from the last seq it saw: it missed far more than the
  // replay buffer holds, so it is told of the gap and gets, in order, everything still held.
  const first = stalled[closedIndexes[0]];
  const seen = seqsOf(first.received);
  const back = await TestClient.connect(t.wsUrl);
  const result = await back.request({ type: 'resume', last_seq: seen[seen.length - 1] }, 'resume_result');
  assert.is(result.gap, true);
  const end = t.server.broadcaster.lastSeq;
  await back.next((m) => m.seq === end, 0, 30_000);
  assert.equal(seqsOf(back.received), Array.from({ length: end - result.first_available_seq + 1 }, (_, i) => result.first_available_seq + i));
  assert.is(back.ws.readyState, back.ws.OPEN, 'its resume fits the budget');

  await Promise.all([reader, back, ...stalled].map((c) => c.close()));
  while (t.server.metrics.connections > 0) await new Promise((r) => setTimeout(r, 10));
  assert.is(t.server.metrics.sendBudget!.clientBytes, 0, 'nothing is counted once every client has gone');
  await t.close();
});

test('a message shared by every client counts once: clients that fell behind on the same events are not closed while those bytes fit the budget', async () => {
  const budget = 16 * MiB;
  const t = await startTestServer(settings(budget));
  const stalled: TestClient[] = [];
  for (let i = 0; i < 6; i++) stalled.push(await TestClient.connect(t.wsUrl));
  await Promise.all(stalled.map((c) => c.next((m) => m.type === 'connection_established')));
  for (const c of stalled) pause(c);
  // 12 MB of events to six clients that all stopped reading at once: one Buffer per event, shared.
  // Counted per client (each holds what its kernel buffers did not take, 4 MB or so), it would be
  // well over the 16 MiB budget.
  for (let batch = 0; batch < 12; batch++) {
    for (let i = 0; i < 50; i++) t.bot.bigError(EVENT);
    await tick();
  }
  const distinct = await metric(t.httpUrl, 'ws_buffered_bytes');
  figure(`6 clients behind on the same 12 MB: ${(distinct / MiB).toFixed(1)} MiB counted of a ${budget / MiB} MiB budget`);
  assert.ok(distinct > 4 * MiB && distinct <= 12 * (50 * (EVENT + 200)), `${distinct} bytes counted`);
  assert.is(t.server.metrics.slowConsumersTotal, 0, 'nobody closed');
  const lastSeq = t.server.broadcaster.lastSeq;
  for (const c of stalled) unpause(c);
  await Promise.all(stalled.map((c) => c.next((m) => m.seq === lastSeq, 0, 30_000)));
  for (const c of stalled) assert.equal(seqsOf(c.received), Array.from({ length: lastSeq }, (_, i) => i + 1));
  assert.is(t.server.metrics.sendBudget!.clientBytes, 0, 'all sent: nothing waits');
  await Promise.all(stalled.map((c) => c.close()));
  await t.close();
});

test('replies built for one client count in full: clients that stop reading after asking for a recording are closed largest first, and resume with nothing missed', async () => {
  const budget = 16 * MiB;
  const t = await startTestServer(settings(budget));
  const name = '20240115-103045_paper_big.jsonl';
  writeRecording(join(t.dataDir, 'recordings'), name, 2);
  const reader = await TestClient.connect(t.wsUrl);
  const stalled: TestClient[] = [];
  for (let i = 0; i < 8; i++) stalled.push(await TestClient.connect(t.wsUrl));
  await Promise.all([reader, ...stalled].map((c) => c.next((m) => m.type === 'connection_established')));
  t.bot.init();
  await reader.next((m) => m.event_type === 'BOT_INITIALIZATION');
  // Client i asks for the 2 MB recording i+1 times, without reading: its replies are its own
  // Buffers (nothing shared), so eight of them hold 72 MB unless the budget stops it.
  for (let i = 0; i < stalled.length; i++) {
    pause(stalled[i]);
    const id = stalled[i].received[0].connection_id as string;
    for (let k = 0; k <= i; k++) {
      // A client the server has closed is not answered (it ignores what a closing client sends).
      if (!attached(t, id)) break;
      const mark = reader.received.length;
      stalled[i].send({ type: 'get_recording', name, request_id: `r${k}` });
      // Its COMMAND event, which every client gets, comes just before the reply is sent.
      await reader.next((m) => m.event_type === 'COMMAND' && m.data.connection_id === id, mark);
      // Those closed for the budget read again at once, to take their notice and close frame.
      stalled.forEach((c, j) => j <= i && !attached(t, c.received[0].connection_id) && unpause(c));
      const used = t.server.metrics.sendBudget!.usedBytes;
      assert.ok(used <= budget, `${used} bytes held, over the ${budget}-byte budget`);
    }
    t.bot.entry('USDCHF');
    t.bot.exit('USDCHF');
  }
  const lastSeq = t.server.broadcaster.lastSeq;
  for (const c of stalled) unpause(c);
  const outcomes = await Promise.all(stalled.map((c) => outcome(c, lastSeq)));
  const closedIndexes = outcomes.flatMap((o, i) => (o ? [i] : []));
  figure(`8 clients asking for a 2 MB recording 1..8 times without reading, budget ${budget / MiB} MiB: closed ${closedIndexes.join(', ')}`);
  assert.ok(closedIndexes.length >= 2, `closed: ${closedIndexes.join(', ')}`);
  assert.ok(outcomes.slice(0, 3).every((o) => o === null), 'the clients holding the least kept their connections');
  for (const i of closedIndexes) {
    assert.is(outcomes[i]!.code, 4000);
    assert.is(stalled[i].received.find((m) => m.type === 'error')?.code, 'slow_consumer');
  }
  // Each closed client resumes from the last seq it saw: nothing missed, in order.
  for (const i of closedIndexes) {
    const seen = seqsOf(stalled[i].received);
    const back = await TestClient.connect(t.wsUrl);
    const result = await back.request({ type: 'resume', last_seq: seen.length ? seen[seen.length - 1] : 0 }, 'resume_result');
    assert.is(result.ok, true);
    assert.is(result.gap, false);
    await back.next((m) => m.seq === lastSeq, 0, 30_000);
    assert.equal([...new Set([...seen, ...seqsOf(back.received)])], Array.from({ length: lastSeq }, (_, k) => k + 1));
    await back.close();
  }
  assert.equal(seqsOf(reader.received), Array.from({ length: lastSeq }, (_, i) => i + 1));
  assert.is(reader.received.filter((m) => m.event_type === 'TRADE_EXIT').length, stalled.length);
  await Promise.all([reader, ...stalled].map((c) => c.close()));
  await t.close();
});

/** Whether connection `id` still gets events (a client closed as slow is detached at once). */
function attached(t: Awaited<ReturnType<typeof startTestServer>>, id: string): boolean {
  const clients = (t.server.broadcaster as unknown as { clients: Set<{ id: string }> }).clients;
  return [...clients].some((c) => c.id === id);
}

/** A recording of about `megabytes` MB of valid BAR events. */
function writeRecording(dir: string, name: string, megabytes: number): void {
  mkdirSync(dir, { recursive: true });
  // Long lines: the server checks each line, and few long ones check fast.
  const line = (seq: number) => JSON.stringify({ timestamp: '2024-01-15T10:30:45.123000', session_id: 's', event_type: 'BAR', level: 'DEBUG', seq, data: { symbol: 'USDCHF', timeframe: 'M30', time: '2024-01-15T10:00:00', open: 1.1, high: 1.2, low: 1, close: 1.15, volume: 100, note: 'n'.repeat(16_000) } });
  const count = Math.ceil((megabytes * 1e6) / (line(1).length + 1));
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(line(i));
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
}

/** A journal that fails on demand (as a full disk does) and keeps what it took. */
class FlakyJournal implements JournalSink {
  failing = false;
  lastSeq = 0;
  readonly taken: number[] = [];
  record(event: SequencedEvent): void {
    if (this.failing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    this.taken.push(event.seq);
    this.lastSeq = event.seq;
  }
  recordMany(items: readonly { event: SequencedEvent }[]): void {
    if (this.failing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    for (const item of items) this.record(item.event);
  }
  probe(): void {
    if (this.failing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  }
}

test('events held while the journal cannot write count against the budget: the client holding the most is closed, no held event is dropped, and they all go out in order once it writes', async () => {
  const budget = 12 * MiB;
  const journal = new FlakyJournal();
  const bot = new FakeBot();
  const server = await startMonitorServer({
    settings: { ...DEFAULT_SERVER_SETTINGS, port: 0, uiDir: '/nonexistent', ...settings(budget) },
    bot,
    journal,
    recordingsDir: '/nonexistent',
    log: () => undefined,
  });
  const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
  const reader = await TestClient.connect(wsUrl);
  const stalled = await TestClient.connect(wsUrl);
  await Promise.all([reader, stalled].map((c) => c.next((m) => m.type === 'connection_established')));
  pause(stalled);
  // The stalled client falls 8 MB behind (what the kernel does not take stays with the server).
  for (let batch = 0; batch < 8; batch++) {
    for (let i = 0; i < 50; i++) bot.bigError(EVENT);
    await tick();
  }
  await reader.next((m) => m.seq === server.broadcaster.lastSeq, 0, 30_000);
  const behind = server.metrics.sendBudget!.clientBytes;
  assert.ok(behind > 2 * MiB && behind < budget, `the stalled client holds ${behind} bytes`);
  assert.is(server.metrics.slowConsumersTotal, 0);
  // The journal fails: events are held, unsent, and the held bytes count.
  journal.failing = true;
  let held = 0;
  while (server.metrics.slowConsumersTotal === 0 && held < 2000) {
    bot.bigError(EVENT);
    bot.entry('USDCHF');
    bot.exit('USDCHF');
    held++;
    if (held % 20 === 0) await tick();
  }
  assert.is(server.metrics.slowConsumersTotal, 1, 'the client holding the most was closed');
  const heldBytes = server.broadcaster.heldBytes;
  figure(`journal failing: the stalled client (${(behind / MiB).toFixed(1)} MiB) closed once ${(heldBytes / MiB).toFixed(1)} MiB were held (budget ${budget / MiB} MiB)`);
  assert.ok(server.metrics.sendBudget!.usedBytes <= budget, `${server.metrics.sendBudget!.usedBytes} bytes used`);
  assert.ok(server.broadcaster.heldBytes > budget - behind - MiB, 'it was the held events that filled the budget');
  assert.is(reader.ws.readyState, reader.ws.OPEN, 'the reader, holding nothing, is kept');
  unpause(stalled);
  assert.is((await stalled.closed).code, 4000);
  // The journal writes again: every held event (trades among them) goes out, in order.
  const before = server.broadcaster.lastSeq;
  journal.failing = false;
  await reader.next((m) => m.event_type === 'BOT_STATUS' && /writes again/.test(m.data.reason ?? ''), 0, 30_000);
  const seqs = seqsOf(reader.received);
  assert.equal(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
  assert.equal(journal.taken, seqs);
  const after = reader.received.filter((m) => m.seq > before);
  assert.is(after.filter((m) => m.event_type === 'TRADE_ENTRY').length, held);
  assert.is(after.filter((m) => m.event_type === 'TRADE_EXIT').length, held);
  await reader.close();
  await server.close();
});

test.run();
