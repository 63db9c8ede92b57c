import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'node:net';
import { DEFAULT_SERVER_SETTINGS } from '../../engine/config/defaults.ts';
import { startTestServer, TestClient } from '../kit/server-kit.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

test('a client that stops reading has DEBUG shed first, is then told it is too slow and closed with 4000, while a reading client gets every event', async () => {
  const t = await startTestServer({ sendQueue: { ...DEFAULT_SERVER_SETTINGS.sendQueue, maxMessages: 64, maxBytes: 64 * 1024 * 1024, highWaterBytes: 256 * 1024 } });
  const slow = await TestClient.connect(t.wsUrl);
  const fast = await TestClient.connect(t.wsUrl);
  await slow.next((m) => m.type === 'connection_established');
  ((slow.ws as unknown as { _socket: Socket })._socket).pause();
  let errors = 0;
  for (let i = 0; i < 400; i++) {
    t.bot.bigDebug(50_000);
    if (i % 5 === 4) await tick();
  }
  assert.ok(t.server.metrics.shedTotal > 0, 'DEBUG was shed for the slow client');
  assert.is(t.server.metrics.slowConsumersTotal, 0, 'shedding DEBUG alone does not disconnect');
  while (t.server.metrics.slowConsumersTotal === 0 && errors < 5000) {
    t.bot.bigError(50_000);
    errors++;
    if (errors % 5 === 0) await tick();
  }
  assert.is(t.server.metrics.slowConsumersTotal, 1);
  const lastSeq = t.server.broadcaster.lastSeq;
  ((slow.ws as unknown as { _socket: Socket })._socket).resume();
  const notice = await slow.next((m) => m.type === 'error' && m.code === 'slow_consumer', 0, 30_000);
  assert.is(notice.closing, true);
  assert.match(notice.error, /resume/);
  assert.is((await slow.closed).code, 4000);
  await fast.next((m) => m.seq === lastSeq, 0, 30_000);
  assert.is(fast.received.filter((m) => m.event_type === 'ERROR').length, errors, 'the reading client got every ERROR');
  assert.is(fast.ws.readyState, fast.ws.OPEN);
  const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
  assert.match(metrics, /^tradeloom_slow_consumers_total 1$/m);
  await fast.close();
  await t.close();
});

test('each event is serialised once per broadcast, whatever the number of clients', async () => {
  const t = await startTestServer();
  const clients = await Promise.all(Array.from({ length: 5 }, () => TestClient.connect(t.wsUrl)));
  const original = JSON.stringify;
  let calls = 0;
  JSON.stringify = ((value: unknown, ...rest: []) => {
    if (value && typeof value === 'object' && 'event_type' in value) calls++;
    return original(value, ...rest);
  }) as typeof JSON.stringify;
  try {
    t.bot.init();
    t.bot.entry('USDCHF');
  } finally {
    JSON.stringify = original;
  }
  assert.is(calls, 2);
  await Promise.all(clients.map((c) => c.next((m) => m.event_type === 'TRADE_ENTRY')));
  await Promise.all(clients.map((c) => c.close()));
  await t.close();
});

test.run();
