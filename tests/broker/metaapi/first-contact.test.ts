import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { MetaApiBroker } from '../../../engine/broker/metaapi/metaapi-broker.ts';
import { ORDER_TYPE_BUY, TRADE_RETCODE, marketOrder } from '../../../engine/model/mt5.ts';
import { FakeMetaApi } from '../../kit/fake-metaapi.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';

// Issue 16: what would break on first contact with a real MetaApi account, each reproduced with the fake.
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const fast = { initial: 5, max: 20 };
const up = (b: MetaApiBroker, v: boolean) => firstValueFrom(b.connection$.pipe(filter((c) => c === v), timeout(5_000)));
const buy = () => marketOrder({ symbol: 'EURUSD', volume: 0.1, type: ORDER_TYPE_BUY });
const bounded = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))]);

async function rig(options: Partial<Parameters<typeof MetaApiBroker.connect>[1]> = {}, terminal = new FakeTerminal()) {
  const fake = new FakeMetaApi(terminal);
  const broker = await MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD', 'USDJPY'], backoffMs: fast, ...options });
  const problems: string[] = [];
  broker.problems$.subscribe((p) => problems.push(p));
  fake.price('EURUSD', T0, 1.1, 1.10012);
  fake.price('USDJPY', T0, 150, 150.012);
  return { fake, broker, problems };
}

test('item 2: a subscription that throws while reopening is retried with the whole attach; the failed session is closed and trading resumes', async () => {
  const { fake, broker, problems } = await rig({ reopenAfterMs: 20 });
  try {
    fake.failSubscribes = 1;
    fake.disconnect();
    await up(broker, false);
    await up(broker, true);
    assert.ok(fake.closes >= 2, `sessions closed: ${fake.closes} (the dropped one and the failed attach)`);
    assert.ok(problems.some((p) => /subscribing (EURUSD|USDJPY) failed/.test(p)), problems.join('\n'));
    assert.ok(!problems.some((p) => /reopening stopped/.test(p)));
    assert.is((await broker.orderSend(buy())).retcode, TRADE_RETCODE.DONE);
  } finally { await broker.close(); }
});

test('item 2: a subscription that throws at start is retried, and the session of the failed attempt is closed', async () => {
  const fake = new FakeMetaApi(new FakeTerminal());
  fake.failSubscribes = 1;
  const broker = await MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD'], backoffMs: fast });
  try {
    assert.is(broker.isConnected(), true);
    assert.is(fake.opens, 2);
    assert.is(fake.closes, 1);
  } finally { await broker.close(); }
});

test('item 3: with two replicas, one replica\'s stream closing keeps the broker connected and orders fill; the last one closing takes it down', async () => {
  const { fake, broker } = await rig();
  const downs: boolean[] = [];
  broker.connection$.subscribe((c) => { if (!c) downs.push(c); });
  try {
    fake.addReplica('new-york:0:ps-mpa-1');
    fake.closeStream('new-york:0:ps-mpa-1');
    assert.equal(downs, []);
    assert.is((await broker.orderSend(buy())).retcode, TRADE_RETCODE.DONE);
    fake.closeStream('vint-hill:0:ps-mpa-1');
    await up(broker, false);
    assert.is((await broker.orderSend(buy())).retcode, TRADE_RETCODE.CONNECTION);
  } finally { await broker.close(); }
});

test('item 4: a 1,500-deal history is read in pages of 1,000: history, reconciliation and the clientId search see every deal', async () => {
  const terminal = new FakeTerminal();
  terminal.seedHistory(1_500, T0);
  const fake = new FakeMetaApi(terminal);
  const broker = await MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD'], backoffMs: fast, knownPositions: () => [], firstSyncSince: 0 });
  try {
    fake.price('EURUSD', T0, 1.1, 1.10012);
    assert.is((await broker.historyDealsGet(0, T0)).length, 1_500);
    fake.timeoutAfterNextExecution = true;
    const result = await broker.orderSend(buy());
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.match(result.comment, /confirmed from deal history/);
    assert.is(terminal.executions, 1);
  } finally { await broker.close(); }
});

test('item 4: the reconciliation on connect reads the whole 1,500-deal window', async () => {
  const terminal = new FakeTerminal();
  terminal.seedHistory(1_500, T0);
  const fake = new FakeMetaApi(terminal);
  const connecting = MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD'], backoffMs: fast, knownPositions: () => [], firstSyncSince: 0 });
  const broker = await connecting;
  try {
    const r = await firstValueFrom(broker.reconciliation$.pipe(timeout(5_000))).catch(() => null);
    // The first reconciliation may already have run during connect; ask for the next one by dropping and resynchronising.
    const report = r ?? await (async () => { const next = firstValueFrom(broker.reconciliation$.pipe(timeout(5_000))); fake.disconnect(); fake.resynchronise(); return next; })();
    assert.is(report.deals.length, 1_500);
  } finally { await broker.close(); }
});

test('item 5: with the market closed, three symbols subscribe in parallel and connect finishes after the bounded first-quote wait', async () => {
  const fake = new FakeMetaApi(new FakeTerminal());
  fake.marketClosed = true;
  const connecting = MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD', 'USDJPY', 'XAUUSD'], backoffMs: fast, firstQuoteWaitMs: 100 });
  const broker = await bounded(connecting, 5_000, 'connect');
  try {
    assert.is(broker.isConnected(), true);
    assert.is(fake.maxConcurrentSubscribes, 3);
    assert.equal(fake.subscriptions.map((s) => s.symbol).sort(), ['EURUSD', 'USDJPY', 'XAUUSD']);
  } finally { await broker.close(); }
});

test('item 9: a trade that times out and fills later is watched for and answered DONE, never a retryable 10012', async () => {
  const { fake, broker } = await rig({ lateFillWindowMs: 3_000 });
  try {
    fake.lateFillNextMs = 200;
    const result = await broker.orderSend(buy());
    assert.is(result.retcode, TRADE_RETCODE.DONE, result.comment);
    assert.is(fake.terminal.executions, 1);
  } finally { await broker.close(); }
});

test('item 9: a fill after the watch window is answered 10031 "do not resend", then adopted and reported on reconciliation$', async () => {
  const { fake, broker, problems } = await rig({ lateFillWindowMs: 100, knownPositions: () => [] });
  try {
    fake.lateFillNextMs = 400;
    const adopted = firstValueFrom(broker.reconciliation$.pipe(filter((r) => r.opened.length > 0), timeout(5_000)));
    const result = await broker.orderSend(buy());
    assert.is(result.retcode, TRADE_RETCODE.CONNECTION, result.comment);
    assert.match(result.comment, /do not resend/);
    assert.is((await adopted).opened.length, 1);
    assert.is(fake.terminal.executions, 1);
    assert.ok(problems.some((p) => /late fill of clientId TL_[0-9a-f]{8}.*adopted, not repeated/.test(p)), problems.join('\n'));
  } finally { await broker.close(); }
});

test.run();
