import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { MetaApiBroker, type MetaApiBar } from '../../../engine/broker/metaapi/metaapi-broker.ts';
import { metaApiSdkOpener } from '../../../engine/broker/metaapi/metaapi-sdk-session.ts';
import { toRestored } from '../../../engine/broker/reconcile.ts';
import { ORDER_TYPE_BUY, ORDER_TYPE_SELL, TRADE_RETCODE, marketOrder, type Deal } from '../../../engine/model/mt5.ts';
import type { RestoredPosition } from '../../../engine/model/restored-state.ts';
import { FakeMetaApi } from '../../kit/fake-metaapi.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const fast = { initial: 5, max: 20 };
const up = (b: MetaApiBroker, v: boolean) => firstValueFrom(b.connection$.pipe(filter((c) => c === v), timeout(5_000)));

async function rig(options: Partial<Parameters<typeof MetaApiBroker.connect>[1]> = {}) {
  const fake = new FakeMetaApi(new FakeTerminal());
  const problems: string[] = [];
  const broker = await MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD', 'USDJPY'], backoffMs: fast, ...options });
  broker.problems$.subscribe((p) => problems.push(p));
  fake.price('EURUSD', T0, 1.1, 1.10012);
  fake.price('USDJPY', T0, 150, 150.012);
  return { fake, broker, problems };
}

test('connect subscribes each symbol to quotes and candles of the timeframe', async () => {
  const { fake, broker } = await rig({ timeframe: 'M5' });
  assert.equal(fake.subscriptions.map((s) => s.symbol), ['EURUSD', 'USDJPY']);
  assert.equal(fake.subscriptions[0]!.subscriptions, [{ type: 'quotes' }, { type: 'candles', timeframe: '5m' }]);
  await broker.close();
});

test('opening the session retries with exponential backoff and succeeds on the third attempt', async () => {
  const fake = new FakeMetaApi(new FakeTerminal());
  fake.failOpens = 2;
  const broker = await MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD'], backoffMs: fast });
  assert.is(fake.opens, 3);
  assert.is(broker.isConnected(), true);
  await broker.close();
});

test('opening gives up after startAttempts with an error naming the cause', async () => {
  const fake = new FakeMetaApi(new FakeTerminal());
  fake.failOpens = 10;
  try {
    await MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD'], backoffMs: fast, startAttempts: 3 });
    assert.unreachable('should have failed');
  } catch (err) {
    assert.match((err as Error).message, /could not open the session after 3 attempts: fake: region not reachable/);
  }
});

test('quotes arrive on ticks$ and a candle is published on bars$ once the next one opens', async () => {
  const { fake, broker } = await rig();
  const tick = firstValueFrom(broker.ticks$.pipe(timeout(2_000)));
  fake.price('EURUSD', T0 + 1_000, 1.1001, 1.10022);
  assert.equal(await tick, { symbol: 'EURUSD', time: T0 + 1_000, bid: 1.1001, ask: 1.10022, last: 0, volume: 0 });
  const bars: MetaApiBar[] = [];
  broker.bars$.subscribe((b) => bars.push(b));
  fake.candle('EURUSD', T0, [1.1, 1.1003, 1.0999, 1.1001]);
  fake.candle('EURUSD', T0, [1.1, 1.1004, 1.0999, 1.1002]);
  assert.equal(bars, [], 'the forming candle is not a closed bar');
  fake.candle('EURUSD', T0 + 60_000, [1.1002, 1.1002, 1.1002, 1.1002]);
  assert.equal(bars, [{ symbol: 'EURUSD', timeframe: 'M1', bar: { time: T0, open: 1.1, high: 1.1004, low: 1.0999, close: 1.1002, volume: 12 } }]);
  await broker.close();
});

test('a quote or a candle stamped ten years ahead is refused with a problem naming it; the quotes and candles after it keep flowing (as the MT5 bridge)', async () => {
  const { fake, broker, problems } = await rig({ now: () => T0 + 120_000 });
  const ticks: number[] = [];
  broker.ticks$.subscribe((t) => ticks.push(t.time));
  const bars: MetaApiBar[] = [];
  broker.bars$.subscribe((b) => bars.push(b));
  const FUTURE = T0 + 10 * 365 * 86_400_000;
  fake.price('EURUSD', FUTURE, 1.2, 1.20012);
  fake.price('EURUSD', T0 + 2_000, 1.1001, 1.10022);
  assert.equal(ticks, [T0 + 2_000], 'the future quote is not a tick; the next one is');
  assert.ok(problems.some((p) => /^metaapi: refused a EURUSD tick stamped in the future/.test(p)), problems.join('\n'));
  fake.candle('EURUSD', T0, [1.1, 1.1003, 1.0999, 1.1001]);
  fake.candle('EURUSD', FUTURE, [1.2, 1.2, 1.2, 1.2]);
  assert.ok(problems.some((p) => /^metaapi: refused a EURUSD 1m candle opening .* after this machine's clock/.test(p)), problems.join('\n'));
  fake.candle('EURUSD', T0 + 60_000, [1.1002, 1.1002, 1.1002, 1.1002]);
  assert.equal(bars, [{ symbol: 'EURUSD', timeframe: 'M1', bar: { time: T0, open: 1.1, high: 1.1003, low: 1.0999, close: 1.1001, volume: 12 } }],
    'the bar before the future candle closes when the next real one opens');
  await broker.close();
});

test('a trade that executed but timed out is confirmed from the deal history by its clientId, not resent', async () => {
  const { fake, broker } = await rig();
  fake.timeoutAfterNextExecution = true;
  const r = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, comment: 'entry' }));
  assert.is(r.retcode, TRADE_RETCODE.DONE, r.comment);
  assert.match(r.comment, /confirmed from deal history/);
  assert.is(fake.terminal.executions, 1);
  assert.is((await broker.positionsGet()).length, 1);
  await broker.close();
});

test('a TradeError from MetaApi comes back as a TradeResult carrying its numericCode and stringCode', async () => {
  const { broker } = await rig();
  const r = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.2 }));
  assert.is(r.retcode, TRADE_RETCODE.INVALID_STOPS);
  assert.match(r.comment, /TRADE_RETCODE_INVALID_STOPS/);
  await broker.close();
});

test('every TradeError numericCode comes back unchanged as the retcode, and nothing opens', async () => {
  const { fake, broker } = await rig();
  for (const retcode of [10004, 10006, 10013, 10016, 10018, 10019, 10021, 10024]) {
    fake.terminal.rejectNext(retcode);
    const r = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
    assert.is(r.retcode, retcode);
  }
  assert.equal(await broker.positionsGet(), []);
  await broker.close();
});

test('a stream disconnect flips connection$ to false and orders are refused with 10031 until it resynchronises', async () => {
  const { fake, broker } = await rig();
  fake.disconnect();
  await up(broker, false);
  const r = await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }));
  assert.is(r.retcode, TRADE_RETCODE.CONNECTION);
  fake.resynchronise();
  await up(broker, true);
  assert.is((await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }))).retcode, TRADE_RETCODE.DONE);
  await broker.close();
});

test('positions closed by a stop and opened by hand while disconnected are reconciled once; replayed deals are not re-emitted', async () => {
  const journal: RestoredPosition[] = [];
  const { fake, broker } = await rig({ knownPositions: () => journal });
  await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY, sl: 1.095 }));
  const [p] = await broker.positionsGet();
  journal.push(toRestored(p!));
  const live: Deal[] = [];
  broker.deals$.subscribe((d) => live.push(d));

  fake.disconnect();
  await up(broker, false);
  fake.terminal.hitStop(p!.ticket, 1.095, T0 + 60_000);
  fake.terminal.openByHand('USDJPY', ORDER_TYPE_SELL, 0.3, T0 + 120_000);
  const report = firstValueFrom(broker.reconciliation$.pipe(timeout(5_000)));
  fake.resynchronise();
  const r = await report;
  assert.is(r.closed.length, 1);
  assert.is(r.closed[0]!.reason, 'stop_loss');
  assert.is(r.closed[0]!.known.positionId, p!.ticket);
  assert.is(r.connected, undefined, 'after a reconnection');
  assert.is(r.opened.length, 1);
  assert.is(r.opened[0]!.restored.symbol, 'USDJPY');
  assert.equal(live, []);
  assert.ok(broker.duplicatesDropped >= 1, 'the replayed entry deal was dropped');
  await broker.close();
});

test('a position opened by hand while connected is classified at once by a reconciliation, as the MT5 bridge does; the engine\'s own fills are not', async () => {
  const journal: RestoredPosition[] = [];
  const { fake, broker } = await rig({ knownPositions: () => journal });
  try {
    // The first reconciliation (on connect) is clean; wait it out.
    await firstValueFrom(broker.reconciliation$.pipe(timeout(300))).catch(() => undefined);
    const reports: { opened: number; symbols: string[] }[] = [];
    broker.reconciliation$.subscribe((r) => reports.push({ opened: r.opened.length, symbols: r.opened.map((o) => o.restored.symbol) }));
    // The engine's own entry: its deal carries the engine's clientId, so no reconciliation.
    assert.is((await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }))).retcode, TRADE_RETCODE.DONE);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reports, [], 'its own fill is not classified');
    fake.terminal.openByHand('USDJPY', ORDER_TYPE_SELL, 0.3, T0 + 120_000);
    const r = await firstValueFrom(broker.reconciliation$.pipe(filter((x) => x.opened.length > 0), timeout(5_000)));
    assert.equal(r.opened.map((o) => [o.restored.symbol, o.restored.direction, o.position.magic]), [['USDJPY', 'sell', 0]]);
    assert.is(r.connected, true, 'a check while connected, not a reconnection');
  } finally { await broker.close(); }
});

test('when the SDK does not come back within reopenAfterMs the adapter reopens the session', async () => {
  const { fake, broker } = await rig({ reopenAfterMs: 20 });
  fake.failOpens = 1;
  fake.disconnect();
  await up(broker, false);
  await up(broker, true);
  assert.is(fake.opens, 3, 'start, one failed reopen, one good reopen');
  assert.is((await broker.orderSend(marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY }))).retcode, TRADE_RETCODE.DONE);
  await broker.close();
});

test('the SDK opener refuses to build without a token and an account id', () => {
  assert.throws(() => metaApiSdkOpener({ token: '', accountId: '' }), /"token" and "accountId" are both required/);
});

test('the metaapi.cloud-sdk package imports under Node ESM without network', async () => {
  const specifier = 'metaapi.cloud-sdk/esm-node';
  const sdk = (await import(specifier)) as { default: unknown; SynchronizationListener: unknown };
  assert.type(sdk.default, 'function');
  assert.type(sdk.SynchronizationListener, 'function');
});

test.run();
