import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { Mt5BridgeBroker } from '../../../engine/broker/mt5-bridge/mt5-bridge-broker.ts';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_RETCODE, marketOrder } from '../../../engine/model/mt5.ts';
import type { LiveBar } from '../../../engine/broker/live-broker-port.ts';
import { FakeEa } from '../../kit/fake-ea.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';
import { SECRET, bridgeRig } from './bridge-harness.ts';
import { toRestored } from '../../../engine/broker/reconcile.ts';

// Issue 16: what would break on first contact with a real terminal, each reproduced with the fake EA.
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MINUTE = 60_000;
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 1000; i++) { if (cond()) return; await new Promise((r) => setTimeout(r, 5)); }
  throw new Error(`timed out waiting for ${what}`);
};
const sent = (ea: FakeEa, type: string) => ea.received.filter((m) => m.type === type).length;

test('item 1: a 9,000-deal history is fetched in pages on connect and the reconciliation completes on one session', async () => {
  const terminal = new FakeTerminal();
  terminal.seedHistory(9_000, T0);
  const broker = await Mt5BridgeBroker.listen({ secret: SECRET, port: 0, heartbeatMs: 250, firstSyncSince: 0, knownPositions: () => [] });
  const reconciled = firstValueFrom(broker.reconciliation$.pipe(timeout(10_000)));
  const closed: boolean[] = [];
  let wasUp = false;
  broker.connection$.subscribe((up) => { if (up) wasUp = true; else if (wasUp) closed.push(up); });
  const ea = new FakeEa({ port: broker.port, secret: SECRET, terminal });
  try {
    await ea.connect();
    const result = await reconciled;
    assert.is(result.deals.length, 9_000);
    assert.is(sent(ea, 'deals_get'), 18, 'pages of 500');
    assert.equal(closed, [], 'the session never dropped');
  } finally { ea.disconnect(); await broker.close(); }
});

test('item 1: a reply over the line limit (an EA without paging) fails its query, which is not asked again after the EA reconnects', async () => {
  const terminal = new FakeTerminal();
  terminal.seedHistory(9_000, T0);
  const rig = await bridgeRig({ terminal, ignoresPaging: true });
  try {
    try { await rig.broker.historyDealsGet(0, T0 + MINUTE); assert.unreachable('expected a rejection'); } catch (err) {
      assert.match((err as Error).message, /broke the line size limit/);
    }
    await rig.connection(false);
    await rig.ea.connect();
    await rig.connection(true);
    assert.is((await rig.broker.accountInfo()).currency, 'USD');
    assert.is(sent(rig.ea, 'deals_get'), 1, 'the query that killed the session was not resent');
    assert.ok(rig.problems.some((p) => /(exceeds 1048576 bytes|over the 1048576-byte limit)/.test(p)), rig.problems.join('\n'));
  } finally { await rig.dispose(); }
});

test('item 6: on an instant-execution symbol (Fill-or-Kill only) opens and closes sent with the default IOC fill', async () => {
  const rig = await bridgeRig({ terminal: new FakeTerminal({ execution: { EURUSD: 'instant' } }) });
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    const open = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(open.retcode, TRADE_RETCODE.DONE, open.comment);
    const [p] = await rig.broker.positionsGet();
    const shut = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_SELL, position: p!.ticket }));
    assert.is(shut.retcode, TRADE_RETCODE.DONE, shut.comment);
    assert.equal(await rig.broker.positionsGet(), []);
  } finally { await rig.dispose(); }
});

test('item 6: on a market-execution symbol that allows only FOK, an IOC request is sent as FOK and fills', async () => {
  const rig = await bridgeRig({ terminal: new FakeTerminal({ fillingModes: { USDJPY: 1 } }) });
  try {
    rig.ea.tick('USDJPY', T0, 150, 150.012);
    const open = await rig.broker.orderSend(marketOrder({ symbol: 'USDJPY', volume: 0.1, type: ORDER_TYPE_SELL }));
    assert.is(open.retcode, TRADE_RETCODE.DONE, open.comment);
    assert.is(rig.ea.received.find((m) => m.type === 'order')!.type_filling, 0);
  } finally { await rig.dispose(); }
});

test('item 7: a volume and stops with float noise (0.1 + 0.2, 1.0950000000000002) are normalised and the order fills', async () => {
  const rig = await bridgeRig();
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    const result = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1 + 0.2, type: ORDER_TYPE_BUY, sl: 1.0950000000000002, tp: 1.1100000000000001 }));
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    const [p] = await rig.broker.positionsGet();
    assert.equal([p!.volume, p!.sl, p!.tp], [0.3, 1.095, 1.11]);
  } finally { await rig.dispose(); }
});

test('item 8: an order filled before the link died, the EA restarted without its stored ids and the broker rewrote the comment: found by magic/symbol/volume, executed once', async () => {
  const terminal = new FakeTerminal({ rewriteComment: () => 'FX-from-dealer' });
  const rig = await bridgeRig({ terminal, persistIds: false });
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    await rig.broker.symbolInfo('EURUSD');
    rig.ea.dieAfterNextExecution = true;
    const pending = rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, magic: 77 }));
    await rig.connection(false);
    await rig.ea.restart();
    const result = await pending;
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.is(terminal.executions, 1);
    assert.is(result.deal, terminal.deals[0]!.ticket);
    assert.is(sent(rig.ea, 'order'), 1, 'never resent');
  } finally { await rig.dispose(); }
});

test('item 9: a fill slower than the request timeout is waited for and answered DONE, never a retryable 10012', async () => {
  // The fill (500 ms) comes after the request timeout (400 ms), when the lookup is asked, and
  // 300 ms before the give-up (twice the timeout): room for a loaded machine's late timers.
  const rig = await bridgeRig({}, { requestTimeoutMs: 400 });
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    await rig.broker.symbolInfo('EURUSD');
    rig.ea.slowNextExecutionMs = 500;
    const result = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.is(rig.terminal.executions, 1);
    assert.is(sent(rig.ea, 'order'), 1);
  } finally { await rig.dispose(); }
});

test('item 9: a fill later than the give-up deadline is answered 10031 (not 10012), then adopted and reported on reconciliation$', async () => {
  const rig = await bridgeRig({}, { requestTimeoutMs: 100, heartbeatMs: 1_000, knownPositions: () => [], firstSyncSince: 0 });
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    await rig.broker.symbolInfo('EURUSD');
    await firstValueFrom(rig.broker.reconciliation$.pipe(timeout(5_000))).catch(() => undefined);
    rig.ea.slowNextExecutionMs = 600;
    const adopted = firstValueFrom(rig.broker.reconciliation$.pipe(filter((r) => r.opened.length > 0), timeout(5_000)));
    const result = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(result.retcode, TRADE_RETCODE.CONNECTION, result.comment);
    assert.match(result.comment, /do not resend/);
    const r = await adopted;
    assert.is(r.opened.length, 1);
    assert.is(rig.terminal.executions, 1);
    assert.ok(rig.problems.some((p) => /late fill of client order T[0-9a-z]{8}.*adopted, not repeated/.test(p)), rig.problems.join('\n'));
  } finally { await rig.dispose(); }
});

test('item 10: a second EA with the same secret and account is refused with a clear reason and the first keeps its session', async () => {
  const rig = await bridgeRig();
  const downs: boolean[] = [];
  rig.broker.connection$.subscribe((up) => { if (!up) downs.push(up); });
  const second = new FakeEa({ port: rig.broker.port, secret: SECRET, terminal: rig.terminal });
  try {
    try { await second.connect(); assert.unreachable('the second EA was accepted'); } catch (err) {
      assert.match((err as Error).message, /another EA is already connected with this secret \(login 5001234 on Fake-Demo/);
    }
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    assert.is((await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }))).retcode, TRADE_RETCODE.DONE);
    assert.equal(downs, []);
    assert.ok(rig.ea.connected);
  } finally { second.disconnect(); await rig.dispose(); }
});

test('item 11: bars closed while the EA was away are backfilled on reconnect, in order, before the live ones, each once', async () => {
  const rig = await bridgeRig();
  const bars: LiveBar[] = [];
  rig.broker.bars$.subscribe((b) => bars.push(b));
  const bar = (i: number) => ({ time: T0 + i * MINUTE, open: 1.1, high: 1.1002, low: 1.0998, close: 1.1 + i / 1e5, volume: 10 + i });
  try {
    rig.ea.bar('EURUSD', 'M1', bar(0));
    await until(() => bars.length === 1, 'the first bar');
    rig.ea.disconnect();
    await rig.connection(false);
    for (const i of [1, 2, 3]) rig.terminal.closeBar('EURUSD', 'M1', bar(i));
    await rig.ea.connect();
    rig.ea.bar('EURUSD', 'M1', bar(3)); // the EA resends the last closed bar after reconnecting
    rig.ea.bar('EURUSD', 'M1', bar(4));
    await until(() => bars.length >= 5, 'five bars');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(bars.map((b) => (b.bar.time - T0) / MINUTE), [0, 1, 2, 3, 4]);
    assert.is(sent(rig.ea, 'history'), 1);
  } finally { await rig.dispose(); }
});

test('item 12: a secret under 32 characters, and a non-loopback address without TLS, are refused with errors naming the option', async () => {
  for (const [options, pattern] of [
    [{ secret: 'sixteen-chars-ok', port: 0 }, /option "secret" must be a string of at least 32 characters.*got 16 characters/],
    [{ secret: SECRET, port: 0, host: '0.0.0.0' }, /option "host" is 0\.0\.0\.0, not a loopback address: give option "tls"/],
  ] as const) {
    try { const b = await Mt5BridgeBroker.listen(options); await b.close(); assert.unreachable(`accepted ${JSON.stringify(options)}`); } catch (err) {
      assert.match((err as Error).message, pattern);
    }
  }
});

test('item 12: with a certificate the link is TLS: an EA connecting over TLS authenticates and trades, a plaintext one gets nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloom-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const rig = await bridgeRig({ tlsCa: cert }, { tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
    const plain = new FakeEa({ port: rig.broker.port, secret: SECRET, terminal: rig.terminal, login: 42 });
    try {
      rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
      assert.is((await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }))).retcode, TRADE_RETCODE.DONE);
      try { await plain.connect(); assert.unreachable('a plaintext EA was served'); } catch (err) { assert.match((err as Error).message, /closed before welcome/); }
    } finally { plain.disconnect(); await rig.dispose(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a position the journal knows, stopped out while the bot was down for over a week, is found with its stop deal on the first connection (the window reaches back to its opening)', async () => {
  const DAY = 86_400_000;
  const now = Date.now();
  const terminal = new FakeTerminal();
  terminal.setQuote('EURUSD', now - 10 * DAY, 1.1, 1.10012);
  const opened = terminal.openByHand('EURUSD', ORDER_TYPE_BUY, 0.1, now - 10 * DAY);
  const stop = terminal.hitStop(opened.ticket, 1.095, now - 9 * DAY);
  const journal = [toRestored(opened)];
  const broker = await Mt5BridgeBroker.listen({ secret: SECRET, port: 0, heartbeatMs: 250, knownPositions: () => journal });
  const reconciled = firstValueFrom(broker.reconciliation$.pipe(timeout(10_000)));
  const ea = new FakeEa({ port: broker.port, secret: SECRET, terminal });
  try {
    await ea.connect();
    const r = await reconciled;
    assert.is(r.closed.length, 1);
    assert.is(r.closed[0]!.known.positionId, opened.identifier);
    assert.equal(r.closed[0]!.exitDeals.map((d) => d.ticket), [stop.ticket], 'its exit deal, 9 days back, is in the window');
    assert.is(r.closed[0]!.reason, 'stop_loss');
    assert.is(r.closed[0]!.exitPrice, 1.095);
  } finally { ea.disconnect(); await broker.close(); }
});

test.run();
