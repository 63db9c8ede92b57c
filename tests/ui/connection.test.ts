import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { Connection, type ConnectionStatus, type SocketLike } from '../../ui/src/core/connection.ts';
import { backoffDelay } from '../../ui/src/core/backoff.ts';
import { reduceAll } from '../../ui/src/core/reducer.ts';
import { initialState, type WorkbenchState } from '../../ui/src/core/state.ts';
import { startTestServer } from '../kit/server-kit.ts';

/** A Connection folding into a state under Node, with the real `ws` client as its socket. */
function client(url: string) {
  let state: WorkbenchState = initialState();
  const sockets: WebSocket[] = [];
  const statuses: ConnectionStatus[] = [];
  const link = new Connection({
    url,
    createSocket: (u) => {
      const ws = new WebSocket(u);
      sockets.push(ws);
      return ws as unknown as SocketLike;
    },
    lastSeq: () => state.lastSeq,
    oninputs: (inputs) => (state = reduceAll(state, inputs)),
    onstatus: (s) => statuses.push(s),
    backoff: { baseMs: 20, maxMs: 100, jitter: 0.5 },
  });
  return { link, sockets, statuses, get state() { return state; } };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const seqs = (s: WorkbenchState) => s.log.map((e) => e.event.seq!);
const contiguous = (list: number[]) => list.every((s, i) => i === 0 || s === list[i - 1] + 1);

test('backoff grows exponentially, is capped and jittered', () => {
  const policy = { baseMs: 500, maxMs: 15_000, jitter: 0.5 };
  assert.is(backoffDelay(0, policy, () => 1), 500);
  assert.is(backoffDelay(3, policy, () => 1), 4000);
  assert.is(backoffDelay(10, policy, () => 1), 15_000);
  assert.is(backoffDelay(3, policy, () => 0), 2000);
});

test('connects, takes the bot status and folds live events in seq order', async () => {
  const server = await startTestServer();
  const c = client(server.wsUrl);
  try {
    server.bot.start();
    c.link.start();
    await until('open', () => c.link.current.phase === 'open');
    server.bot.init();
    server.bot.entry('USDCHF');
    await until('two events', () => c.state.log.length >= 2);
    assert.is(c.state.connectionId !== null, true);
    assert.is(c.state.symbols.USDCHF.position?.direction, 'buy');
    assert.ok(contiguous(seqs(c.state)));
  } finally {
    c.link.stop();
    await server.close();
  }
});

test('a dropped socket reconnects and resumes with no missed event', async () => {
  const server = await startTestServer();
  const c = client(server.wsUrl);
  try {
    c.link.start();
    await until('open', () => c.link.current.phase === 'open');
    server.bot.init();
    await until('first event', () => c.state.log.length === 1);
    c.sockets[0].terminate();
    // Events emitted while the client is away must arrive after the resume.
    for (let i = 0; i < 20; i++) server.bot.bar('USDCHF', Date.UTC(2024, 0, 15, 10) + i * 1_800_000);
    await until('reconnected', () => c.sockets.length >= 2 && c.link.current.phase === 'open');
    for (let i = 20; i < 25; i++) server.bot.bar('USDCHF', Date.UTC(2024, 0, 15, 10) + i * 1_800_000);
    await until('all 26 events', () => c.state.log.length === 26);
    assert.equal(seqs(c.state), Array.from({ length: 26 }, (_, i) => seqs(c.state)[0] + i));
    assert.ok(c.statuses.some((s) => s.phase === 'offline' && s.retryAt !== null), 'showed offline with a retry time');
  } finally {
    c.link.stop();
    await server.close();
  }
});

test('a server restarted on the same port is reconnected to and numbering continues', async () => {
  const first = await startTestServer();
  const c = client(first.wsUrl);
  const port = first.server.port;
  c.link.start();
  await until('open', () => c.link.current.phase === 'open');
  first.bot.init();
  first.bot.init();
  await until('two events', () => c.state.log.length === 2);
  const last = c.state.lastSeq;
  await first.close();
  await until('offline', () => c.link.current.phase === 'offline');
  const second = await startTestServer({ port }, { startSeq: last });
  try {
    await until('reconnected', () => c.link.current.phase === 'open');
    second.bot.init();
    await until('third event', () => c.state.log.length === 3);
    assert.equal(seqs(c.state), [last - 1, last, last + 1]);
  } finally {
    c.link.stop();
    await second.close();
  }
});

test('a client whose last seq is beyond the server\'s is told to reset: it forgets what it folded and resumes from 0 (issue 11)', async () => {
  const server = await startTestServer();
  server.bot.init();
  server.bot.entry('USDCHF');
  let state = reduceAll(initialState(), [{ timestamp: '2024-01-01T00:00:00.000000', session_id: 'old', event_type: 'BOT_STATUS', level: 'INFO', seq: 900, data: { running: true, connected: true } }]);
  // A last seq this server never reached, as a client of a rolled-back server would hold.
  let stale = true;
  const sent: unknown[] = [];
  const link = new Connection({
    url: server.wsUrl,
    createSocket: (u) => {
      const ws = new WebSocket(u);
      const send = ws.send.bind(ws);
      (ws as unknown as { send: (d: string) => void }).send = (d: string) => (sent.push(JSON.parse(d)), send(d));
      return ws as unknown as SocketLike;
    },
    lastSeq: () => (stale ? 900 : state.lastSeq),
    oninputs: (inputs) => {
      if (inputs.some((i) => 'type' in i && i.type === 'resume_result' && i.reset)) stale = false;
      state = reduceAll(state, inputs);
    },
  });
  try {
    link.start();
    await until('the two events of the server', () => state.log.length === 2);
    assert.equal(seqs(state), [1, 2], 'the old event is forgotten, the server\'s are folded');
    assert.equal(sent.filter((m) => (m as { type: string }).type === 'resume'), [{ type: 'resume', last_seq: 900 }, { type: 'resume', last_seq: 0 }]);
    server.bot.exit('USDCHF');
    await until('live events flow', () => state.log.length === 3);
    assert.is(link.current.phase, 'open');
  } finally {
    link.stop();
    await server.close();
  }
});

test('undecodable messages are reported and the link stays up', async () => {
  const server = await startTestServer();
  const problems: string[] = [];
  let state = initialState();
  const link = new Connection({
    url: server.wsUrl,
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
    lastSeq: () => state.lastSeq,
    oninputs: (inputs) => (state = reduceAll(state, inputs)),
    onbadmessage: (p) => problems.push(p),
  });
  try {
    link.start();
    await until('open', () => link.current.phase === 'open');
    server.bot.emit('TRADE_EXIT', 'INFO', { symbol: 'X' } as never);
    server.bot.init();
    await until('the good event', () => state.log.length === 1);
    assert.is(problems.length, 1);
    assert.match(problems[0], 'TRADE_EXIT');
    assert.is(link.current.phase, 'open');
  } finally {
    link.stop();
    await server.close();
  }
});

test.run();
