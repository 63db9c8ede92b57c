import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import { Mt5BridgeBroker } from '../../../engine/broker/mt5-bridge/mt5-bridge-broker.ts';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_RETCODE, marketOrder, type Deal } from '../../../engine/model/mt5.ts';
import type { RestoredPosition } from '../../../engine/model/restored-state.ts';
import { toRestored } from '../../../engine/broker/reconcile.ts';
import { FakeEa } from '../../kit/fake-ea.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';
import { SECRET, bridgeRig } from './bridge-harness.ts';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const ordersFor = (ea: FakeEa, clientId: string) => ea.received.filter((m) => m.type === 'order' && m.client_id === clientId);
async function rejectsWith(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try { await fn(); } catch (err) { assert.match((err as Error).message, pattern); return; }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 600; i++) { if (cond()) return; await new Promise((r) => setTimeout(r, 5)); }
  throw new Error(`timed out waiting for ${what}`);
};

test('ticks and closed bars split across TCP chunks arrive whole and in order on ticks$/bars$', async () => {
  const rig = await bridgeRig({ chunking: 'split' });
  try {
    const ticks = firstValueFrom(rig.broker.ticks$.pipe(take(3), toArray(), timeout(5_000)));
    const bar = firstValueFrom(rig.broker.bars$.pipe(timeout(5_000)));
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    rig.ea.tick('EURUSD', T0 + 1, 1.10001, 1.10013);
    rig.ea.tick('USDJPY', T0 + 2, 150, 150.012);
    rig.ea.bar('EURUSD', 'M1', { time: T0, open: 1.1, high: 1.1002, low: 1.0999, close: 1.10001, volume: 42 });
    assert.equal((await ticks).map((t) => [t.symbol, t.time, t.bid, t.ask]), [['EURUSD', T0, 1.1, 1.10012], ['EURUSD', T0 + 1, 1.10001, 1.10013], ['USDJPY', T0 + 2, 150, 150.012]]);
    assert.equal(await bar, { symbol: 'EURUSD', timeframe: 'M1', bar: { time: T0, open: 1.1, high: 1.1002, low: 1.0999, close: 1.10001, volume: 42 } });
  } finally { await rig.dispose(); }
});

test('an EA with the wrong secret is refused, the broker stays disconnected and the secret is never logged', async () => {
  const broker = await Mt5BridgeBroker.listen({ secret: SECRET, port: 0 });
  const problems: string[] = [];
  broker.problems$.subscribe((p) => problems.push(p));
  const ea = new FakeEa({ port: broker.port, secret: 'wrong-secret-000-0123456789abcdef', terminal: new FakeTerminal() });
  try {
    await rejectsWith(() => ea.connect(), /authentication failed/);
    assert.is(broker.isConnected(), false);
    assert.ok(problems.some((p) => p.includes('authentication failed')));
    assert.ok(!problems.join('\n').includes(SECRET) && !problems.join('\n').includes('wrong-secret-000-0123456789abcdef'));
  } finally { ea.disconnect(); await broker.close(); }
});

test('an EA speaking another protocol version is refused with a reason naming both versions', async () => {
  const broker = await Mt5BridgeBroker.listen({ secret: SECRET, port: 0 });
  const ea = new FakeEa({ port: broker.port, secret: SECRET, terminal: new FakeTerminal(), protocolVersion: 9 });
  try {
    await rejectsWith(() => ea.connect(), /version 9 not supported \(engine speaks 1\)/);
  } finally { ea.disconnect(); await broker.close(); }
});

test('a short secret is refused at start with an error naming the option', async () => {
  await rejectsWith(() => Mt5BridgeBroker.listen({ secret: 'short', port: 0 }), /option "secret" must be a string of at least 32 characters/);
});

test('a malformed line is reported with its line number and the session carries on', async () => {
  const rig = await bridgeRig();
  try {
    rig.ea.sendRaw('{"type":"tick","symbol":"EURUSD"\n');
    rig.ea.sendRaw('{"type":"tick","symbol":"EURUSD","time":1,"bid":"x","ask":1,"last":0,"volume":0}\n');
    rig.ea.sendRaw('not json\n');
    await until(() => rig.problems.length >= 3, 'three problems');
    assert.match(rig.problems[0]!, /EA line \d+: malformed JSON/);
    assert.match(rig.problems[1]!, /EA line \d+: invalid "tick" message: .*bid/);
    assert.match(rig.problems[2]!, /EA line \d+: malformed JSON/);
    assert.is(rig.broker.isConnected(), true);
    assert.is((await rig.broker.accountInfo()).currency, 'USD');
  } finally { await rig.dispose(); }
});

test('a disconnect mid-message flips connection$ to false, drops the half line, and the reconnecting EA is served again', async () => {
  const rig = await bridgeRig();
  try {
    const seen: boolean[] = [];
    rig.broker.connection$.subscribe((c) => seen.push(c));
    const ticks: unknown[] = [];
    rig.broker.ticks$.subscribe((t) => ticks.push(t));
    await rig.ea.disconnectMidMessage();
    await rig.connection(false);
    assert.ok(rig.problems.some((p) => p.includes('connection lost mid-message')), rig.problems.join('\n'));
    await rig.ea.connect();
    await rig.connection(true);
    assert.equal(seen, [true, false, true]);
    assert.equal(ticks, []);
    assert.is((await rig.broker.accountInfo()).login, 5_001_234);
  } finally { await rig.dispose(); }
});

test('every refusal retcode the terminal gives comes back unchanged in the TradeResult, and nothing opens', async () => {
  const rig = await bridgeRig();
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    for (const retcode of [10004, 10006, 10013, 10016, 10018, 10019, 10021, 10024, 10031]) {
      rig.terminal.rejectNext(retcode);
      const r = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
      assert.is(r.retcode, retcode);
    }
    assert.equal(await rig.broker.positionsGet(), []);
  } finally { await rig.dispose(); }
});

test('orderSend with no EA connected returns retcode 10031 at once instead of throwing', async () => {
  const broker = await Mt5BridgeBroker.listen({ secret: SECRET, port: 0 });
  try {
    const r = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(r.retcode, TRADE_RETCODE.CONNECTION);
    assert.match(r.comment, /no EA connected/);
  } finally { await broker.close(); }
});

test('an order executed by the terminal just before the link died is confirmed by lookup after reconnect, never sent twice', async () => {
  const rig = await bridgeRig();
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    rig.ea.dieAfterNextExecution = true;
    const pending = rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, comment: 'entry' }));
    await rig.connection(false);
    const deals: Deal[] = [];
    rig.broker.deals$.subscribe((d) => deals.push(d));
    await rig.ea.connect();
    const result = await pending;
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.match(result.comment, /confirmed after reconnect/);
    assert.is(rig.terminal.executions, 1);
    const clientId = String(rig.ea.received.find((m) => m.type === 'lookup')!.client_id);
    assert.is(ordersFor(rig.ea, clientId).length, 1, 'sent once, before the link died; never again');
    assert.is((await rig.broker.positionsGet()).length, 1);
    await until(() => deals.length === 1, 'the entry deal');
    assert.is(deals[0]!.ticket, result.deal);
  } finally { await rig.dispose(); }
});

test('an order lost before the terminal saw it is resent once after reconnect, with the same client id, and executes once', async () => {
  const rig = await bridgeRig();
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    rig.ea.dieOnNextOrder = true;
    const pending = rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    await rig.connection(false);
    await rig.ea.connect();
    const result = await pending;
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.is(rig.terminal.executions, 1);
    const orders = rig.ea.received.filter((m) => m.type === 'order');
    assert.is(orders.length, 2);
    assert.is(orders[0]!.client_id, orders[1]!.client_id);
    assert.is.not(orders[0]!.id, orders[1]!.id);
    assert.is((await rig.broker.positionsGet()).length, 1);
  } finally { await rig.dispose(); }
});

test('an order cut off while the EA stays away past the window fails with 10031 and is not executed later', async () => {
  const rig = await bridgeRig({}, { reconnectWindowMs: 200 });
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    rig.ea.dieOnNextOrder = true;
    const result = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(result.retcode, TRADE_RETCODE.CONNECTION);
    assert.match(result.comment, /order executed, the next reconciliation reports it|not back within 200 ms/);
    await rig.ea.connect();
    await rig.connection(true);
    assert.is((await rig.broker.positionsGet()).length, 0);
    assert.is(rig.terminal.executions, 0);
  } finally { await rig.dispose(); }
});

test('an order executed just before the link died, with the EA away past the window: 10031 now, adopted by the reconciliation later', async () => {
  const journal: RestoredPosition[] = [];
  const rig = await bridgeRig({}, { reconnectWindowMs: 200, knownPositions: () => journal });
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    rig.ea.dieAfterNextExecution = true;
    const result = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(result.retcode, TRADE_RETCODE.CONNECTION);
    const report = firstValueFrom(rig.broker.reconciliation$.pipe(filter((r) => !r.clean), timeout(5_000)));
    await rig.ea.connect();
    const r = await report;
    assert.is(r.opened.length, 1);
    assert.is(r.opened[0]!.restored.symbol, 'EURUSD');
    assert.is(rig.terminal.executions, 1);
  } finally { await rig.dispose(); }
});

test('a read asked while the EA is away is answered once it reconnects', async () => {
  const rig = await bridgeRig();
  try {
    rig.ea.disconnect();
    await rig.connection(false);
    const positions = rig.broker.positionsGet();
    await rig.ea.connect();
    assert.equal(await positions, []);
  } finally { await rig.dispose(); }
});

test('a silent EA is dropped after three heartbeat periods and connection$ says so', async () => {
  const rig = await bridgeRig({}, { heartbeatMs: 50 });
  try {
    rig.ea.silent = true;
    await rig.connection(false);
    assert.ok(rig.problems.some((p) => p.includes('heartbeat timeout')), rig.problems.join('\n'));
  } finally { await rig.dispose(); }
});

test('duplicate deliveries of results and deals are dropped: one deal per ticket on deals$', async () => {
  const rig = await bridgeRig({ duplicateDeliveries: true });
  try {
    const deals: Deal[] = [];
    rig.broker.deals$.subscribe((d) => deals.push(d));
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    const r = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(r.retcode, TRADE_RETCODE.DONE);
    await until(() => rig.broker.duplicatesDropped >= 2, 'both duplicates dropped');
    assert.is(deals.length, 1);
    assert.is(rig.terminal.executions, 1);
  } finally { await rig.dispose(); }
});

test('positions closed by a stop and opened by hand while disconnected are reported once by the reconciliation on reconnect', async () => {
  const journal: RestoredPosition[] = [];
  const rig = await bridgeRig({}, { knownPositions: () => journal });
  try {
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    rig.ea.tick('USDJPY', T0, 150, 150.012);
    const open = await rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.095 }));
    assert.is(open.retcode, TRADE_RETCODE.DONE);
    const [p] = await rig.broker.positionsGet();
    journal.push(toRestored(p!));
    const live: Deal[] = [];
    rig.broker.deals$.subscribe((d) => live.push(d));

    rig.ea.disconnect();
    await rig.connection(false);
    const stopDeal = rig.terminal.hitStop(p!.ticket, 1.095, Date.now());
    rig.terminal.openByHand('USDJPY', ORDER_TYPE_SELL, 0.3, Date.now());

    const report = firstValueFrom(rig.broker.reconciliation$.pipe(timeout(5_000)));
    await rig.ea.connect();
    const r = await report;
    assert.is(r.clean, false);
    assert.is(r.closed.length, 1);
    assert.is(r.closed[0]!.known.positionId, p!.identifier);
    assert.is(r.closed[0]!.reason, 'stop_loss');
    assert.is(r.closed[0]!.exitPrice, 1.095);
    assert.is(r.opened.length, 1);
    assert.is(r.opened[0]!.restored.symbol, 'USDJPY');
    assert.is(r.opened[0]!.restored.direction, 'sell');
    assert.ok(r.deals.some((d) => d.ticket === stopDeal.ticket));
    assert.equal(live, [], 'deals made while away come in the reconciliation, not again on deals$');

    // The bot applies it; the next reconnect finds nothing new.
    journal.splice(0, journal.length, r.opened[0]!.restored);
    const again = firstValueFrom(rig.broker.reconciliation$.pipe(timeout(5_000)));
    rig.ea.disconnect();
    await rig.connection(false);
    await rig.ea.connect();
    assert.is((await again).clean, true);
  } finally { await rig.dispose(); }
});

test('an order resent after reconnect is not reported as a position opened while away', async () => {
  const journal: RestoredPosition[] = [];
  const rig = await bridgeRig({}, { knownPositions: () => journal });
  try {
    await firstValueFrom(rig.broker.reconciliation$.pipe(filter((r) => r.clean), timeout(5_000))).catch(() => undefined);
    rig.ea.tick('EURUSD', T0, 1.1, 1.10012);
    rig.ea.dieAfterNextExecution = true;
    const pending = rig.broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    await rig.connection(false);
    const report = firstValueFrom(rig.broker.reconciliation$.pipe(timeout(5_000)));
    await rig.ea.connect();
    assert.is((await pending).retcode, TRADE_RETCODE.DONE);
    const r = await report;
    assert.equal(r.opened, []);
  } finally { await rig.dispose(); }
});

test.run();
